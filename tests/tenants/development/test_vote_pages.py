"""Steps 15 and 23 on the pages: the secretary starts the record's vote at a 支部党员大会
from the step's page, the members vote, the secretary counts, and the step form offers
the counted ballot instead of typed figures."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.access.scope import Scope
from tenants.orglife.models import Ballot
from tenants.orglife.services import meeting_plan
from tenants.orglife.voting import ballot_cast, ballot_close
from tests.conftest import logged_in
from tests.tenants.development.path import step_input, walk, world


def test_the_step_page_starts_the_vote_and_offers_the_counted_ballot(db, alpha):
    with schema_context(alpha.schema):
        w = world()
        start = timezone.localdate() - timedelta(days=800)
        record, dates = walk(w, start=start, until=14)
        assert dates[15] < timezone.localdate()
        meeting = meeting_plan(
            scope=Scope.system(),
            org=w.village,
            type_code="assembly",
            starts_at=timezone.now() - timedelta(minutes=5),
            actor=None,
        )
    sec = logged_in(alpha.host, "branchsec")
    page = sec.get(f"/development/records/{record.pk}/steps/15/")
    assert "发起表决" in page.content.decode()
    assert "应到会有表决权的正式党员" not in page.content.decode()  # no typed figures
    bad = sec.post(f"/development/records/{record.pk}/steps/15/vote/", {"mode": "phone"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    started = sec.post(
        f"/development/records/{record.pk}/steps/15/vote/",
        {"meeting": meeting.pk, "secret": "on", "mode": "phone"},
    )
    assert started.status_code == 302
    with schema_context(alpha.schema):
        ballot = Ballot.objects.get(subject_key=f"development:{record.pk}:15")
        assert ballot.secret and ballot.kind == "admission" and ballot.expected == 3
        for member_id in ballot.voters.values_list("member_id", flat=True):
            ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
        ballot_close(scope=Scope.system(), ballot=ballot, actor=None)
        assert step_input(w, 15, dates[15], dates).ballot_id is None
    form = sec.get(f"/development/records/{record.pk}/steps/15/").content.decode()
    assert f'<option value="{ballot.pk}">' in form and "应到 3" in form
