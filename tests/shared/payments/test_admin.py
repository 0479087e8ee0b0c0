"""The payment-order registry's admin: a county site lists its own orders only, the city
site lists all of them to an operator (运维) and nothing to anyone else (issue 17)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.customers.models import Tenant
from shared.payments.models import PaymentOrder


@pytest.fixture
def orders(db):  # type: ignore[no-untyped-def]
    made = {}
    for schema in ("alpha", "beta"):
        made[schema] = PaymentOrder.objects.create(
            order_no=f"ZH{schema.upper()}0001", schema_name=schema, channel="alipay", amount_fen=100
        )
    return made


def _county_request(schema: str, path: str = "/admin/"):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(path, HTTP_HOST=f"{schema}.localhost")
    request.tenant = Tenant.objects.get(schema_name=schema)
    request.user, _ = User.objects.get_or_create(
        username="root", defaults={"is_staff": True, "is_superuser": True}
    )
    return request


def _city_request(role: str):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.tenant = None
    request.user = User(username=role, role=role, is_staff=True, is_superuser=True, is_active=True)
    return request


def _listed(request) -> set[str]:  # type: ignore[no-untyped-def]
    model_admin = admin.site._registry[PaymentOrder]
    response = model_admin.changelist_view(request)
    response.render()
    assert response.status_code == 200
    return set(response.context_data["cl"].queryset.values_list("order_no", flat=True))


@pytest.mark.parametrize(("schema", "other"), [("alpha", "beta"), ("beta", "alpha")])
def test_a_county_site_lists_its_own_orders_only(orders, schema, other):
    with schema_context(schema):
        request = _county_request(schema)
        assert _listed(request) == {orders[schema].order_no}
        model_admin = admin.site._registry[PaymentOrder]
        assert model_admin.has_view_permission(request, orders[schema])
        assert not model_admin.has_view_permission(request, orders[other])
        # The other county's order by its id: not found.
        assert model_admin.get_object(request, str(orders[other].pk)) is None
        assert model_admin.get_object(request, str(orders[schema].pk)) == orders[schema]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, orders[schema])
        assert not model_admin.has_delete_permission(request, orders[schema])


def test_the_city_site_lists_every_order_to_operators_only(orders):
    ops = _city_request(User.Role.OPS)
    assert {orders["alpha"].order_no, orders["beta"].order_no} <= _listed(ops)
    model_admin = admin.site._registry[PaymentOrder]
    for role in (User.Role.CITY, User.Role.SECURITY_ADMIN, User.Role.AUDITOR):
        request = _city_request(role)
        assert not model_admin.has_module_permission(request)
        assert not model_admin.has_view_permission(request)
        assert not model_admin.get_queryset(request).exists()
