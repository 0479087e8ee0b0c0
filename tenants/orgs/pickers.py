"""Organization pickers (组织选择器): which organizations a form may choose, and the
search behind the type-to-search box (``zhdj.web.forms.SearchSelect``).

A county has about 850 organizations, many with the same name under different towns
(第一党支部). The search matches the name, its full pinyin and its initials anywhere in
the organization's path, and answers with the path (某镇党委 › 某村党支部) so that
same-named branches can be told apart. Organizations have no pinyin columns: the search
keys of the whole tree are built once per tree version (``org_tree_version``) and kept
in the county's cache and in the process, so a search is a scan of ~850 short strings
in memory, not a query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse_lazy

from shared.standards.models import OrganizationType
from tenants.access.permissions import Perm
from tenants.access.scope import Scope
from tenants.orgs.models import Organization
from tenants.orgs.selectors import org_tree_version
from zhdj.failsafe import cache_get, cache_set
from zhdj.pinyin import name_keys
from zhdj.web.forms import PickerField

LIMIT = 20
SEPARATOR = " › "
STEP = Organization.steplen
Source = Callable[[Scope, dict[str, str]], QuerySet[Organization]]


def _holding_codes() -> list[str]:
    return list(OrganizationType.objects.filter(holds_members=True).values_list("code", flat=True))


def _narrowed(orgs: QuerySet[Organization], params: dict[str, str]) -> QuerySet[Organization]:
    """Narrowing asked for by the form (and so by the browser): it can only take away."""
    types = [t for t in params.get("type", "").split(",") if t]
    if types:
        orgs = orgs.filter(type_code__in=types)
    excluded = params.get("exclude", "")
    if excluded.isdecimal() and len(excluded) < 19:  # an id within bigint, else nothing
        orgs = orgs.exclude(pk=int(excluded))
    return orgs


SOURCES: dict[str, Source] = {
    # What the user acts on (数据范围).
    "scope": lambda scope, p: _narrowed(Organization.objects.visible_to(scope), p),
    # Organizations that hold members (党支部、联合党支部 …) within the scope.
    "branches": lambda scope, p: _narrowed(
        Organization.objects.visible_to(scope).filter(type_code__in=_holding_codes()), p
    ),
    # Branches where the user keeps the member record (members.edit): where they register.
    "edit_branches": lambda scope, p: _narrowed(
        Organization.objects.visible_to(scope, Perm.MEMBERS_EDIT).filter(
            type_code__in=_holding_codes()
        ),
        p,
    ),
    # Organizations the user adjusts (orgs.manage): where they move or merge one to.
    "managed": lambda scope, p: _narrowed(
        Organization.objects.visible_to(scope, Perm.ORGS_MANAGE), p
    ),
    # Organizations whose statistics the user reads (stats.view).
    "stats": lambda scope, p: _narrowed(Organization.objects.visible_to(scope, Perm.STATS_VIEW), p),
    # Where the user runs organizational life (orglife.manage): branches and 党小组.
    "orglife": lambda scope, p: _narrowed(
        Organization.objects.visible_to(scope, Perm.ORGLIFE_MANAGE).filter(
            type_code__in=[*_holding_codes(), OrganizationType.GROUP]
        ),
        p,
    ),
    # Where the user runs learning (learning.manage): who publishes a course, a paper.
    "learning": lambda scope, p: _narrowed(
        Organization.objects.visible_to(scope, Perm.LEARNING_MANAGE), p
    ),
    # Where the user runs the flowing-members work: who sets up a flowing party group.
    "flowing": lambda scope, p: _narrowed(
        Organization.objects.visible_to(scope, Perm.FLOWING_MANAGE), p
    ),
    # Any branch of the county: where a member may be transferred to within the county.
    "county_branches": lambda scope, p: _narrowed(
        Organization.objects.filter(is_active=True, type_code__in=_holding_codes()), p
    ),
}


@dataclass(frozen=True)
class _Entry:
    id: int
    path: str
    name: str
    label: str  # the path below the county committee: 某镇党委 › 某村党支部
    own: str  # name, pinyin and initials of the organization itself, lower case
    chain: str  # the same for it and its ancestors


_local: dict[str, tuple[int, list[_Entry]]] = {}
_name_keys: dict[str, str] = {}  # pypinyin takes ~1 ms a name: a rename rebuilds one


def _keys(name: str) -> str:
    keys = _name_keys.get(name)
    if keys is None:
        if len(_name_keys) > 50_000:
            _name_keys.clear()
        keys = _name_keys[name] = "|".join((name.lower(), *name_keys(name)))
    return keys


def _build() -> list[_Entry]:
    rows = list(Organization.objects.filter(is_active=True).values_list("id", "path", "name"))
    by_path = {path: name for _, path, name in rows}
    keys = {name: _keys(name) for name in set(by_path.values())}
    entries = []
    for pk, path, name in sorted(rows, key=lambda r: r[1]):
        ancestors = [by_path.get(path[:i]) for i in range(STEP, len(path) + 1, STEP)]
        names = [n for n in ancestors if n is not None]
        shown = names[1:] or names
        entries.append(
            _Entry(
                id=pk,
                path=path,
                name=name,
                label=SEPARATOR.join(shown),
                own=keys[name],
                chain="/".join(keys[n] for n in names),
            )
        )
    return entries


def _index() -> list[_Entry]:
    """The search keys of the county's tree, rebuilt when an organization changes."""
    version = org_tree_version()
    schema = connection.schema_name
    held = _local.get(schema)
    if held is not None and held[0] == version:
        return held[1]
    key = f"orgs:picker:{version}"
    entries = cache_get(key)  # Redis down: built from the database (zhdj.failsafe)
    if entries is None:
        entries = _build()
        cache_set(key, entries, 7 * 24 * 3600)
    _local[schema] = (version, entries)
    return entries


