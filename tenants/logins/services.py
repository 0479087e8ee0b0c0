"""A county issues and runs the logins of its members and applicants (登录账号).

Login names (登录名) are the full pinyin of the person's name in lower case
(王小明 → ``wangxiaoming``), with a number from 2 when the county already has it
(``wangxiaoming2``): letters a member types on any phone keyboard, unique in the county
(a county's users live in its own schema), and no personal data such as the mobile
number. A name without pinyin (rare characters) gives ``user`` + a number.

Initial and reset passwords are the accounts app's temporary passwords
(``shared.accounts.services.password_temporary``: random, no look-alike characters,
meeting the password validators); the user must change them at the next login
(``must_change_password``). They are delivered once — by SMS to the person's mobile
through ``zhdj.messaging`` after the transaction commits, or on a printed slip — and are
never stored in clear or written to a log.

Every service takes ``scope=`` and checks ``accounts.manage`` over the person's
organization itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from pypinyin import lazy_pinyin

from shared.accounts.models import User
from shared.accounts.services import (
    password_reset_temporary,
    password_temporary,
    user_create,
    user_deactivate,
    user_set_active,
)
from tenants.access.events import Kind, scope_record
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.development.models import OPEN_STATUSES, DevelopmentRecord
from tenants.members.models import Member
from tenants.members.services import member_link_user
from tenants.orgs.models import Organization
from zhdj.errors import ApplicationError
from zhdj.messaging import message_send

LOGIN_ISSUED = "accounts.login_issued"
PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 - a template key
SMS, PRINT = "sms", "print"
DELIVERIES = {SMS: "短信发送到本人手机", PRINT: "打印账号条"}
CHUNK = 200  # people per transaction in a bulk issue
# A password hash costs ~0.1–0.5 s (Argon2, as it should): slips for more people than this
# are not made while a page waits; SMS delivery in bulk runs as a background job.
PRINT_LIMIT = 100
SENDERS = 8  # SMS sent at once after a bulk issue commits


# --- people -------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A member or an applicant: who a login is for."""

    kind: str  # "member" | "applicant"
    obj: Member | DevelopmentRecord

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def org(self) -> Organization:
        return self.obj.org

    @property
    def user(self) -> User | None:
        return self.obj.user

    @property
    def role(self) -> str:
        return User.Role.MEMBER if self.kind == "member" else User.Role.APPLICANT

    @property
    def phone(self) -> str:
        return (self.obj.phone or "").strip()


def person_of(obj: Member | DevelopmentRecord) -> Person:
    return Person("member" if isinstance(obj, Member) else "applicant", obj)


def manageable_orgs(scope: Scope) -> Any:
    """Organizations where the scope may manage logins."""
    return Organization.objects.visible_to(scope, Perm.ACCOUNTS_MANAGE)


def applicants() -> Any:
    """Development records that are still someone's own file (not yet a member's)."""
    return DevelopmentRecord.objects.filter(status__in=OPEN_STATUSES, member__isnull=True)


# --- names and passwords --------------------------------------------------------------


def login_base(name: str) -> str:
    base = re.sub(r"[^a-z]", "", "".join(lazy_pinyin(name, errors="ignore")).lower())
    return base[:40] or "user"


def login_names(names: Iterable[str]) -> list[str]:
    """A free login name for each of ``names``, in order (distinct from each other too)."""
    names = list(names)
    bases = [login_base(n) for n in names]
    taken = set(
        User.objects.filter(username__regex=r"^(" + "|".join(set(bases)) + r")[0-9]*$")
        .values_list("username", flat=True)
        .iterator()
    ) if bases else set()  # fmt: skip
    chosen: list[str] = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken or (base == "user" and n == 1):
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        chosen.append(candidate)
    return chosen


# --- results --------------------------------------------------------------------------


@dataclass
class Credential:
    """One login name and password to hand over (a slip, an SMS): shown once."""

    name: str
    org_name: str
    username: str
    password: str
    phone: str = ""
    user_id: int | None = None
    sent: bool | None = None  # SMS: sent after commit; None for a slip


@dataclass
class Outcome:
    issued: list[Credential] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already have a login
    no_phone: list[str] = field(default_factory=list)  # SMS asked, no mobile on record
    delivery: str = PRINT

    @property
    def sent(self) -> int:
        return sum(1 for c in self.issued if c.sent)

    @property
    def unsent(self) -> list[Credential]:
        return [c for c in self.issued if c.sent is False]


def _check_delivery(delivery: str) -> None:
    if delivery not in DELIVERIES:
        raise ApplicationError("请选择交付方式。", field="delivery")


