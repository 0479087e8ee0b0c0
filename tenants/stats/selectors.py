"""Party statistics (党内统计), domain-rules §7: the standard figures of an organization
subtree on a statistics date, counted by formal organization relationship.

Who counts on the date ``on``: members of the subtree who had joined by ``on``
(``joined_at <= on``) and whose party status on ``on`` was on the roll (在册, the
``on_roll`` flag of the party_status code table, which includes 停止党籍; the figure
「其中停止党籍」 is given apart so a report can leave them out).

The status on ``on`` is rebuilt from the status changes (``MemberStatusChange``): a member
with no change dated after ``on`` has the current status; otherwise the status on ``on``
is the ``from_status`` of the first change after ``on``. Events dated ``on`` itself
have taken effect (a member who left on ``on`` no longer counts; nor does an organization
dissolved on ``on``). Approximations, because the record keeps no history for them:

- a member is counted in their *current* organization (a move between branches of the
  county is not undone for past dates);
- members transferred in after ``on`` are counted as if they had been there (the record
  knows the date of joining the party, not the date of arriving in the county);
- status changes made without a ``MemberStatusChange`` (none are, through the services)
  cannot be undone;
- organizations are counted unless dissolved by ``on``; when one was founded is not
  recorded (the creation record dates data entry), so one founded after ``on`` counts.

Every figure comes from a handful of aggregate queries (conditional ``Count``), never a
query per member or per organization.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from shared.standards.models import CodeTable, OrganizationType
from shared.standards.selectors import code_choices, code_name, codes, codes_flagged
from tenants.access.permissions import Perm
from tenants.access.querysets import path_q
from tenants.access.scope import Scope
from tenants.members.dimensions import age_bands, joining_periods
from tenants.members.models import Member, MemberStatusChange, Sex, StatusAction
from tenants.orgs.models import Organization
from tenants.orgs.selectors import org_root
from tenants.stats.results import Row, Statistics, Table, share
from zhdj.errors import ApplicationError

LEAVING_ACTIONS = (StatusAction.LEAVE, StatusAction.DEATH, StatusAction.TRANSFER_OUT)
SUSPENDED = "suspended"
PROBATIONARY = "probationary"
UNKNOWN = "未填写"


def _subtree(scope: Scope, org_id: int | None) -> tuple[list[str] | None, int | None, str]:
    """Root paths of the subtrees counted (None: the whole county), the org id and a name."""
    if org_id is not None:
        org = (
            Organization.objects.visible_to(scope, Perm.STATS_VIEW)
            .filter(pk=org_id)
            .only("path", "name")
            .first()
        )
        if org is None:
            raise ApplicationError("组织不存在或不在您的管理范围内。", field="org")
        return [org.path], org.pk, org.name
    if scope.is_admin:
        root = org_root()
        return None, None, root.name if root else ""
    paths = scope.paths(Perm.STATS_VIEW)
    roots = Organization.objects.filter(path__in=paths).order_by("path")
    return list(paths), None, "、".join(o.name for o in roots)


def _status_on(on: date, statuses: frozenset[str] | set[str]) -> Q:
    """Members whose party status on ``on`` was one of ``statuses``.

    Uncorrelated subqueries, so PostgreSQL hashes each once per query instead of probing
    the changes table once per member.
    """
    later = MemberStatusChange.objects.filter(effective_date__gt=on)
    first_later = later.order_by("member_id", "effective_date", "id").distinct("member_id")
    was = MemberStatusChange.objects.filter(
        pk__in=first_later.values("pk"), from_status__in=statuses
    )
    unchanged = Q(party_status_code__in=statuses) & ~Q(pk__in=later.values("member_id"))
    return unchanged | Q(pk__in=was.values("member_id"))


def _grouped(qs: QuerySet[Member], field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("id"))}


def _code_rows(
    counts: dict[str, int], ordered: list[tuple[str, str]], total: int
) -> tuple[Row, ...]:
    """A row per code in code-table order, then one for blank or unknown codes if any."""
    known = {code for code, _ in ordered}
    rows = [
        Row(code, name, counts.get(code, 0), share(counts.get(code, 0), total))
        for code, name in ordered
    ]
    stray = sum(n for code, n in counts.items() if code not in known)
    if stray:
        rows.append(Row("", UNKNOWN, stray, share(stray, total)))
    return tuple(rows)


def _education_rows(counts: dict[str, int], total: int) -> tuple[Row, ...]:
    """By GB/T 4658 category (研究生, 大学本科 …): each code counts under its parent."""
    entries = list(codes(CodeTable.EDUCATION).values_list("code", "name", "parent_code"))
    category_of = {code: parent or code for code, _, parent in entries}
    by_category: dict[str, int] = {}
    for code, n in counts.items():
        key = category_of.get(code, "")
        by_category[key] = by_category.get(key, 0) + n
    categories = [(code, name) for code, name, parent in entries if not parent]
    return _code_rows(by_category, categories, total)


def _org_types(paths: list[str] | None, on: date) -> Table:
    orgs = Organization.objects.filter(Q(is_active=True) | Q(dissolved_at__gt=on))
    if paths is not None:
        orgs = orgs.filter(path_q(tuple(paths)))
    counts = {
        row["type_code"]: row["n"]
        for row in orgs.order_by().values("type_code").annotate(n=Count("id"))
    }
    types = list(OrganizationType.objects.order_by("rank", "code").values_list("code", "name"))
    rows = tuple(Row(code, name, counts.get(code, 0), None) for code, name in types)
    stray = sum(n for code, n in counts.items() if code not in dict(types))
    if stray:
        rows += (Row("", "其他", stray, None),)
    return Table("org_types", "党组织（按组织类型）", rows, chart="bar", unit="个")


def _leaving(members: QuerySet[Member], on: date) -> Table:
    changes = MemberStatusChange.objects.filter(
        member__in=members.values("pk"),
        action__in=LEAVING_ACTIONS,
        effective_date__range=(date(on.year, 1, 1), on),
    )
    counts = {
        row["action"]: row["n"]
        for row in changes.order_by().values("action").annotate(n=Count("id"))
    }
    rows = tuple(Row(str(a), a.label, counts.get(a, 0), None) for a in LEAVING_ACTIONS)
    return Table("leaving", f"{on.year}年减少党员（截至统计日）", rows)


def party_statistics(scope: Scope, *, org_id: int | None, on: date) -> Statistics:
    """The §7 statistics of ``org_id``'s subtree (else the scope's whole reach) on ``on``.

    Raises ``ApplicationError`` when ``org_id`` is not an active organization in scope.
    """
    paths, org_id, org_name = _subtree(scope, org_id)
    members = Member.objects.visible_to(scope, Perm.STATS_VIEW)
    if paths is not None:
        members = members.filter(path_q(tuple(paths), "org__"))
    on_roll = codes_flagged(CodeTable.PARTY_STATUS, "on_roll")
    counted = members.filter(_status_on(on, on_roll), joined_at__lte=on)

    minority = codes_flagged(CodeTable.ETHNICITY, "minority")
    college = codes_flagged(CodeTable.EDUCATION, "college_or_above")
    probationary = Q(full_member_at__gt=on) | Q(
        full_member_at__isnull=True, category_code=PROBATIONARY
    )
    bands, periods = age_bands(on), joining_periods()
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "women": Count("id", filter=Q(sex=Sex.FEMALE)),
        "men": Count("id", filter=Q(sex=Sex.MALE)),
        "minorities": Count("id", filter=Q(ethnicity_code__in=minority)),
        "college": Count("id", filter=Q(education_code__in=college)),
        "probationary": Count("id", filter=probationary),
        "suspended": Count("id", filter=_status_on(on, {SUSPENDED})),
    }
    aggregates |= {f"age_{code}": Count("id", filter=q) for code, _, q in bands}
    aggregates |= {f"joined_{code}": Count("id", filter=q) for code, _, q in periods}
    figures = counted.aggregate(**aggregates)
    total = figures["total"]

    developed = members.filter(joined_at__range=(date(on.year, 1, 1), on)).count()
    leaving = _leaving(members, on)

    def rows(items: list[tuple[str, str, int]]) -> tuple[Row, ...]:
        return tuple(Row(code, name, n, share(n, total)) for code, name, n in items)

    sex_rows = rows(
        [
            (Sex.MALE.value, Sex.MALE.label, figures["men"]),
            (Sex.FEMALE.value, Sex.FEMALE.label, figures["women"]),
        ]
    )
    full = total - figures["probationary"]
    category_rows = rows(
        [
            ("full", code_name(CodeTable.MEMBER_CATEGORY, "full", "正式党员"), full),
            (
                PROBATIONARY,
                code_name(CodeTable.MEMBER_CATEGORY, PROBATIONARY, "预备党员"),
                figures["probationary"],
            ),
        ]
    )
    ethnicity = _grouped(counted, "ethnicity_code")
    ethnicity_rows = tuple(
        sorted(
            (
                Row(code, code_name(CodeTable.ETHNICITY, code, UNKNOWN), n, share(n, total))
                for code, n in ethnicity.items()
            ),
            key=lambda r: (-r.count, r.code),
        )
    )
    occupation = _grouped(counted, "occupation_code")
    occupations = code_choices(CodeTable.OCCUPATION)
    tables = (
        Table("sex", "性别", sex_rows, chart="pie"),
        Table("category", "人员类别", category_rows, chart="pie"),
        Table("ethnicity", "民族", ethnicity_rows),
        Table(
            "age_bands",
            "年龄",
            rows([(c, n, figures[f"age_{c}"]) for c, n, _ in bands]),
            chart="bar",
        ),
        Table(
            "joining_periods",
            "入党时间",
            rows([(c, n, figures[f"joined_{c}"]) for c, n, _ in periods]),
            chart="bar",
        ),
        Table(
            "education",
            "学历",
            _education_rows(_grouped(counted, "education_code"), total),
            chart="bar",
        ),
        Table(
            "occupation",
            "职业",
            _code_rows(occupation, occupations, total),
            chart="bar",
        ),
        _org_types(paths, on),
        leaving,
    )
    return Statistics(
        org_id=org_id,
        org_name=org_name,
        on=on,
        total=total,
        women=figures["women"],
        minorities=figures["minorities"],
        college=figures["college"],
        full=full,
        probationary=figures["probationary"],
        suspended=figures["suspended"],
        developed=developed,
        leaving=leaving.total,
        tables=tables,
    )
