"""Reminders are sent once per (kind, target, period), even when Celery delivers the task
twice (acks late) or it is run again the same day (issue 17, Failure)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.access.scope import Scope
from tenants.notifications.models import Notification, ReminderSent
from tenants.notifications.services import reminder_claim

pytestmark = pytest.mark.django_db


def test_a_claim_is_granted_once(alpha):
    with schema_context(alpha.schema):
        assert reminder_claim("test.kind", 7, "2026-12") is True
        assert reminder_claim("test.kind", 7, "2026-12") is False
        assert reminder_claim("test.kind", 7, "2027-01") is True
        assert reminder_claim("test.kind", 8, "2026-12") is True
        assert ReminderSent.objects.filter(kind="test.kind").count() == 3


def test_term_expiry_reminders_survive_a_second_delivery(alpha):
    from tenants.orgs.models import Organization
    from tenants.orgs.tasks import remind_term_expiry

    with schema_context(alpha.schema):
        org = Organization.objects.filter(is_active=True).order_by("pk").first()
        Organization.objects.filter(pk=org.pk).update(
            term_ends_at=timezone.localdate() + timedelta(days=30)
        )
        first = remind_term_expiry.run()
        count = Notification.objects.count()
        assert first >= 1
        assert remind_term_expiry.run() == 0  # the redelivery
        assert Notification.objects.count() == count


def test_monthly_dues_reminders_survive_a_second_delivery(alpha):
    from tenants.dues import billing, reminders
    from tenants.members.models import Member
    from tests.tenants.dues.conftest import with_base

    with schema_context(alpha.schema):
        today = timezone.localdate()
        # A member with a login and a base owes this month's dues.
        with_base(Scope.system(), Member.objects.get(user__username="member"))
        billing.bills_generate(scope=Scope.system(), month=today)
        first = reminders.remind_unpaid(scope=Scope.system(), today=today, once=f"{today:%Y-%m}")
        assert first > 0  # somebody owed this month: the redelivery below proves something
        count = Notification.objects.count()
        again = reminders.remind_unpaid(scope=Scope.system(), today=today, once=f"{today:%Y-%m}")
        assert again == 0 and Notification.objects.count() == count
        # The manual reminder (a person pressing 催缴) is not limited.
        assert reminders.remind_unpaid(scope=Scope.system(), today=today) == first


def test_bills_are_generated_daily_and_only_what_is_missing(alpha):
    from tenants.dues import billing
    from zhdj.celery import app

    schedule = app.conf.beat_schedule["dues-bill-month"]["schedule"]
    assert schedule.day_of_month == set(range(1, 32))  # every day, not the 1st only
    with schema_context(alpha.schema):
        today = timezone.localdate()
        billing.bills_generate(scope=Scope.system(), month=today)
        assert billing.bills_generate(scope=Scope.system(), month=today).created == 0
