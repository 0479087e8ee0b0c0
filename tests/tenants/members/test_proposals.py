from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.members.models import EditProposal, Member
from tenants.notifications.models import Notification
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_member_proposes_branch_approves_and_record_changes(alpha):
    member_client = logged_in(alpha.host, "member")
    response = member_client.post(
        "/members/me/propose/",
        {
            "phone": "13700001234",
            "job_title": "村文书",
            "note": "换了手机号",
            "landline": "",
            "address": "",
            "education_code": "21",
            "occupation_code": "",
        },
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        member = Member.objects.get(user__username="member")
        assert member.phone != "13700001234"  # nothing changes before review
        proposal = EditProposal.objects.get(member=member, status="pending")
        assert Notification.objects.filter(
            recipient__username="branchsec", title__contains="信息修改申请"
        ).exists()
    branchsec = logged_in(alpha.host, "branchsec")
    queue = branchsec.get("/members/proposals/").content.decode()
    assert "137******34" in queue and "13700001234" not in queue
    assert branchsec.post(f"/members/proposals/{proposal.pk}/approve/").status_code == 302
    with schema_context(alpha.schema):
        member.refresh_from_db()
        assert (member.phone, member.job_title) == ("13700001234", "村文书")
        assert Notification.objects.filter(
            recipient__username="member", title__contains="已通过"
        ).exists()


def test_returned_proposal_changes_nothing_and_needs_a_reason(alpha):
    member_client = logged_in(alpha.host, "member")
    member_client.post("/members/me/propose/", {"job_title": "会计", "education_code": "21"})
    with schema_context(alpha.schema):
        proposal = EditProposal.objects.get(status="pending")
    branchsec = logged_in(alpha.host, "branchsec")
    branchsec.post(f"/members/proposals/{proposal.pk}/return/", {"reason": ""})
    with schema_context(alpha.schema):
        assert EditProposal.objects.get(pk=proposal.pk).status == "pending"
    branchsec.post(f"/members/proposals/{proposal.pk}/return/", {"reason": "请附证明材料"})
    with schema_context(alpha.schema):
        proposal.refresh_from_db()
        assert proposal.status == "returned" and proposal.return_reason == "请附证明材料"
        assert Member.objects.get(user__username="member").job_title != "会计"


def test_members_may_only_propose_contact_and_work_fields(alpha):
    from tenants.members.proposals import proposal_submit
    from zhdj.errors import ApplicationError

    with schema_context(alpha.schema):
        user = User.objects.get(username="member")
        with pytest.raises(ApplicationError, match="只能申请修改"):
            proposal_submit(user=user, changes={"name": "改名"})
        with pytest.raises(ApplicationError, match="11 位"):
            proposal_submit(user=user, changes={"phone": "123"})
        with pytest.raises(ApplicationError, match="没有需要修改"):
            proposal_submit(user=user, changes={})


def test_only_reviewers_of_the_branch_decide(alpha):
    logged_in(alpha.host, "member").post("/members/me/propose/", {"job_title": "出纳"})
    with schema_context(alpha.schema):
        proposal = EditProposal.objects.get(status="pending")
    other = logged_in(alpha.host, "member")
    # A plain member's posts carry no members.edit: the review pages refuse (403).
    assert other.get("/members/proposals/").status_code == 403
    assert other.post(f"/members/proposals/{proposal.pk}/approve/").status_code == 403
