"""Demo data for transfers: a couple of transfers in different states (idempotent).

Call ``seed_county()`` inside a county schema after the demo members exist.
"""

from __future__ import annotations

from datetime import date

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tenants.transfers.models import Kind, Transfer
from tenants.transfers.services import (
    LetterData,
    letter_issue,
    proof_letter_issue,
    transfer_approve,
    transfer_start,
)
from tenants.transfers.services.common import check_transferable
from zhdj.errors import ApplicationError


def seed_county() -> None:
    if Transfer.objects.exists():
        return
    admin = User.objects.filter(role=User.Role.COUNTY_ADMIN, is_active=True).first()
    if admin is None:
        return
    scope = Scope.system()  # the demo acts as the platform, in the administrator's name
    members = list(Member.objects.filter(party_status_code="normal").order_by("id")[:6])
    branches = list(Organization.objects.filter(type_code="branch", is_active=True)[:2])
    if len(members) < 4 or len(branches) < 2:
        return
    try:
        for member in members:
            check_transferable(member)
        target = branches[1] if members[0].org_id == branches[0].pk else branches[0]
        # 1. within the county, waiting for the receiving committee
        t = transfer_start(
            scope=scope,
            actor=admin,
            member=members[0],
            kind=Kind.WITHIN,
            reason="家庭住址变动",
            to_org=target,
        )
        transfer_approve(scope=scope, actor=admin, transfer=t)
        # 2. out of the city, letter issued, waiting for the receipt
        t = transfer_start(
            scope=scope,
            actor=admin,
            member=members[1],
            kind=Kind.CITY_OUT,
            reason="考入外省事业单位",
            to_name="中共西安市雁塔区委组织部",
        )
        letter_issue(
            scope=scope,
            actor=admin,
            transfer=t,
            data=LetterData(
                validity_days=30,
                sender_address="县委组织部",
                sender_phone="0912-3333333",
                sender_postcode="719000",
                dues_paid_until=date.today().replace(day=1),  # noqa: DTZ011
            ),
        )
        # 3. a member applies and waits for the branch
        transfer_start(
            scope=scope,
            actor=admin,
            member=members[2],
            kind=Kind.WITHIN,
            reason="工作调动",
            to_org=target,
        )
        # 4. a proof letter for a short stay
        proof_letter_issue(
            scope=scope,
            actor=admin,
            member=members[3],
            destination="深圳市",
            reason="外出务工",
            months=3,
        )
    except ApplicationError:
        return
