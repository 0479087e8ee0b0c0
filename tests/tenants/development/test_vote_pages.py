"""Steps 15 and 23 on the pages: the secretary starts the record's vote at a 支部党员大会
from the step's page, the members vote, the secretary counts, and the step form offers
the counted ballot instead of typed figures."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.access.scope import Scope
from tenants.orglife.models import Ballot
from tenants.orglife.services import attendance_mark, meeting_plan
from tenants.orglife.voting import ballot_cast, ballot_close
from tests.conftest import logged_in
from tests.tenants.development.path import walk, world


def _offered_ballots(page: str) -> list[int]:
    """The ballots the step form's select offers (not the vote form's meetings)."""
    select = re.search(r'<select name="ballot".*?</select>', page, re.DOTALL)
    assert select is not None, "the step form has no ballot select"
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))]


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
        voters = set(ballot.voters.values_list("member_id", flat=True))
        attendance_mark(scope=Scope.system(), meeting=meeting, present_ids=voters, actor=None)
        for member_id in voters:
            ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
    still_open = sec.get(f"/development/records/{record.pk}/steps/15/").content.decode()
    assert _offered_ballots(still_open) == []  # voted on but not counted: not offered yet
    with schema_context(alpha.schema):
        ballot = ballot_close(scope=Scope.system(), ballot=ballot, actor=None)
        assert (ballot.present, ballot.yes, ballot.passed) == (3, 3, True)
    form = sec.get(f"/development/records/{record.pk}/steps/15/").content.decode()
    assert _offered_ballots(form) == [ballot.pk] and "应到 3、实到 3、赞成 3（通过）" in form
