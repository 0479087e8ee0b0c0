"""The members of a synthetic county: one row per member, valid by construction.

Distributions (bench data, plausible rather than statistics), by the kind of branch:

* sex: about 30 % women overall (more among the young, in schools and hospitals);
* age 18–95, skewed to 40–70 (villages and communities older, organs and schools younger);
* ethnicity: 汉族 (01) ~96 %, a few minorities (GB/T 3304);
* education (GB/T 4658): 大学本科/专科 common among the young and in organs, schools and
  hospitals; 初中/小学 among older rural members;
* occupation (党内统计 groups): 农牧渔民 in villages, 党政机关工作人员 in organs, 专业技术人员
  in schools and hospitals, 离退休人员 for the retired (60+) of towns' and city units;
* joined at 18 or later; full members have full_member_at = joined + 1 year (≤ today);
  about 3 % are probationary, joined within the last year;
* ID numbers as ``make_id_number`` makes them (bench/city/idnumbers.py) with the county's
  region code, unique in the county; mobile phones (a few missing), home addresses in the
  county, some landlines; about 3 % are flowing members (外出流向).

Every member's row is generated from a ``random.Random`` seeded by (seed, county, chunk),
so the data do not depend on how many processes load it. A chunk ``c`` of ``K`` uses only
the ID order codes ``c, c+K, c+2K …`` of each (birth date, sex): chunks never collide.
The first members of each branch are its post holders (secretary, committee members …).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from bench.city.idnumbers import IdNumbers
from bench.city.pools import (
    ADDRESS_FORMAT,
    ETHNICITY,
    FLOW_DESTINATIONS,
    GIVEN,
    MOBILE_PREFIXES,
    NEW_ERA_FROM,
    SURNAMES,
    TOWN_STREETS,
    Weighted,
    fast_draws,
)
from zhdj.pii.idnumber import SEQUENCES_PER_SEX

CHUNK = 5_000  # members per chunk: the unit of determinism and of parallel loading

# Plain values of a row, in this order (the loader adds the derived columns).
FIELDS = (
    "org_id",
    "name",
    "id_number",
    "sex",
    "ethnicity_code",
    "birth_date",
    "education_code",
    "category_code",
    "joined_at",
    "full_member_at",
    "job_title",
    "occupation_code",
    "phone",
    "landline",
    "address",
    "flowing",
    "flow_destination",
)

AGES = {  # (from, to) inclusive: weight
    "village": [((18, 30), 4), ((31, 40), 8), ((41, 50), 16), ((51, 60), 25), ((61, 70), 25),
                ((71, 80), 15), ((81, 95), 7)],
    "community": [((18, 30), 6), ((31, 40), 10), ((41, 50), 14), ((51, 60), 18), ((61, 70), 25),
                  ((71, 80), 18), ((81, 95), 9)],
    "organ": [((22, 30), 18), ((31, 40), 28), ((41, 50), 27), ((51, 59), 22), ((60, 80), 5)],
    "agency": [((22, 30), 14), ((31, 40), 26), ((41, 50), 27), ((51, 59), 23), ((60, 85), 10)],
    "school": [((22, 30), 22), ((31, 40), 30), ((41, 50), 25), ((51, 59), 18), ((60, 80), 5)],
    "health": [((22, 30), 22), ((31, 40), 30), ((41, 50), 25), ((51, 59), 18), ((60, 80), 5)],
    "soe": [((20, 30), 18), ((31, 40), 30), ((41, 50), 27), ((51, 59), 20), ((60, 75), 5)],
    "private": [((20, 30), 20), ((31, 40), 35), ((41, 50), 28), ((51, 60), 15), ((61, 70), 2)],
    "social": [((25, 40), 35), ((41, 55), 40), ((56, 70), 25)],
}  # fmt: skip
WOMEN = {"village": 0.26, "community": 0.42, "organ": 0.36, "agency": 0.36, "school": 0.55,
         "health": 0.6, "soe": 0.24, "private": 0.28, "social": 0.45}  # fmt: skip
LEVEL = {"village": "low", "community": "mid", "organ": "high", "agency": "high",
         "school": "high", "health": "high", "soe": "mid", "private": "mid",
         "social": "mid"}  # fmt: skip
EDUCATION = {  # (level, age group) → GB/T 4658 code: weight
    ("low", "young"): {"21": 20, "31": 30, "41": 8, "44": 2, "61": 15, "71": 22, "81": 3},
    ("low", "mid"): {"21": 6, "31": 14, "41": 6, "47": 2, "61": 20, "63": 1, "71": 38, "73": 2,
                     "81": 11},
    ("low", "old"): {"21": 2, "31": 4, "41": 5, "61": 14, "71": 38, "73": 2, "81": 27, "83": 3,
                     "90": 5},
    ("mid", "young"): {"14": 5, "21": 45, "31": 30, "41": 6, "44": 2, "61": 7, "71": 5},
    ("mid", "mid"): {"14": 3, "21": 35, "22": 1, "31": 29, "33": 1, "41": 10, "61": 12, "71": 9},
    ("mid", "old"): {"21": 11, "28": 1, "31": 18, "41": 15, "61": 25, "71": 22, "81": 8},
    ("high", "young"): {"11": 1, "14": 18, "16": 1, "21": 64, "31": 14, "41": 2},
    ("high", "mid"): {"11": 1, "14": 10, "17": 1, "21": 61, "31": 22, "41": 3, "61": 2},
    ("high", "old"): {"14": 2, "21": 40, "28": 1, "31": 29, "41": 12, "61": 12, "71": 4},
}  # fmt: skip
OCCUPATION = {  # working age (under 60) → occupation code: weight
    "village": {"farmer": 85, "worker": 5, "other": 8, "manager": 2},
    "community": {"worker": 22, "other": 38, "professional": 12, "manager": 12, "student": 1},
    "organ": {"official": 92, "professional": 8},
    "agency": {"official": 90, "professional": 10},
    "school": {"professional": 86, "manager": 10, "student": 4},
    "health": {"professional": 85, "manager": 15},
    "soe": {"worker": 45, "professional": 25, "manager": 30},
    "private": {"worker": 50, "manager": 30, "professional": 20},
    "social": {"other": 60, "manager": 25, "professional": 15},
}
JOBS = {
    "farmer": ("村民", "种植户", "养殖户"),
    "worker": ("工人", "技术工人", "班组长"),
    "professional": ("技术员", "工程师", "会计"),
    "manager": ("部门负责人", "经理", "办公室主任"),
    "official": ("科员", "副科长", "科长", "干部"),
    "student": ("学生",),
    "retired": ("退休",),
    "other": ("个体经营", "自由职业", "务工"),
}
JOBS_BY_KIND = {
    ("school", "professional"): ("教师", "高级教师", "一级教师"),
    ("health", "professional"): ("医生", "护士", "主治医师", "药剂师"),
}
LEADER_JOBS = {
    "village": "村党支部书记",
    "community": "社区党支部书记",
    "organ": "机关干部",
    "agency": "机关干部",
    "school": "学校负责人",
    "health": "医院负责人",
    "soe": "公司负责人",
    "private": "企业负责人",
    "social": "负责人",
}
PROBATIONARY = ((30, 0.24), (40, 0.08), (50, 0.022), (200, 0.003))  # (age below, share)
# The probationary share of each age 0–199, looked up instead of searched per member.
PROBATIONARY_BY_AGE = tuple(next(s for below, s in PROBATIONARY if a < below) for a in range(200))
RURAL = frozenset({"village"})
MAX_AGE = 95


@dataclass
class Slot:
    """One branch's place in the county's member sequence."""

    org_id: int
    kind: str
    size: int
    start: int
    town: str  # or street
    village: str  # or community ("" for organs, schools …)
    leaders: list[list[tuple[int, str, date]]] = field(default_factory=list)
    # leaders[k]: the posts (org id, post code, started at) of the branch's k-th member


@dataclass
class CountyPlan:
    """What a worker needs to generate a county's members (picklable)."""

    index: int
    schema: str
    region_code: str
    name: str  # 榆阳区
    address_prefix: str  # 陕西省榆林市榆阳区
    members: int
    slots: list[Slot]
    streets: list[tuple[str, list[str]]]
    towns: list[str]
    seed: int
    today: date

    @property
    def chunks(self) -> int:
        return -(-self.members // CHUNK)


@dataclass
class NamePool:
    """Full names with their search keys, by (sex, era), computed once with
    ``tenants.members.services.name_keys`` (the application's own function)."""

    names: dict[tuple[str, str], list[tuple[str, str, str]]]

    @classmethod
    def build(cls, seed: int, per_pool: int) -> NamePool:
        from tenants.members.services import name_keys

        rng = random.Random(f"{seed}:names")
        surnames = Weighted(SURNAMES)
        out: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for key, chars in GIVEN.items():
            seen: set[str] = set()
            limit = min(per_pool, len(chars) * len(chars) * 20)
            while len(seen) < limit:
                given = rng.choice(chars)
                if rng.random() < 0.8:
                    given += rng.choice(chars)
                seen.add(surnames.draw(rng) + given)
            out[key] = [(n, *name_keys(n)) for n in sorted(seen)]
        return cls(out)


def _weighted(table: dict[str, float]) -> Weighted[str]:
    return Weighted(list(table.items()))


_AGE_W = {k: Weighted(v) for k, v in AGES.items()}
_EDU_W = {k: _weighted(v) for k, v in EDUCATION.items()}
_OCC_W = {k: _weighted(v) for k, v in OCCUPATION.items()}


def add_years(d: date, years: int) -> date:
    """``d`` moved by whole years (29 February → 1 March), as the generator dates terms,
    ages and full membership."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February → 1 March
        return d.replace(year=d.year + years, month=3, day=1)


def generate_chunk(plan: CountyPlan, chunk: int, pool: NamePool):  # type: ignore[no-untyped-def]
    """Yield a tuple per member of ``chunk``: the values in the order of FIELDS (plain text:
    the loader encrypts and indexes), then the posts the member holds (empty for most)."""
    rng = random.Random(f"{plan.seed}:{plan.index}:{chunk}")
    rand = rng.random
    randint, choice = fast_draws(rng)  # what rng.randint / rng.choice draw
    today = plan.today
    today_ord = today.toordinal()
    latest_full_join = today_ord - 366  # full members joined at least a year ago
    oldest = add_years(today, -(MAX_AGE + 1)).toordinal() + 1  # born after: at most 95
    lo, hi = chunk * CHUNK, min(plan.members, (chunk + 1) * CHUNK)
    k_chunks = plan.chunks
    slots_per_key = len(range(chunk, SEQUENCES_PER_SEX, k_chunks))
    if slots_per_key == 0:
        raise ValueError("too many chunks in one county for unique ID numbers")
    used: dict[tuple[int, str], int] = {}
    make_id = IdNumbers(plan.region_code).make  # make_id_number's numbers
    prefix = plan.address_prefix
    streets = plan.streets
    street_map = dict(streets)
    slot_i = _slot_at(plan.slots, lo)
    slot = plan.slots[slot_i]
    names = pool.names
    for index in range(lo, hi):
        while index >= slot.start + slot.size:
            slot_i += 1
            slot = plan.slots[slot_i]
        kind = slot.kind
        offset = index - slot.start
        leader = offset < len(slot.leaders)

        # Age, sex, birth date (shifted by days while the order codes are used up).
        if leader:
            age = randint(30, 58)
        else:
            a, b = _AGE_W[kind].draw(rng)
            age = randint(a, b)
        women = WOMEN[kind] + (0.12 if age < 35 else -0.06 if age > 60 else 0.0)
        sex = "female" if rand() < women else "male"
        birth_ord = max(oldest, today_ord - int((age + rand()) * 365.2425) - 1)
        step = -1  # older while order codes are used up; younger at the 95-year limit
        while True:
            n = used.get((birth_ord, sex), 0)
            if n < slots_per_key:
                used[(birth_ord, sex)] = n + 1
                break
            if birth_ord + step < oldest:
                step = 1
            birth_ord += step
        birth = date.fromordinal(birth_ord)
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        if age < 18:  # not reachable with the ages drawn; kept as a guard for validity
            raise ValueError("generated a member under 18")
        id_number = make_id(birth, chunk + n * k_chunks, sex)

        # Joining: at 18 or later; probationary members joined within the last year.
        earliest = add_years(birth, 18).toordinal()
        share = PROBATIONARY_BY_AGE[age]
        probationary = (not leader and rand() < share) or earliest > latest_full_join
        if probationary:
            joined_ord = randint(max(earliest, today_ord - 364), today_ord)
            full = None
        else:
            join_age = rng.triangular(18.0, max(18.5, min(age - 1.0, 55.0)), 24.0)
            joined_ord = min(latest_full_join, max(earliest, birth_ord + int(join_age * 365.25)))
            full = add_years(date.fromordinal(joined_ord), 1)
        joined = date.fromordinal(joined_ord)

        # Education and occupation.
        group = "young" if age < 35 else "mid" if age < 55 else "old"
        level = "high" if leader and kind != "village" else LEVEL[kind]
        education = _EDU_W[(level, group)].draw(rng)
        if age >= 60 and kind not in RURAL and not leader:
            occupation = "retired"
        else:
            occupation = _OCC_W[kind].draw(rng)
            if occupation == "student" and age > 28:
                occupation = "professional" if kind == "school" else "other"
        if leader:
            job = LEADER_JOBS[kind] if offset == 0 else choice(JOBS[occupation])
        else:
            job = choice(JOBS_BY_KIND.get((kind, occupation)) or JOBS[occupation])

        era = "new" if birth.year >= NEW_ERA_FROM else "old"
        name = choice(names[(sex, era)])[0]

        # Contact data.
        phone = "" if rand() < (0.12 if age > 75 else 0.02) else (
            f"{choice(MOBILE_PREFIXES)}{randint(0, 99_999_999):08d}"
        )  # fmt: skip
        landline = f"0912-{randint(2_000_000, 8_999_999)}" if rand() < 0.08 else ""
        if slot.town in street_map or (not slot.town and street_map):
            # A street's branches, or a county-level unit: a flat in a community.
            if slot.village:
                street, community = slot.town, slot.village
            elif slot.town:
                street, community = slot.town, choice(street_map[slot.town])
            else:
                street, communities = choice(streets)
                community = choice(communities)
            address = prefix + ADDRESS_FORMAT["urban"].format(
                street=street,
                community=community,
                building=randint(1, 30),
                unit=randint(1, 6),
                room=f"{randint(1, 18)}{randint(1, 4):02d}",
            )
        elif slot.village:  # a village (or a firm in one)
            address = prefix + ADDRESS_FORMAT["rural"].format(
                town=slot.town, village=slot.village, group=randint(1, 9), no=randint(1, 120)
            )
        else:  # a town's organ, school or health centre: the town's high street
            address = prefix + ADDRESS_FORMAT["town"].format(
                town=slot.town or choice(plan.towns), street=choice(TOWN_STREETS),
                no=randint(1, 200),
            )  # fmt: skip
        flowing = (kind in RURAL and 20 <= age <= 55 and rand() < 0.12) or rand() < 0.01
        destination = choice(FLOW_DESTINATIONS) if flowing else ""

        yield (
            slot.org_id,
            name,
            id_number,
            sex,
            ETHNICITY.draw(rng),
            birth,
            education,
            "probationary" if probationary else "full",
            joined,
            full,
            job,
            occupation,
            phone,
            landline,
            address,
            flowing,
            destination,
            slot.leaders[offset] if leader else (),
        )


def _slot_at(slots: list[Slot], index: int) -> int:
    lo, hi = 0, len(slots) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if slots[mid].start <= index:
            lo = mid
        else:
            hi = mid - 1
    return lo


__all__ = [
    "CHUNK",
    "FIELDS",
    "SEQUENCES_PER_SEX",
    "CountyPlan",
    "NamePool",
    "Slot",
    "add_years",
    "generate_chunk",
]
