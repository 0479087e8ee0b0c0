"""Order, documents, people, votes, approval authority and outcomes (domain-rules §1):
refusals change nothing and name the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tenants.access.scope import Scope, scope_for
from tenants.development.models import DevelopmentRecord, Status, StepDocument, StepEntry
from tenants.development.services import Upload, step_record, step_review
from tenants.development.steps import add_months
from tenants.members.models import Member
from tenants.orglife.history import meeting_on_record
from tenants.orglife.models import Ballot
from tenants.orglife.voting import ballot_close, ballot_open, development_key
from tenants.orgs.models import Organization
from tenants.orgs.services import org_create
from tests.tenants.development.path import (
    JPEG,
    PNG,
    applied,
    do_step,
    passed_vote,
    pdf,
    step_input,
    uploads,
    walk,
)
from zhdj.errors import ApplicationError


def start() -> date:
    return add_months(timezone.localdate(), -36)


def _count() -> tuple[int, int, int]:
    return (
        DevelopmentRecord.objects.count(),
        StepEntry.objects.count(),
        StepDocument.objects.count(),
    )


def _refused(field: str, match: str, call):  # type: ignore[no-untyped-def]
    before = _count()
    with pytest.raises(ApplicationError, match=match) as exc:
        call()
    assert exc.value.field == field
    assert _count() == before


def test_a_step_before_its_prerequisites_is_refused(w):
    record, dates = walk(w, start=start(), until=2)
    _refused("step", "请先完成第 3 步", lambda: do_step(w, record, 5, dates[5], dates))


def test_a_step_done_twice_is_refused_but_cultivation_repeats(w):
    record, dates = walk(w, start=start(), until=6)
    _refused("step", "已完成", lambda: do_step(w, record, 5, dates[5], dates))
    again = do_step(w, record, 6, dates[6] + timedelta(days=100), dates)
    assert again.state == "done"


def test_missing_documents_are_refused(w):
    record, dates = walk(w, start=start(), until=1)
    data = step_input(w, 2, dates[2], dates)
    data.uploads = []
    _refused(
        "doc:谈话记录",
        "缺少材料：谈话记录",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=2, data=data, actor=w.branchsec
        ),
    )


def test_a_document_of_the_wrong_type_is_refused_by_its_content(w):
    record, dates = walk(w, start=start(), until=1)
    data = step_input(w, 2, dates[2], dates)
    fake = SimpleUploadedFile(
        "谈话记录.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    data.uploads = [Upload("谈话记录", fake)]
    _refused(
        "doc:谈话记录",
        "不是 PDF、JPEG 或 PNG",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=2, data=data, actor=w.branchsec
        ),
    )


def test_images_are_accepted_and_stored_under_the_county_schema(w, alpha):
    record, dates = walk(w, start=start(), until=1)
    data = step_input(w, 2, dates[2], dates)
    data.uploads = [
        Upload("谈话记录", SimpleUploadedFile("a.png", PNG)),
        Upload("谈话记录", SimpleUploadedFile("b.jpg", JPEG)),
    ]
    entry = step_record(scope=w.branch_scope, record=record, number=2, data=data, actor=w.branchsec)
    docs = list(entry.documents.order_by("id"))
    assert [d.content_type for d in docs] == ["image/png", "image/jpeg"]
    assert all(f"{alpha.schema}/development/" in d.file.path for d in docs)
    with docs[0].file.open("rb") as f:
        assert f.read() == PNG


def test_a_non_member_introducer_is_refused(w):
    record, dates = walk(w, start=start(), until=8)
    data = step_input(w, 9, dates[9], dates)
    data.people = [w.contacts[0], 999999]
    _refused(
        "people",
        "不是本区县的党员",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=9, data=data, actor=w.branchsec
        ),
    )


def test_a_suspended_member_cannot_introduce_and_one_introducer_is_not_enough(w):
    record, dates = walk(w, start=start(), until=8)
    Member.objects.filter(pk=w.contacts[1]).update(party_status_code="suspended")
    data = step_input(w, 9, dates[9], dates)
    _refused(
        "people",
        "党籍状态不正常",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=9, data=data, actor=w.branchsec
        ),
    )
    data.people = w.contacts[:1]
    _refused(
        "people",
        "2 名入党介绍人",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=9, data=data, actor=w.branchsec
        ),
    )


def test_step_15_takes_its_figures_from_a_passed_ballot_never_typed(w):
    record, dates = walk(w, start=start(), until=14)
    data = step_input(w, 15, dates[15], dates)

    def call():  # type: ignore[no-untyped-def]
        return step_record(
            scope=w.branch_scope, record=record, number=15, data=data, actor=w.branchsec
        )

    _refused("ballot", "发起表决", call)  # no ballot at all
    other, _ = walk(w, start=start(), until=14, seq=77)
    data.ballot_id = passed_vote(w, other, 15, dates[15])
    _refused("ballot", "发起表决", call)  # another person's ballot
    data.ballot_id = passed_vote(w, record, 15, dates[15] - timedelta(days=1))
    _refused("done_on", "召开支部党员大会的日期", call)
    data.ballot_id = passed_vote(w, record, 15, dates[15])
    entry = call()
    ballot = Ballot.objects.get(pk=data.ballot_id)
    assert entry.vote.ballot_id == ballot.pk
    assert (entry.vote.expected, entry.vote.present, entry.vote.yes) == (
        ballot.expected,
        ballot.present,
        ballot.yes,
    )


def test_step_15_refused_when_the_ballot_failed(w):
    record, dates = walk(w, start=start(), until=14)
    meeting = meeting_on_record(w.village, dates[15])
    ballot = ballot_open(
        scope=Scope.system(),
        meeting=meeting,
        kind="admission",
        subject="接收",
        subject_key=development_key(record.pk, 15),
        actor=None,
    )
    ballot = ballot_close(scope=Scope.system(), ballot=ballot, actor=None)  # nobody voted yes
    data = step_input(w, 15, dates[15], dates)
    data.ballot_id = ballot.pk
    _refused(
        "ballot",
        "赞成票（0 票）未超过",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=15, data=data, actor=w.branchsec
        ),
    )


def test_a_general_branch_cannot_approve(w):
    general = org_create(
        scope=Scope.system(),
        parent=Organization.objects.get(pk=w.town.pk),
        name="某镇机关党总支",
        type_code="general_branch",
    )
    branch = org_create(
        scope=Scope.system(),
        parent=Organization.objects.get(pk=general.pk),
        name="某镇机关第一党支部",
        type_code="branch",
    )
    w.village = Organization.objects.get(pk=branch.pk)
    w.branchsec = w.admin  # the new branch has no secretary yet
    Member.objects.filter(name="赵其他").update(org=branch)  # a full member to vote at step 15
    record, dates = walk(w, start=start(), until=16)
    record.refresh_from_db()
    data = step_input(w, 17, dates[17], dates)
    entry = step_record(
        scope=scope_for(w.admin), record=record, number=17, data=data, actor=w.admin
    )
    assert entry.state == "pending"

    def approve():  # type: ignore[no-untyped-def]
        return step_review(
            scope=scope_for(w.admin),
            entry=entry,
            approve=True,
            actor=w.admin,
            decided_on=dates[17],
            committee=Organization.objects.get(pk=general.pk),
        )

    _refused("committee", "党总支", approve)
    assert Member.objects.filter(name="陈发展").count() == 0


def test_a_branch_secretary_cannot_pass_the_committees_review(w):
    record, dates = walk(w, start=start(), until=3)
    entry = step_record(
        scope=w.branch_scope,
        record=record,
        number=4,
        data=step_input(w, 4, dates[4], dates),
        actor=w.branchsec,
    )
    _refused(
        "committee",
        "无权",
        lambda: step_review(scope=w.branch_scope, entry=entry, approve=True, actor=w.branchsec),
    )


def test_returned_submission_needs_a_reason_and_can_be_resubmitted(w):
    record, dates = walk(w, start=start(), until=3)
    entry = step_record(
        scope=w.branch_scope,
        record=record,
        number=4,
        data=step_input(w, 4, dates[4], dates),
        actor=w.branchsec,
    )
    with pytest.raises(ApplicationError) as exc:
        step_review(scope=w.town_scope, entry=entry, approve=False, actor=w.townsec, reason=" ")
    assert exc.value.field == "reason"
    returned = step_review(
        scope=w.town_scope,
        entry=entry,
        approve=False,
        actor=w.townsec,
        reason="备案报告缺少支委会意见",
    )
    assert returned.state == "returned"
    again = do_step(w, record, 4, dates[4], dates)
    assert again.state == "done"


def test_approval_makes_a_probationary_member_paying_from_the_meeting(w):
    record, dates = walk(w, start=start(), until=17)
    member = Member.objects.get(pk=record.member_id)
    assert member.category_code == "probationary"
    assert member.joined_at == dates[15]
    assert member.full_member_at is None
    assert record.probation_end == add_months(dates[15], 12)
    assert record.status == Status.PROBATIONARY


def test_extended_probation_then_full_membership(w):
    record, dates = walk(w, start=add_months(timezone.localdate(), -44), until=22)
    end = record.probation_end
    do_step(w, record, 23, end, dates, outcome="extend", extension_months=6)
    do_step(w, record, 24, end + timedelta(days=10), dates)
    record.refresh_from_db()
    assert record.probation_end == add_months(end, 6)
    assert record.status == Status.PROBATIONARY
    new_end = record.probation_end
    do_step(w, record, 22, new_end - timedelta(days=5), dates)
    do_step(w, record, 23, new_end, dates)
    do_step(w, record, 24, new_end + timedelta(days=3), dates)
    record.refresh_from_db()
    assert record.status == Status.FULL
    assert Member.objects.get(pk=record.member_id).full_member_at == new_end


@pytest.mark.parametrize("months", [5, 13])
def test_extension_outside_six_to_twelve_months_is_refused(w, months):
    record, dates = walk(w, start=start(), until=22)
    _refused(
        "extension_months",
        "不能少于 6 个月",
        lambda: do_step(
            w, record, 23, record.probation_end, dates, outcome="extend", extension_months=months
        ),
    )


def test_cancelled_probation_takes_the_member_off_the_roll(w):
    record, dates = walk(w, start=start(), until=22)
    do_step(w, record, 23, record.probation_end, dates, outcome="cancel")
    do_step(w, record, 24, record.probation_end + timedelta(days=2), dates)
    record.refresh_from_db()
    assert record.status == Status.CANCELLED
    assert Member.objects.get(pk=record.member_id).party_status_code == "left"
    _refused(
        "step",
        "转为正式党员后才能归档",
        lambda: do_step(w, record, 25, timezone.localdate(), dates),
    )


def test_a_person_already_on_file_or_a_member_is_refused(w):
    applied(w, timezone.localdate())
    _refused("id_number", "已有发展党员纪实档案", lambda: applied(w, timezone.localdate()))


def test_branch_secretary_cannot_touch_another_branch(w):
    other = Organization.objects.get(name__endswith="另一村党支部")
    w.village = other
    _refused("org", "无权", lambda: applied(w, timezone.localdate()))


def test_future_date_is_refused(w):
    record, dates = walk(w, start=start(), until=1)
    _refused(
        "done_on",
        "不能晚于今天",
        lambda: do_step(w, record, 2, timezone.localdate() + timedelta(days=1), dates),
    )


def test_uploads_of_a_step_are_all_checked_before_any_is_written(w):
    record, dates = walk(w, start=start(), until=2)
    data = step_input(w, 3, add_months(dates[1], 3) + timedelta(days=1), dates)
    data.uploads = [
        Upload("推荐材料", pdf()),
        Upload("会议记录", SimpleUploadedFile("x.pdf", b"oops")),
    ]
    _refused(
        "doc:会议记录",
        "不是 PDF",
        lambda: step_record(
            scope=w.branch_scope, record=record, number=3, data=data, actor=w.branchsec
        ),
    )
    data.uploads = uploads(3)
    assert step_record(scope=w.branch_scope, record=record, number=3, data=data, actor=w.branchsec)
