"""Bulk issue by SMS from the page runs as a background job (minutes of password hashing
are no page's wait) and reports in the bell; printed slips are limited per request."""

from __future__ import annotations

from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.logins.services import PRINT_LIMIT
from tenants.logins.tasks import issue_logins_by_sms
from tenants.notifications.models import Notification
from tests.support.world import ALPHA
from tests.tenants.logins.conftest import add_members, new_branch


def test_sms_bulk_is_queued_and_reports_in_the_bell(  # type: ignore[no-untyped-def]
    alpha_admin, double, django_capture_on_commit_callbacks
) -> None:
    with schema_context(ALPHA.schema):
        branch = new_branch("短信批量党支部")
        add_members(branch, 5)
        add_members(branch, 1, prefix="无手机", phone=False, seq_base=50)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = alpha_admin.post(
            "/logins/bulk/", {"org": branch.pk, "delivery": "sms", "applicants_too": "on"}
        )
    assert response.status_code == 302 and response["Location"] == "/logins/"
    assert len(queued) == 1 and double.messages == []  # nothing issued while the page waited
    with schema_context(ALPHA.schema):
        admin = User.objects.get(username="admin")
        with django_capture_on_commit_callbacks(execute=True):
            issued = issue_logins_by_sms(admin.pk, branch.pk, True)  # what the worker runs
        note = Notification.objects.filter(recipient=admin).order_by("-pk").first()
    assert issued == 5 and len(double.messages) == 5
    assert note is not None and "已开通 5 个账号，短信已发送 5 条" in note.body
    assert "未登记手机号" in note.body


def test_slips_for_too_many_people_are_refused_with_the_way_out(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    with schema_context(ALPHA.schema):
        branch = new_branch("大党支部")
        add_members(branch, PRINT_LIMIT + 1)
    response = alpha_admin.post("/logins/bulk/", {"org": branch.pk, "delivery": "print"})
    html = response.content.decode()
    assert response.status_code == 400 and "分批打印" in html and "短信发送" in html
    with schema_context(ALPHA.schema):
        assert not User.objects.filter(full_name__startswith="批量").exists()
