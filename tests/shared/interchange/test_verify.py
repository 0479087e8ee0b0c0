"""The public letter verification page: validity and state, a masked name, no login."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from shared.interchange.models import LetterRecord, TransferEnvelope
from shared.interchange.sealing import seal, unseal
from tests.support.world import ALPHA, CITY_HOST


def _record(valid_until: date, token: str = "t" * 43) -> LetterRecord:
    return LetterRecord.objects.create(
        token=token,
        serial="ZJ610802-2026-000001",
        issuer_schema="alpha",
        issuer_name="榆阳区某镇党委",
        to_name="中共西安市雁塔区委组织部",
        masked_name="张**",
        issued_on=valid_until - timedelta(days=30),
        valid_until=valid_until,
    )


def test_a_valid_letter_shows_valid_and_a_masked_name_only(db):
    _record(timezone.localdate() + timedelta(days=3))
    page = Client(HTTP_HOST=CITY_HOST).get(f"/letters/{'t' * 43}/")
    text = page.content.decode()
    assert page.status_code == 200 and "有效，待接收" in text and "张**" in text
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


def test_an_expired_letter_is_reported_expired(db):
    _record(timezone.localdate() - timedelta(days=1))
    text = Client(HTTP_HOST=CITY_HOST).get(f"/letters/{'t' * 43}/").content.decode()
    assert 'data-testid="letter-state">已过期' in text


def test_unknown_tokens_and_county_hosts_get_404(db):
    _record(timezone.localdate())
    assert Client(HTTP_HOST=CITY_HOST).get("/letters/nope/").status_code == 404
    assert Client(HTTP_HOST=ALPHA.host).get(f"/letters/{'t' * 43}/").status_code == 404


def test_the_payload_is_sealed_and_bound_to_its_envelope(db):
    import uuid

    a, b = uuid.uuid4(), uuid.uuid4()
    token = seal(a, {"name": "张三", "id": "610802199001011234"})
    assert "张三" not in token and "610802" not in token
    assert unseal(a, token)["name"] == "张三"
    import pytest

    from zhdj.pii.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        unseal(b, token)
    assert TransferEnvelope.State.SENT == "sent"
