"""The recipient picker of a notice (接收人): the active users the sender may reach
(``notice_recipients``: the whole county for its administrator, the members of the
subtrees of a post carrying notices.publish), found by name, login name, or the pinyin
keys of the member record behind the login."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.urls import reverse_lazy

from shared.accounts.models import User
from tenants.notifications.selectors import notice_recipients
from zhdj.web.forms import MultiplePickerField

LIMIT = 20

SOURCES: dict[str, Callable[[object, dict[str, str]], QuerySet[User]]] = {
    "active": lambda scope, p: notice_recipients(scope),
}


def user_results(users: QuerySet[User], text: str, *, limit: int = LIMIT) -> tuple[list, bool]:
    text = text.strip()
    if text:
        lowered = text.lower()
        q = Q(full_name__contains=text) | Q(username__istartswith=text)
        if lowered.isascii() and lowered.isalpha():
            q |= Q(member__name_initials__startswith=lowered)
            q |= Q(member__name_pinyin__startswith=lowered)
        users = users.filter(q)
    rows = list(
        users.order_by("full_name", "id").values_list("id", "full_name", "username", "role")[
            : limit + 1
        ]
    )
    roles = dict(User.Role.choices)
    results = [
        {
            "id": pk,
            "label": f"{name}（{username}）",
            "name": name,
            "detail": f"{roles.get(role, '')} · 账号 {username}",
        }
        for pk, name, username, role in rows[:limit]
    ]
    return results, len(rows) > limit


def user_labels(ids: Iterable[int]) -> list[tuple[int, str]]:
    wanted = list(ids)
    rows = {u.pk: str(u) for u in User.objects.filter(pk__in=wanted)}
    return [(i, rows[i]) for i in wanted if i in rows]


def RecipientsField(**kwargs) -> MultiplePickerField:  # type: ignore[no-untyped-def]
    """Several users chosen by typing; call ``scope_to(scope)`` in the form."""
    return MultiplePickerField(
        url=reverse_lazy("notifications:recipients"),
        sources=SOURCES,
        source="active",
        labels=user_labels,
        placeholder="输入姓名、账号或拼音首字母搜索",
        **kwargs,
    )
