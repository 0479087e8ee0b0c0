"""Issue 17: each county writes only its own schema. The sending county's step of an
acceptance or a return is done by its worker on behalf of the receiving county's user:
those audit rows carry no user id of the receiving county (the sending county's audit
page would resolve it against its own users) but the county and user by name. The
receiving county's rows name its accepting user by id, as a request would. The member's
password hash never travels."""

from __future__ import annotations

import pghistory
from django.apps import apps
from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.audit.selectors import audit_rows
from tenants.orgs.models import Organization
from tenants.transfers.services.crosscounty import envelope_accept, envelope_return
from tests.tenants.transfers.helpers import send_alpha_to_beta, settle


def _beta_admin() -> User:
    with schema_context("beta"):
        return User.objects.get(username="admin")


def test_acceptance_names_the_receiving_user_in_the_sending_audit(db):
    sent = send_alpha_to_beta()
    admin = _beta_admin()
    with schema_context("alpha"):
        alpha_password = User.objects.get(pk=sent.user_id).password
    # As in a request: the middleware's context names the receiving user by id.
    with schema_context("beta"), pghistory.context(user=admin.pk, url="/transfers/inbox/x/"):
        envelope_accept(
            scope=Scope.system(),
            envelope_id=sent.envelope_id,
            org=Organization.objects.get(name__endswith="某村党支部"),
            actor=admin,
        )
    transfer = settle(sent.envelope_id)  # the workers' steps: no request context
    with schema_context("alpha"):
        event = (
            apps.get_model("members", "MemberStatusChangeEvent")
            .objects.filter(member_id=sent.member_id)
            .latest("pgh_id")
        )
        context = event.pgh_context.metadata
        assert context["user"] is None
        assert context["actor_name"] == f"横山区 {admin.full_name}"
        assert context["actor_county"] == "横山区"
        assert "url" not in context  # written by alpha's worker, not in beta's request
        shown = {row.user for row in audit_rows("status")}
        assert f"横山区 {admin.full_name}" in shown
        # No alpha user's name (the id of beta's admin may be any alpha user's id).
        alpha_names = set(User.objects.values_list("full_name", flat=True))
        assert not ({r.user for r in audit_rows("status")} & alpha_names - {"系统"})
    with schema_context("beta"):
        # The receiving county's own rows keep the receiving user's id.
        own = (
            apps.get_model("members", "MemberEvent")
            .objects.filter(pgh_obj_id=transfer.member_id)
            .latest("pgh_id")
        )
        assert own.pgh_context.metadata["user"] == admin.pk
        assert "actor_name" not in own.pgh_context.metadata
        assert transfer.member.user is None  # a new login is issued in 登录账号
        assert alpha_password not in set(User.objects.values_list("password", flat=True))


def test_a_return_names_the_receiving_user_in_the_sending_audit(db):
    sent = send_alpha_to_beta()
    admin = _beta_admin()
    with schema_context("beta"), pghistory.context(user=admin.pk):
        envelope_return(
            scope=Scope.system(), envelope_id=sent.envelope_id, actor=admin, reason="材料不全"
        )
    settle(sent.envelope_id)
    with schema_context("alpha"):
        from tenants.transfers.models import TransferAction

        action = TransferAction.objects.filter(transfer_id=sent.transfer_id).latest("pk")
        assert action.actor_id is None and action.actor_name == f"横山区 {admin.full_name}"
