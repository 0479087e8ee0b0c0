"""Member pickers (党员选择器): which members a form may choose, and the search behind
the type-to-search box (``zhdj.web.forms.SearchSelect``).

A county has tens of thousands of members: a form never lists them. The search is the
member list's (``selectors.member_search``: the indexed pinyin and initials prefixes,
exact ID number or mobile through the blind indexes), always within the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.urls import reverse_lazy

from tenants.access.scope import Scope
from tenants.members.models import Member
from tenants.members.selectors import member_search
from tenants.orgs.pickers import org_label_map
from zhdj.web.forms import MultiplePickerField, PickerField

Source = Callable[[Scope, dict[str, str]], QuerySet[Member]]

SOURCES: dict[str, Source] = {
    # Everyone in the user's scope (and the user's own record).
    "scope": lambda scope, p: Member.objects.visible_to(scope),
    # Members in good standing (党籍正常): who may transfer or get a letter.
    "normal": lambda scope, p: Member.objects.visible_to(scope).filter(party_status_code="normal"),
    # Full members in good standing and in contact: contacts and introducers (联系人、介绍人).
    "full": lambda scope, p: Member.objects.visible_to(scope).filter(
        category_code="full", party_status_code="normal", lost_contact=False
    ),
}


def member_results(members: QuerySet[Member], text: str) -> tuple[list[dict], bool]:
    rows, more = member_search(members, text)
    orgs = org_label_map({org_id for _, _, org_id in rows})
    results = [
        {
            "id": pk,
            "label": _label(name, orgs.get(org_id, "")),
            "name": name,
            "detail": orgs.get(org_id, ""),
        }
        for pk, name, org_id in rows
    ]
    return results, more


def _label(name: str, org_label: str) -> str:
    branch = org_label.rsplit(" › ", 1)[-1]
    return f"{name}（{branch}）" if branch else name


def member_labels(ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, 姓名（党支部）) of the given members, in the given order."""
    wanted = list(ids)
    rows = {
        pk: (name, org_name)
        for pk, name, org_name in Member.objects.filter(pk__in=wanted).values_list(
            "id", "name", "org__name"
        )
    }
    return [(i, f"{rows[i][0]}（{rows[i][1]}）") for i in wanted if i in rows]


PLACEHOLDER = "输入姓名、拼音首字母、身份证号或手机号"


def MemberPickerField(*, source: str = "scope", **kwargs) -> PickerField:  # type: ignore[no-untyped-def]
    """A form field choosing a member by typing; call ``scope_to(scope)`` in the form's
    ``__init__``."""
    kwargs.setdefault("placeholder", PLACEHOLDER)
    return PickerField(
        url=reverse_lazy("members:options"),
        sources=SOURCES,
        source=source,
        labels=member_labels,
        **kwargs,
    )


def MembersPickerField(*, source: str = "scope", **kwargs) -> MultiplePickerField:  # type: ignore[no-untyped-def]
    """The same, choosing several members."""
    kwargs.setdefault("placeholder", PLACEHOLDER)
    return MultiplePickerField(
        url=reverse_lazy("members:options"),
        sources=SOURCES,
        source=source,
        labels=member_labels,
        **kwargs,
    )
