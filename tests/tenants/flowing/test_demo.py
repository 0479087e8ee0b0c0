"""The demo's flowing members come through the services: every direction, the cards, a
group, a member flowing into the other county, a 失联 member past 停止党籍 time, and the
demo member away with the card; seeding again adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.utils import timezone

from shared.accounts.models import User
from shared.interchange.models import FlowNotice
from shared.rollups.registry import collection
from tenants.access.scope import Scope, scope_for
from tenants.flowing import selectors
from tenants.flowing.demo import seed_county
from tenants.flowing.metrics import overdue_reports
from tenants.flowing.models import ContactLog, FlowingGroup, Outflow, OutflowState
from tenants.members.models import Member
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from zhdj.pii.idnumber import make_id_number

pytestmark = pytest.mark.django_db


def _more_members(b, n: int) -> None:  # type: ignore[no-untyped-def]
    scope = scope_for(User.objects.get(username="admin"))
    for i in range(n):
        member_create(
            scope=scope,
            data=MemberData(
                org=b.other,
                name=f"流动{'甲乙丙丁戊己庚辛'[i]}",
                id_number=make_id_number("610802", date(1985 + i, 3, 1), 200 + i, "male"),
                ethnicity_code="01",
                category_code="full",
                joined_at=date(2010, 7, 1),
                full_member_at=date(2011, 7, 1),
                education_code="21",
                phone=f"1370000{i:04d}",
            ),
        )


def test_demo_seeds_flowing_members_through_the_services(b, beta):  # type: ignore[no-untyped-def]
    _more_members(b, 8)
    seed_county()
    seed_county()  # idempotent
    active = Outflow.objects.filter(state=OutflowState.ACTIVE)
    directions = Counter(active.values_list("direction", flat=True))
    assert directions == {"out_of_province": 5, "in_province": 1, "abroad": 1, "within_city": 1}
    assert active.exclude(card_serial="").count() == 7  # all but the one abroad
    group = FlowingGroup.objects.get()
    assert group.outflows.count() == 3 and group.leader is not None
    notice = FlowNotice.objects.get()
    assert notice.target_schema == beta.schema and notice.dues_at_destination
    me = Member.objects.get(user=b.member)
    mine = active.get(member=me)
    assert mine.card_serial and mine.destination == "江苏省"
    assert ContactLog.objects.filter(member=me, kind=ContactLog.Kind.REPORT).exists()
    today = timezone.localdate()
    due = [d for d in selectors.deadlines(Scope.system(), today) if "应停止党籍" in d.what]
    assert len(due) == 1 and due[0].overdue(today) and due[0].steps == 2
    with collection():
        assert dict(overdue_reports()) == {"": 1}