@dataclass(frozen=True)
class _Addressee:
    """Who a message is for, without a database row (senders run in other threads)."""

    pk: int | None
    full_name: str


def _send_one(c: Credential, template: str) -> None:
    params = {"name": c.name, "password": c.password}
    if template == LOGIN_ISSUED:
        params["login"] = c.username
    result = message_send(
        recipient_user=_Addressee(c.user_id, c.name),
        template=template,
        params=params,
        phone=c.phone,
    )
    c.sent = result.sent


def _send_all(credentials: list[Credential], template: str) -> None:
    """SMS after commit, a few at a time (the provider is remote); a failure is marked on
    the credential (``sent=False``) so the page offers it as a slip."""
    if len(credentials) == 1:
        _send_one(credentials[0], template)
        return
    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(lambda c: _send_one(c, template), credentials))


def _deliver_after_commit(credentials: list[Credential], template: str, delivery: str) -> None:
    if delivery != SMS or not credentials:
        return
    batch = list(credentials)
    transaction.on_commit(lambda: _send_all(batch, template))


# --- issue ----------------------------------------------------------------------------


def _issue_locked(person: Person, username: str, password: str, *, scope: Scope) -> Credential:
    user = user_create(
        username=username, full_name=person.name, password=password, role=person.role
    )
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    scope_record(
        scope,
        Kind.ACCOUNT,
        target=f"{person.name}（{username}）",
        detail=f"开通登录账号（{User.Role(person.role).label}），{person.org.name}",
    )
    user.must_change_password = True
    if person.kind == "member":
        # The access check was ours (accounts.manage); the link is an internal step.
        member_link_user(scope=Scope.system(), member=person.obj, user=user)
    else:
        from tenants.development import services as development

        development.development_record_link_user(scope=Scope.system(), record=person.obj, user=user)
    return Credential(person.name, person.org.name, username, password, person.phone, user.pk)


def _lock(obj: Member | DevelopmentRecord) -> Member | DevelopmentRecord:
    return (
        type(obj)
        .objects.select_for_update(of=("self",))
        .select_related("org", "user")
        .get(pk=obj.pk)
    )


def login_issue(
    *, scope: Scope, person: Member | DevelopmentRecord, delivery: str = PRINT
) -> Outcome:
    """Issue a login to one member or applicant. Someone who already has one is skipped
    (reported), not given a second."""
    _check_delivery(delivery)
    outcome = Outcome(delivery=delivery)
    with transaction.atomic():
        p = person_of(_lock(person))
        scope.require(Perm.ACCOUNTS_MANAGE, p.org, message="您无权为该组织的人员开通账号。")
        if isinstance(p.obj, DevelopmentRecord) and not (p.obj.is_open and p.obj.member_id is None):
            raise ApplicationError("该档案已转为党员信息，请在党员名单中开通账号。")
        if p.user is not None:
            outcome.skipped.append(p.name)
            return outcome
        if p.kind == "member" and p.obj.party_status_code != "normal":
            raise ApplicationError(f"{p.name}的党籍状态不是正常，不能开通账号。")
        if delivery == SMS and not p.phone:
            raise ApplicationError(f"{p.name}没有登记手机号，请选择打印账号条。", field="delivery")
        (username,) = login_names([p.name])
        outcome.issued.append(_issue_locked(p, username, password_temporary(), scope=scope))
        _deliver_after_commit(outcome.issued, LOGIN_ISSUED, delivery)
    return outcome


def bulk_candidates(
    org: Organization, applicants_too: bool, *, without_login: bool = False
) -> list[Member | DevelopmentRecord]:
    """Who a bulk issue for ``org``'s subtree covers: members in normal standing, and open
    applicants if ``applicants_too`` (``without_login``: only those still to be issued)."""
    subtree = Organization.objects.filter(path__startswith=org.path, is_active=True)
    members = Member.objects.filter(org__in=subtree, party_status_code="normal")
    records = applicants().filter(org__in=subtree)
    if without_login:
        members, records = members.filter(user__isnull=True), records.filter(user__isnull=True)
    chosen: list[Member | DevelopmentRecord] = list(members.order_by("org__path", "name", "pk"))
    if applicants_too:
        chosen += list(records.order_by("org__path", "pk"))
    return chosen


def imported_people(scope: Scope, member_ids: list[int]) -> list[Member]:
    """The members an import wrote (``ImportJob.member_ids``) that the user may issue
    logins to: in normal standing, where their posts carry accounts.manage."""
    return list(
        Member.objects.visible_to(scope, Perm.ACCOUNTS_MANAGE)
        .filter(pk__in=member_ids, party_status_code="normal")
        .order_by("org_id", "name", "pk")
    )


