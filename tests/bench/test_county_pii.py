"""bench/city/pii.py: the generator's fast personal-data path stores exactly what the
application would — tokens ``zhdj.pii.crypto.decrypt`` opens, blind indexes equal to
``index_for`` — and never reuses a nonce, also across a fork."""

from __future__ import annotations

import base64
import os

from bench.city import pii as pii_module
from bench.city.pii import CountyPII
from zhdj.pii import crypto
from zhdj.pii.fields import index_for
from zhdj.pii.idnumber import make_id_number


def _nonce(token: str) -> bytes:
    body = token.split(":", 1)[1]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))[: crypto.NONCE_BYTES]


def test_fast_path_agrees_with_the_application() -> None:
    from datetime import date

    pii = CountyPII("county_a")
    assert pii.fast
    for i in range(50):
        number = make_id_number("610802", date(1960 + i, 1 + i % 12, 1 + i % 28), i, "female")
        phone = f"139{i:08d}"
        for value in (number, phone, f"陕西省榆林市榆阳区某街道{i}号"):
            assert crypto.decrypt(pii.encrypt(value), schema="county_a") == value
        assert pii.index_id_number(number) == index_for("id_number", number, schema="county_a")
        assert pii.index_phone(phone) == index_for("phone", phone, schema="county_a")
    assert pii.index_phone("") is None
    # Another county's keys open nothing of this one's.
    other = CountyPII("county_b")
    assert other.index_id_number(number) != pii.index_id_number(number)


def test_nonces_are_never_reused_across_pool_refills_and_forks(monkeypatch) -> None:
    monkeypatch.setattr(pii_module, "NONCE_POOL", crypto.NONCE_BYTES * 16)
    pii = CountyPII("county_a")
    nonces = [_nonce(pii.encrypt("x")) for _ in range(100)]  # six refills
    assert len(set(nonces)) == len(nonces)
    # A forked child inherits the parent's pool (10 nonces left in it): it must draw its
    # own before encrypting, while the parent goes on with what is left of the inherited one.
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its nonces and leave without running any cleanup
        try:
            os.write(write, b"".join(_nonce(pii.encrypt("x")) for _ in range(10)))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    child = {data[i : i + crypto.NONCE_BYTES] for i in range(0, len(data), crypto.NONCE_BYTES)}
    parent = [_nonce(pii.encrypt("x")) for _ in range(10)]
    assert len(child) == 10
    assert not child & (set(nonces) | set(parent))


def test_exact_path_calls_the_application() -> None:
    pii = CountyPII("county_a", exact=True)
    assert not pii.fast
    token = pii.encrypt("13912345678")
    assert crypto.decrypt(token, schema="county_a") == "13912345678"