def org_search(orgs: QuerySet[Organization], text: str, *, limit: int = LIMIT) -> tuple[list, bool]:
    """Up to ``limit`` of ``orgs`` matching ``text`` (name, pinyin, initials; several words
    all match), those whose own name matches first, then in tree order; and whether more
    matched."""
    allowed = set(orgs.values_list("id", flat=True))
    terms = text.lower().split()
    found: list[tuple[int, _Entry]] = []
    for entry in _index():
        if entry.id not in allowed or not all(t in entry.chain for t in terms):
            continue
        rank = 2
        if terms and all(t in entry.own for t in terms):
            rank = 0 if any(k.startswith(terms[0]) for k in entry.own.split("|")) else 1
        found.append((rank, entry))
    found.sort(key=lambda r: (r[0], r[1].path))
    results = [
        {
            "id": e.id,
            "label": e.label,
            "name": e.name,
            "detail": "" if e.label == e.name else e.label,
        }
        for _, e in found[:limit]
    ]
    return results, len(found) > limit


def org_labels(ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, path label) of the given organizations, in the given order."""
    wanted = list(ids)
    entries = {e.id: e.label for e in _index() if e.id in set(wanted)}
    missing = [i for i in wanted if i not in entries]
    if missing:  # dissolved since, or not in the cached tree yet
        entries.update(Organization.objects.filter(pk__in=missing).values_list("id", "name"))
    return [(i, entries[i]) for i in wanted if i in entries]


def org_label_map(ids: Iterable[int]) -> dict[int, str]:
    return dict(org_labels(ids))


def OrgPickerField(*, source: str = "scope", **kwargs) -> PickerField:  # type: ignore[no-untyped-def]
    """A form field choosing an organization by typing; call ``scope_to(scope)`` in the
    form's ``__init__``."""
    kwargs.setdefault("placeholder", "输入组织名称、拼音或首字母搜索")
    return PickerField(
        url=reverse_lazy("orgs:options"),
        sources=SOURCES,
        source=source,
        labels=org_labels,
        **kwargs,
    )
