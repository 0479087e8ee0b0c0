"""The shape of a county's organization tree (党组织树), planned in memory.

Like a real county (domain-rules §5)::

    中共××县委员会 (county_committee, the root made by onboarding)
    ├── 中共××县直属机关工作委员会 (working_committee) → 县委办公室党支部, 县教育局党支部 … (branch)
    ├── 中共××县人民医院委员会 (base_committee, a large unit)
    │   ├── 内科党总支 (general_branch) → 内科第一党支部 … (branch)
    │   └── 机关党支部 (branch)
    ├── 中共金河镇委员会 (base_committee: a town)
    │   ├── 金河镇机关党支部, 金河镇中心小学党支部, 金河镇卫生院党支部, 企业党支部 (branch)
    │   └── 金河镇刘家沟村党支部 (branch) → 第一党小组 … (group, only in large villages)
    └── 中共鼓楼街道工作委员会 (base_committee: a street) → 新华社区党支部 … (branch)

About one branch per 64 members; with the committees, general branches and groups a county
of 50,000 members has about 830 organizations. Names are unique in the county. Each
organization lists the posts to fill (书记, 组织委员 …) and the branch whose members fill them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.city.pools import (
    COMMUNITY_NAMES,
    DEPARTMENTS,
    ENTERPRISE_TAIL,
    LARGE_UNITS,
    ORDINALS,
    SOCIAL_TAIL,
    STREET_NAMES,
    place_names,
)

MEMBERS_PER_BRANCH = 64
# Relative size of a branch by kind (members), before scaling to the county's total.
SIZE_RANGE = {
    "village": (20, 70),
    "community": (30, 110),
    "organ": (12, 40),
    "agency": (8, 35),
    "school": (15, 50),
    "health": (10, 45),
    "soe": (15, 60),
    "private": (4, 25),
    "social": (3, 10),
}
CATEGORY = {  # 党组织类别 (org_category)
    "village": "3",
    "community": "7",
    "organ": "4",
    "agency": "4",
    "school": "5",
    "health": "6",
    "soe": "1",
    "private": "2",
    "social": "8",
}
MIN_BRANCH = 5  # members; a branch needs at least 3 full members
GROUP_MIN_SIZE = 100  # villages this large get 党小组


@dataclass(eq=False)
class OrgSpec:
    name: str
    type_code: str
    kind: str = ""  # the branch's members' profile (see bench.city.people)
    category_code: str = ""
    unit_situation_code: str = ""
    unit_name: str = ""
    has_approval_authority: bool = False
    term_years: int = 3
    weight: float = 0.0  # branches: relative size before scaling
    size: int = 0  # branches: members
    place: tuple[str, str] = ("", "")  # (town or street, village or community)
    posts: list[str] = field(default_factory=list)
    post_source: OrgSpec | None = None  # the branch whose members fill ``posts``
    children: list[OrgSpec] = field(default_factory=list)
    term_started_at: date | None = None
    founded_at: date | None = None
    pk: int | None = None

    def add(self, child: OrgSpec) -> OrgSpec:
        self.children.append(child)
        return child

    def walk(self):  # type: ignore[no-untyped-def]
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class CountyTree:
    root: OrgSpec  # stands for the root created by onboarding (not loaded again)
    branches: list[OrgSpec]  # every branch, in the order members are assigned
    streets: list[tuple[str, list[str]]]  # (street, communities) for urban addresses
    towns: list[str]

    def organizations(self) -> list[OrgSpec]:
        return [o for o in self.root.walk() if o is not self.root]


def _branch_posts(size: int) -> list[str]:
    if size < 7:  # under 7 full members: a secretary only (支部工作条例)
        return ["secretary"]
    posts = ["secretary", "organization", "publicity"]
    if size >= 30:
        posts += ["deputy_secretary", "discipline"]
    return posts


def plan_county(
    rng: random.Random, *, county: str, members: int, today: date, unit: str = "县"
) -> CountyTree:
    """A county of ``members`` members. ``county`` is its name (榆阳区), ``unit`` the word
    its departments take (县/区/市)."""
    n_branches = max(4, round(members / MEMBERS_PER_BRANCH))
    root = OrgSpec(f"中共{county}委员会", "county_committee", has_approval_authority=True)
    root.posts = ["secretary", "deputy_secretary", "organization"]
    branches: list[OrgSpec] = []
    taken: set[str] = set()

    def branch(parent: OrgSpec, name: str, kind: str, **kw: object) -> OrgSpec:
        lo, hi = SIZE_RANGE[kind]
        spec = parent.add(
            OrgSpec(
                name,
                "branch",
                kind=kind,
                category_code=CATEGORY[kind],
                weight=rng.uniform(lo, hi),
                term_years=5 if kind in ("village", "community") else 3,
                **kw,  # type: ignore[arg-type]
            )
        )
        branches.append(spec)
        return spec

    # County organs: 县直属机关工作委员会 with one branch per department.
    n_agency = max(1, round(n_branches * 0.07))
    organs = root.add(
        OrgSpec(
            f"中共{county}直属机关工作委员会",
            "working_committee",
            category_code="4",
            unit_situation_code="1",
            has_approval_authority=True,
            term_years=5,
            posts=["secretary", "deputy_secretary", "organization"],
        )
    )
    for i in range(n_agency):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        rank = i // len(DEPARTMENTS)
        suffix = "党支部" if rank == 0 else f"第{ORDINALS[rank % 10]}党支部{rank // 10 or ''}"
        name = f"{unit}{dept}{suffix}" if not dept.startswith("团") else f"团{unit}委{suffix}"
        branch(organs, name, "agency", unit_situation_code="2", unit_name=f"{county}{dept}")
    organs.post_source = organs.children[0]
    root.post_source = organs.children[0]

    # Large units: 基层党委 → 党总支 → 党支部.
    n_large = min(len(LARGE_UNITS), round(n_branches / 130))
    for unit_name, category, kind, sections in LARGE_UNITS[:n_large]:
        full = f"{county}{unit_name}"
        committee = root.add(
            OrgSpec(
                f"中共{full}委员会",
                "base_committee",
                category_code=category,
                unit_situation_code="2",
                unit_name=full,
                has_approval_authority=True,
                term_years=5,
                posts=["secretary", "deputy_secretary", "organization", "publicity", "discipline"],
            )
        )
        office = branch(committee, f"{full}机关党支部", kind, unit_situation_code="1")
        committee.post_source = office
        for section in sections:
            general = committee.add(
                OrgSpec(
                    f"{full}{section}党总支",
                    "general_branch",
                    category_code=category,
                    unit_situation_code="1",
                    posts=["secretary", "organization"],
                )
            )
            for k in range(rng.randint(2, 4)):
                branch(
                    general, f"{full}{section}第{ORDINALS[k]}党支部", kind, unit_situation_code="1"
                )
            general.post_source = general.children[0]

    used = len(branches)
    remaining = max(0, n_branches - used)

    # Streets (街道) with communities, in larger counties.
    n_streets = 0 if n_branches < 25 else min(len(STREET_NAMES), max(1, round(n_branches / 160)))
    streets: list[tuple[str, list[str]]] = []
    street_names = rng.sample(STREET_NAMES, n_streets)
    n_communities = round(remaining * 0.16)
    n_street_other = round(remaining * 0.02)
    for s, street in enumerate(street_names):
        street_full = f"{street}街道"
        committee = root.add(
            OrgSpec(
                f"中共{street_full}工作委员会",
                "base_committee",
                category_code="7",
                unit_situation_code="1",
                unit_name=f"{county}{street_full}办事处",
                has_approval_authority=True,
                term_years=5,
                posts=["secretary", "deputy_secretary", "organization", "publicity", "discipline"],
            )
        )
        office = branch(
            committee,
            f"{street_full}机关党支部",
            "organ",
            unit_situation_code="1",
            place=(street_full, ""),
        )
        committee.post_source = office
        share = n_communities // n_streets + (1 if s < n_communities % n_streets else 0)
        communities: list[str] = []
        for _ in range(max(2, share)):
            community = _unique(rng, COMMUNITY_NAMES, taken, street)
            communities.append(community)
            branch(
                committee,
                f"{street_full}{community}社区党支部",
                "community",
                unit_situation_code="2",
                unit_name=f"{community}社区居民委员会",
                place=(street_full, community),
            )
        streets.append((street_full, communities))
        others = n_street_other // n_streets + (1 if s < n_street_other % n_streets else 0)
        for _ in range(others):
            head = "".join(rng.sample(COMMUNITY_NAMES, 1)) + rng.choice(("", "新", "兴"))
            if rng.random() < 0.5:
                name, kind = f"{county}{head}{rng.choice(SOCIAL_TAIL)}", "social"
            else:
                name, kind = f"{county}{head}{rng.choice(ENTERPRISE_TAIL)}", "private"
            if name in taken:
                continue
            taken.add(name)
            branch(
                committee, f"{name}党支部", kind, unit_situation_code="2", unit_name=name,
                place=(street_full, rng.choice(communities)),
            )  # fmt: skip

    # Towns (镇/乡) take the rest: their organs, a school, a health centre, enterprises,
    # and the villages.
    remaining = max(1, n_branches - len(branches))
    n_towns = max(1, min(40, round(remaining / 40)))
    towns = [
        f"{name}{'镇' if rng.random() < 0.85 else '乡'}"
        for name in place_names(rng, n_towns, taken)
    ]
    shares = _split(remaining, [rng.uniform(0.6, 1.4) for _ in towns])
    for town, town_share in zip(towns, shares, strict=True):
        committee = root.add(
            OrgSpec(
                f"中共{town}委员会",
                "base_committee",
                category_code="3",
                unit_situation_code="1",
                unit_name=f"{county}{town}人民政府",
                has_approval_authority=True,
                term_years=5,
                posts=["secretary", "deputy_secretary", "organization", "publicity", "discipline"],
            )
        )
        office = branch(
            committee, f"{town}机关党支部", "organ", unit_situation_code="1", place=(town, "")
        )
        committee.post_source = office
        share = town_share - 1
        if share >= 6:
            branch(committee, f"{town}中心小学党支部", "school", unit_situation_code="2",
                   unit_name=f"{county}{town}中心小学", place=(town, ""))  # fmt: skip
            branch(committee, f"{town}卫生院党支部", "health", unit_situation_code="2",
                   unit_name=f"{county}{town}卫生院", place=(town, ""))  # fmt: skip
            share -= 2
        n_firms = round(share * 0.1)
        villages = place_names(rng, max(0, share - n_firms), taken)
        for village in villages:
            branch(
                committee,
                f"{town}{village}村党支部",
                "village",
                unit_situation_code="2",
                unit_name=f"{village}村民委员会",
                place=(town, village),
            )
        for _ in range(n_firms):
            head = place_names(rng, 1, taken)[0]
            firm = f"{county}{head}{rng.choice(ENTERPRISE_TAIL)}"
            place = (town, rng.choice(villages) if villages else "")
            branch(committee, f"{firm}党支部", "private", unit_situation_code="2",
                   unit_name=firm, place=place)  # fmt: skip

    # Sizes: scale the weights to the county's members (largest remainder), MIN_BRANCH each.
    sizes = _split(members, [b.weight for b in branches], minimum=MIN_BRANCH)
    for spec, size in zip(branches, sizes, strict=True):
        spec.size = size
        spec.posts = _branch_posts(size)
        spec.post_source = spec
        if spec.kind == "village" and size >= GROUP_MIN_SIZE:
            for k in range(min(4, size // 40)):
                spec.add(
                    OrgSpec(
                        f"{spec.name}第{ORDINALS[k]}党小组",
                        "group",
                        category_code=spec.category_code,
                        posts=["group_leader"],
                        post_source=spec,
                    )
                )

    # Terms and founding dates.
    for spec in root.walk():
        years = spec.term_years
        spec.term_started_at = today - timedelta(days=rng.randint(30, 365 * years - 30))
        spec.founded_at = date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28))
    _sort(root)
    return CountyTree(root=root, branches=branches, streets=streets, towns=towns)


def _unique(rng: random.Random, pool: list[str], taken: set[str], prefix: str) -> str:
    for name in rng.sample(pool, len(pool)):
        if f"{prefix}{name}" not in taken:
            taken.add(f"{prefix}{name}")
            return name
    extra = place_names(rng, 1, taken)[0]
    return extra


def _split(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder), each ≥ minimum
    when the total allows it."""
    if not weights:
        return []
    floor = minimum if total >= minimum * len(weights) else 0
    rest = total - floor * len(weights)
    s = sum(weights)
    raw = [rest * w / s for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: rest - sum(out)]:
        out[i] += 1
    return [floor + o for o in out]


def _sort(spec: OrgSpec) -> None:
    """Children in name order: the tree's node_order_by (treebeard's load_bulk keeps the
    given order, so it must already be sorted; code-point order = the C.UTF-8 collation)."""
    spec.children.sort(key=lambda c: c.name)
    for child in spec.children:
        _sort(child)