def logins_issue_bulk(
    *,
    scope: Scope,
    org: Organization | None = None,
    delivery: str = PRINT,
    applicants_too: bool = True,
    people: Iterable[Member | DevelopmentRecord] | None = None,
    chunk: int = CHUNK,
) -> Outcome:
    """Issue logins to everyone in ``org``'s subtree (members in normal standing, and open
    applicants if ``applicants_too``), or to ``people`` (e.g. the rows of an import) —
    idempotent: who already has a login is skipped and reported. One transaction per
    ``chunk`` people; the SMS of a chunk go out after it commits."""
    _check_delivery(delivery)
    if people is None:
        scope.require(Perm.ACCOUNTS_MANAGE, org, message="您无权为该组织的人员开通账号。")
    chosen = list(people) if people is not None else bulk_candidates(org, applicants_too)
    outcome = Outcome(delivery=delivery)
    for start in range(0, len(chosen), chunk):
        with transaction.atomic():
            locked = [person_of(_lock(obj)) for obj in chosen[start : start + chunk]]
            todo: list[Person] = []
            for p in locked:
                scope.require(Perm.ACCOUNTS_MANAGE, p.org, message="您无权为该组织的人员开通账号。")
                if p.user is not None:
                    outcome.skipped.append(p.name)
                elif delivery == SMS and not p.phone:
                    outcome.no_phone.append(p.name)
                else:
                    todo.append(p)
            names = login_names(p.name for p in todo)
            batch = [
                _issue_locked(p, name, password_temporary(), scope=scope)
                for p, name in zip(todo, names, strict=True)
            ]
            outcome.issued += batch
            _deliver_after_commit(batch, LOGIN_ISSUED, delivery)
    return outcome


# --- run ------------------------------------------------------------------------------


def person_of_user(user: User) -> Person | None:
    member = Member.objects.select_related("org", "user").filter(user=user).first()
    if member is not None:
        return person_of(member)
    record = DevelopmentRecord.objects.select_related("org", "user").filter(user=user).first()
    return person_of(record) if record is not None else None


def _managed_user(scope: Scope, person: Member | DevelopmentRecord) -> tuple[Person, User]:
    p = person_of(_lock(person))
    scope.require(Perm.ACCOUNTS_MANAGE, p.org, message="您无权管理该组织人员的账号。")
    if p.user is None:
        raise ApplicationError(f"{p.name}还没有登录账号。")
    if p.user.role not in (User.Role.MEMBER, User.Role.APPLICANT, User.Role.ORG_STAFF):
        raise ApplicationError("该账号由上级管理员管理。")
    return p, User.objects.select_for_update().get(pk=p.user.pk)


def login_reset(
    *, scope: Scope, person: Member | DevelopmentRecord, delivery: str = PRINT
) -> Outcome:
    """Reset the password by the administrator: a temporary password, to be changed at
    the next login; the user's sessions end (the session hash follows the password)."""
    _check_delivery(delivery)
    outcome = Outcome(delivery=delivery)
    with transaction.atomic():
        p, user = _managed_user(scope, person)
        if delivery == SMS and not p.phone:
            raise ApplicationError(f"{p.name}没有登记手机号，请选择打印账号条。", field="delivery")
        password = password_reset_temporary(user=user)
        scope_record(scope, Kind.ACCOUNT, target=str(user), detail="重置密码")
        outcome.issued.append(
            Credential(p.name, p.org.name, user.username, password, p.phone, user.pk)
        )
        _deliver_after_commit(outcome.issued, PASSWORD_RESET, delivery)
    return outcome


def login_disable(*, scope: Scope, person: Member | DevelopmentRecord) -> User:
    """停用: the login can no longer sign in; its sessions end at once."""
    with transaction.atomic():
        _, user = _managed_user(scope, person)
        scope_record(scope, Kind.ACCOUNT, target=str(user), detail="停用登录账号")
        return user_deactivate(user=user)


def login_enable(*, scope: Scope, person: Member | DevelopmentRecord) -> User:
    """启用 again. A member no longer in normal standing (left, stopped) stays closed."""
    with transaction.atomic():
        p, user = _managed_user(scope, person)
        if p.kind == "member" and p.obj.party_status_code != "normal":
            raise ApplicationError(f"{p.name}的党籍状态不是正常，不能启用账号。")
        if p.kind == "applicant" and not p.obj.is_open:
            raise ApplicationError(f"{p.name}的发展档案已结束，不能启用账号。")
        scope_record(scope, Kind.ACCOUNT, target=str(user), detail="启用登录账号")
        return user_set_active(user=user, active=True)
