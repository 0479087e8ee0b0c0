"""民主评议党员 (domain-rules §4): self-assessment, anonymous peer review (a second one
refused), the committee's grades with 优秀 at most a third, the vote through the one engine,
and the decision with the handling of 不合格, kept per member and year."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.access.scope import Scope
from tenants.notifications.models import Notification
from tenants.orglife.appraisal import (
    appraisal_decide,
    appraisal_start,
    appraisal_vote_open,
    grades_propose,
    peer_review,
    results_of,
    self_assess,
)
from tenants.orglife.history import meeting_on_record
from tenants.orglife.models import AppraisalEntry, AppraisalRater, AppraisalTally
from tenants.orglife.voting import ballot_cast, ballot_close
from zhdj.errors import AccessDenied, ApplicationError

YEAR = timezone.localdate().year


def _ids(b):  # type: ignore[no-untyped-def]
    return [b.member_id("王书记"), b.member_id("李支书"), b.member_id("党员")]


def test_a_years_appraisal_from_self_assessment_to_decision(b):
    appraisal = appraisal_start(scope=b.sec_scope, org=b.village, year=YEAR, actor=b.secretary)
    wang, li, me = _ids(b)
    assert appraisal.entries.count() == 3
    assert Notification.objects.filter(title__contains="民主评议党员", recipient=b.member).exists()
    with pytest.raises(ApplicationError, match="已开展"):
        appraisal_start(scope=b.sec_scope, org=b.village, year=YEAR, actor=None)
    self_assess(appraisal=appraisal, member_id=me, text="认真履行党员义务。")
    with pytest.raises(AccessDenied):
        self_assess(appraisal=appraisal, member_id=b.member_id("赵其他"), text="x")
    peer_review(appraisal=appraisal, member_id=me, grades={wang: "excellent", li: "qualified"})
    with pytest.raises(ApplicationError, match="已经参加过互评"):
        peer_review(appraisal=appraisal, member_id=me, grades={wang: "basic", li: "basic"})
    with pytest.raises(ApplicationError, match="每位党员"):
        peer_review(appraisal=appraisal, member_id=li, grades={wang: "excellent"})
    peer_review(appraisal=appraisal, member_id=li, grades={wang: "excellent", me: "qualified"})
    tally = AppraisalTally.objects.get(entry__member_id=wang)
    assert (tally.excellent, tally.qualified) == (2, 0)
    assert [f.name for f in AppraisalRater._meta.fields] == ["id", "appraisal", "member"]

    with pytest.raises(ApplicationError, match="最多 1 名"):
        grades_propose(
            scope=b.sec_scope,
            appraisal=appraisal,
            proposed={wang: "excellent", li: "excellent", me: "qualified"},
        )
    with pytest.raises(AccessDenied):
        grades_propose(scope=b.member_scope, appraisal=appraisal, proposed={})
    grades_propose(
        scope=b.sec_scope,
        appraisal=appraisal,
        proposed={wang: "excellent", li: "qualified", me: "unqualified"},
    )
    with pytest.raises(ApplicationError, match="尚未提交"):
        appraisal_decide(scope=b.sec_scope, appraisal=appraisal, handling={}, actor=None)
    meeting = meeting_on_record(b.village, timezone.localdate() - timedelta(days=1))
    ballot = appraisal_vote_open(
        scope=b.sec_scope, appraisal=appraisal, meeting=meeting, actor=b.secretary
    )
    assert ballot.kind == "appraisal" and ballot.expected == 3
    for member_id in (wang, li, me):
        ballot_cast(ballot=ballot, member_id=member_id, choice="yes")
    ballot_close(scope=b.sec_scope, ballot=ballot, actor=None)
    with pytest.raises(ApplicationError, match="组织处置"):
        appraisal_decide(scope=b.sec_scope, appraisal=appraisal, handling={}, actor=None)
    appraisal_decide(
        scope=b.sec_scope,
        appraisal=appraisal,
        handling={me: ("correct", "三个月内改正")},
        actor=b.secretary,
    )
    result = results_of(me).get()
    assert (result.appraisal.year, result.grade, result.handling) == (
        YEAR,
        "unqualified",
        "correct",
    )
    assert AppraisalEntry.objects.get(member_id=wang).grade == "excellent"


def test_a_failed_vote_sends_the_grades_back(b):
    appraisal = appraisal_start(scope=Scope.system(), org=b.village, year=YEAR - 1, actor=None)
    wang, li, me = _ids(b)
    grades_propose(
        scope=b.sec_scope,
        appraisal=appraisal,
        proposed={wang: "qualified", li: "qualified", me: "qualified"},
    )
    meeting = meeting_on_record(b.village, timezone.localdate() - timedelta(days=1), absent=2)
    ballot = appraisal_vote_open(
        scope=b.sec_scope, appraisal=appraisal, meeting=meeting, actor=None
    )
    ballot_close(scope=b.sec_scope, ballot=ballot, actor=None)
    with pytest.raises(ApplicationError, match="重新提出"):
        appraisal_decide(scope=b.sec_scope, appraisal=appraisal, handling={}, actor=None)
