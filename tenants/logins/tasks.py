"""Bulk issue by SMS as a background job: a thousand password hashes take minutes, longer
than a page should wait. The job acts for the user who queued it (their scope, computed
here: there is no request to hand it over) and tells them the outcome in the bell."""

from __future__ import annotations

from django.db import transaction

from shared.accounts.models import User
from tenants.access.scope import scope_for
from tenants.logins.services import SMS, Outcome, imported_people, logins_issue_bulk
from tenants.notifications.services import notification_send
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.tasks import tenant_task


@tenant_task(name="tenants.logins.tasks.issue_logins_by_sms")
def issue_logins_by_sms(
    user_id: int, org_id: int | None, applicants_too: bool, member_ids: list[int] | None = None
) -> int:
    """Everyone of an organization's subtree, or (``member_ids``) the members an import
    wrote."""
    user = User.objects.get(pk=user_id)
    scope = scope_for(user)
    if member_ids is not None:
        org, people = None, imported_people(scope, member_ids)
        title = "为导入的党员批量开通账号"
    else:
        org, people = Organization.objects.get(pk=org_id), None
        title = f"批量开通账号：{org.name}"
    try:
        outcome = logins_issue_bulk(
            scope=scope, org=org, people=people, delivery=SMS, applicants_too=applicants_too
        )
    except ApplicationError as refused:
        notification_send(
            recipients=[user], title=title, body=f"未能开通：{refused.message}", sender=None
        )
        return 0
    transaction.on_commit(lambda: _report(user, title, outcome))  # after the chunks' SMS
    return len(outcome.issued)


def _report(user: User, title: str, outcome: Outcome) -> None:
    lines = [f"已开通 {len(outcome.issued)} 个账号，短信已发送 {outcome.sent} 条。"]
    if outcome.unsent:
        names = "、".join(c.name for c in outcome.unsent)
        lines.append(f"短信未能发送（请在各人的账号页重置密码并打印账号条）：{names}。")
    if outcome.no_phone:
        lines.append(f"未登记手机号、未开通：{'、'.join(outcome.no_phone)}。")
    if outcome.skipped:
        lines.append(f"已有账号、跳过 {len(outcome.skipped)} 人。")
    notification_send(recipients=[user], title=title, body="\n".join(lines), sender=None)
