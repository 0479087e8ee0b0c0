"""The step form's contacts and introducers (培养联系人、入党介绍人) are chosen with the
member picker: full members in good standing within the user's scope, posted by id."""

from __future__ import annotations

from datetime import date

from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.standards.models import DevelopmentStep
from tenants.access.scope import scope_for
from tenants.development.forms import StepForm
from tenants.members.models import Member


def test_people_are_picked_within_the_scope(db, alpha):  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        step = DevelopmentStep.objects.get(number=5)
        scope = scope_for(User.objects.get(username="branchsec"))
        own = Member.objects.get(name="王书记").pk
        stranger = Member.objects.get(name="赵其他").pk  # another branch
        data = {"done_on": date(2026, 1, 5).isoformat(), "people": [str(own)]}
        form = StepForm(data, step=step, scope=scope)
        assert form.is_valid(), form.errors
        assert form.to_input(files=_NoFiles()).people == [own]
        refused = StepForm({**data, "people": [str(own), str(stranger)]}, step=step, scope=scope)
        assert not refused.is_valid() and "people" in refused.errors
        html = str(StepForm(step=step, scope=scope, initial={"people": [own]})["people"])
    assert "multiple" in html and "王书记（榆阳区某村党支部）" in html
    assert "/members/options/?source=full" in html


class _NoFiles:
    def getlist(self, name: str) -> list:
        return []
