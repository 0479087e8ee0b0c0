"""The read-only admin of transfers, and the demo data (idempotent)."""

from __future__ import annotations

from django.contrib import admin
from django.test import RequestFactory
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.customers.models import Tenant
from shared.interchange.models import TransferEnvelope
from tenants.transfers.demo import seed_county
from tenants.transfers.models import (
    Letter,
    ProofLetter,
    Retention,
    State,
    Transfer,
    TransferAction,
)
from zhdj.pii.masking import mask_id_number


def _request(schema: str):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/", HTTP_HOST=f"{schema}.localhost")
    request.tenant = Tenant.objects.get(schema_name=schema)
    # A power user of the admin (test data; accounts refuse superusers in a county).
    request.user, _ = User.objects.get_or_create(
        username="root", defaults={"is_staff": True, "is_superuser": True}
    )
    return request


def test_the_demo_seeds_once_and_runs_twice_without_error(db, alpha):
    with schema_context(alpha.schema):
        seed_county()
        counts = (Transfer.objects.count(), Letter.objects.count(), ProofLetter.objects.count())
        assert counts[0] >= 3 and counts[1] == 1 and counts[2] == 1
        assert Transfer.objects.filter(state=State.AWAITING_RECEIPT).count() == 1
        seed_county()
        assert (
            Transfer.objects.count(),
            Letter.objects.count(),
            ProofLetter.objects.count(),
        ) == counts


def test_the_admin_is_read_only_and_masks_letters(db, alpha):
    with schema_context(alpha.schema):
        seed_county()
        request = _request(alpha.schema)
        for model in (Transfer, TransferAction, Letter, ProofLetter, Retention):
            model_admin = admin.site._registry[model]
            assert model_admin.has_view_permission(request)
            assert not model_admin.has_add_permission(request)
            assert not model_admin.has_change_permission(request)
            assert not model_admin.has_delete_permission(request)
            response = model_admin.changelist_view(request)
            response.render()
            assert response.status_code == 200
        letter = Letter.objects.get()
        response = admin.site._registry[Letter].change_view(request, str(letter.pk))
        html = response.render().content.decode()
        assert letter.id_number not in html and mask_id_number(letter.id_number) in html
        assert letter.token not in html


def test_interchange_admin_is_public_only(db, alpha):
    envelope_admin = admin.site._registry[TransferEnvelope]
    with schema_context(alpha.schema):
        assert not envelope_admin.has_view_permission(_request(alpha.schema))
    public = RequestFactory().get("/admin/")
    public.user = User(username="ops", is_staff=True, is_superuser=True, is_active=True)
    assert envelope_admin.has_view_permission(public)
    assert not envelope_admin.has_change_permission(public)
