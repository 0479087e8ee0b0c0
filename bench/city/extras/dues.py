"""2. Dues (党费, domain-rules §2): accounts, bases and reductions, the app's bills for the last
months, their payments loaded by COPY (the online ones registered in the public order
registry), the bills settled in one UPDATE, then the app's arrears scan (the shares: the
package docstring)."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bench.city.extras.common import (
    BATCH,
    _admin,
    _bulk_load,
    _check_columns,
    _copy,
    _days,
    _digest,
    _insert,
    _loaded,
    _loading,
    _Moments,
    _rng,
)
from bench.city.pools import Weighted

CHANNELS = Weighted(
    [("wechat", 45), ("alipay", 30), ("unionpay", 7), ("cash", 13), ("bank_transfer", 5)]
)


CHANNELS_RURAL = Weighted(
    [("cash", 45), ("wechat", 35), ("alipay", 10), ("unionpay", 5), ("bank_transfer", 5)]
)


SALARY_YUAN = {  # occupation → (low, high, mode) of the net monthly income in 元
    "official": (4200, 9500, 6000),
    "professional": (3800, 13000, 6500),
    "manager": (5000, 16000, 8000),
    "worker": (2800, 8000, 4500),
    "other": (2500, 6000, 3500),
    "": (3000, 8000, 4500),
}


ONLINE = ("alipay", "wechat", "unionpay")


ORDER_COLUMNS = {"id", "order_no", "schema_name", "channel", "amount_fen", "created_at"}


@dataclass
class _Payer:
    pk: int
    org_id: int
    joined: date
    index: str
    category: str
    base_fen: int
    habit: str  # pays / pairs / late / late2 / never
    channel: str
    quarterly: bool = False


def _profile(rng: random.Random, occupation: str) -> tuple[str, int]:
    """(dues category, base in 分) for a member's occupation (党费缴纳类别, 基数)."""
    if occupation == "retired":
        return "retired", rng.randint(220_000, 650_000)
    if occupation in ("farmer", "student"):
        return occupation, 0
    if occupation == "manager" and rng.random() < 0.12:
        return "annual_salary", int(rng.triangular(8000, 30000, 12000) * 100)
    if occupation == "other":
        roll = rng.random()
        if roll < 0.45:
            return "self_employed", int(rng.triangular(2000, 9000, 3500) * 100)
        if roll < 0.6:
            return "unemployed", 0
        if roll < 0.65:
            return "low_income", 0
    low, high, mode = SALARY_YUAN.get(occupation, SALARY_YUAN[""])
    return "in_service", int(rng.triangular(low, high, mode) * 100)


def _habit(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.005:
        return "never"
    if roll < 0.03:
        return "late"
    if roll < 0.04:
        return "late2"
    return "pairs" if roll < 0.12 else "pays"


def dues(schema: str, seed: int, today: date, months: int = 3) -> int:
    """Dues standing data, ``months`` of bills (this month included) and their payments in
    one county (see the package docstring). Returns the bills of those months."""
    from tenants.access.scope import Scope
    from tenants.dues.billing import arrears_scan, bills_generate
    from tenants.dues.calc import add_months, month_start
    from tenants.dues.models import DuesBill

    if months < 1:
        raise ValueError("months must be at least 1")
    rng = _rng(seed, schema, "dues")
    _require_no_dues(schema)
    current = month_start(today)
    first = add_months(current, 1 - months)
    with _loading(schema):
        admin = _admin()
        payers = _payers(rng, first)
        _standing(rng, payers, first, current, admin)
        for n in range(months):
            bills_generate(scope=Scope.system(), month=add_months(first, n))
        _pay(schema, seed, rng, payers, first, today, admin)
        arrears_scan(scope=Scope.system(), through=current)
        return DuesBill.objects.filter(month__gte=first, month__lte=current).count()


def _require_no_dues(schema: str) -> None:
    from django_tenants.utils import schema_context

    from tenants.dues.models import DuesAccount

    with schema_context(schema):
        if DuesAccount.objects.exists():
            raise RuntimeError(f"{schema} already has dues accounts: generate into a new city")


def _payers(rng: random.Random, first: date) -> list[_Payer]:
    from tenants.members.models import Member

    rows = (
        Member.objects.filter(party_status_code="normal")
        .order_by("id_number_index")
        .values_list("pk", "org_id", "joined_at", "id_number_index", "occupation_code")
    )
    payers = []
    for pk, org_id, joined, index, occupation in rows.iterator(chunk_size=BATCH):
        category, base = _profile(rng, occupation)
        rural = occupation in ("farmer", "retired")
        channel = (CHANNELS_RURAL if rural else CHANNELS).draw(rng)
        payers.append(_Payer(pk, org_id, joined, index, category, base, _habit(rng), channel))
    return payers


def _standing(
    rng: random.Random, payers: list[_Payer], first: date, current: date, admin: Any
) -> None:
    """Branch policies, accounts, bases and reductions, as the dues services write them."""
    from django.utils import timezone

    from shared.standards.models import DuesCategory
    from tenants.dues.calc import add_months, month_start
    from tenants.dues.models import BranchDuesPolicy, DuesAccount, DuesBase

    fixed = set(
        DuesCategory.objects.filter(scheme=DuesCategory.Scheme.FIXED).values_list("code", flat=True)
    )
    orgs = sorted({p.org_id for p in payers})
    quarterly_orgs = {o for o in orgs if rng.random() < 0.05}
    BranchDuesPolicy.objects.bulk_create(
        [BranchDuesPolicy(org_id=o, quarterly_allowed=True) for o in sorted(quarterly_orgs)]
    )
    now = timezone.now()
    accounts, bases = [], []
    for p in payers:
        p.quarterly = p.org_id in quarterly_orgs and rng.random() < 0.4
        accounts.append(
            {"member_id": p.pk, "pays_from": p.joined, "quarterly": p.quarterly, "updated_at": now}
        )
        base = 0 if p.category in fixed else p.base_fen
        since = max(month_start(p.joined), first.replace(month=1))
        bases.append(_base(p, base, since, admin, "年度核定", now))
        raise_from = add_months(current, -1)
        if base and p.category == "in_service" and since < raise_from and rng.random() < 0.04:
            raised = base * rng.randint(103, 108) // 100
            bases.append(_base(p, raised, raise_from, admin, "调资", now))
    _insert(DuesAccount, accounts)
    _insert(DuesBase, bases)
    _reductions(rng, payers, first, current, admin)


def _base(
    p: _Payer, base_fen: int, since: date, admin: Any, note: str, now: datetime
) -> dict[str, Any]:
    """A DuesBase row as ``dues_base_set`` writes it (fixed categories have base 0)."""
    return {
        "member_id": p.pk,
        "category_code": p.category,
        "base_fen": base_fen,
        "from_month": since,
        "note": note,
        "recorded_by_id": admin.pk,
        "created_at": now,
    }


def _reductions(
    rng: random.Random, payers: list[_Payer], first: date, current: date, admin: Any
) -> None:
    """0.1 % approved hardship reductions or exemptions (支部决定, 党委批准), 0.05 % waiting."""
    from tenants.dues.calc import add_months
    from tenants.dues.models import DuesReduction

    rows = []
    for p in payers:
        roll = rng.random()
        if roll >= 0.0015:
            continue
        decided = first - _days(rng.randint(5, 40))
        approved = roll < 0.001
        exempt = rng.random() < 0.5
        rows.append(
            DuesReduction(
                member_id=p.pk,
                kind=DuesReduction.Kind.EXEMPT if exempt else DuesReduction.Kind.REDUCE,
                monthly_fen=0 if exempt else 20,
                from_month=first if approved else current,
                to_month=add_months(current, rng.randint(2, 9)),
                reason=rng.choice(("因病生活困难", "家庭遭受重大变故", "失业后生活困难")),
                branch_decided_on=decided,
                branch_decision="支部委员会会议研究决定",
                status=DuesReduction.Status.APPROVED if approved else DuesReduction.Status.PENDING,
                approved_on=decided + _days(rng.randint(3, 15)) if approved else None,
                approval_note="同意" if approved else "",
                approved_by=admin if approved else None,
            )
        )
    DuesReduction.objects.bulk_create(rows)


def _pay(
    schema: str,
    seed: int,
    rng: random.Random,
    payers: list[_Payer],
    first: date,
    today: date,
    admin: Any,
) -> None:
    """Payments of the window's bills (COPY), the online ones registered in public, and
    the bills settled in one UPDATE."""
    from tenants.dues.models import DuesBill, DuesPayment

    bills: dict[int, list[tuple[int, date, int]]] = defaultdict(list)
    rows = DuesBill.objects.filter(
        month__gte=first, status=DuesBill.Status.UNPAID, amount_fen__gt=0
    ).values_list("member_id", "pk", "month", "amount_fen")
    for member_id, pk, month, amount in rows.iterator(chunk_size=BATCH):
        bills[member_id].append((pk, month, amount))
    payments, settled = [], []
    receipts: Counter[str] = Counter()
    moments = _Moments()
    for p in payers:
        for group in _groups(p, sorted(bills.get(p.pk, []), key=lambda b: b[1]), today, first):
            row, paid_at = _payment(schema, seed, rng, p, group, today, admin, receipts, moments)
            payments.append(row)
            settled += [(b[0], row, paid_at) for b in group]
    _insert(DuesPayment, payments)
    _register_orders(
        [
            (r["order_no"], schema, r["channel"], r["amount_fen"], r["created_at"])
            for r in payments
            if r["channel"] in ONLINE
        ]
    )
    _settle([(bill, row["id"], paid_at) for bill, row, paid_at in settled])


def _settle(settled: list[tuple[int, int, datetime]]) -> None:
    """Mark the bills paid in one UPDATE (as ``_settle`` of a gateway notice does per
    order), in bulk-load mode with their update audit rows."""
    from django.db import connection

    from tenants.dues.models import DuesBill

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE extras_paid (bill_id bigint PRIMARY KEY, payment_id bigint, "
            "paid_at timestamptz)"
        )
    _copy("extras_paid", ["bill_id", "payment_id", "paid_at"], settled)
    with _bulk_load(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {DuesBill._meta.db_table} b SET status = 'paid', payment_id = t.payment_id, "
            "paid_at = t.paid_at FROM extras_paid t WHERE b.id = t.bill_id AND b.status = 'unpaid'"
        )
        if cursor.rowcount != len(settled):
            raise RuntimeError(f"settled {cursor.rowcount} bills of {len(settled)}")
        cursor.execute("DROP TABLE extras_paid")
    _loaded(DuesBill, "update", [bill for bill, _, _ in settled])


def _groups(
    p: _Payer, bills: list[tuple[int, date, int]], today: date, first: date
) -> list[list[tuple[int, date, int]]]:
    """The member's bills paid together, in order; trailing ones left unpaid by habit.
    A group is paid in the month its last bill was made (a quarter's in its first month)."""
    from tenants.dues.calc import month_start

    if p.habit == "never" or not bills:
        return []
    current = month_start(today)
    if p.quarterly:
        keyed: dict[Any, list] = defaultdict(list)
        for b in bills:
            start = b[1].replace(month=(b[1].month - 1) // 3 * 3 + 1)
            keyed[start if start >= first else b[1]].append(b)
        groups = [keyed[k] for k in sorted(keyed)]
    else:
        size = 2 if p.habit == "pairs" else 1
        due = [b for b in bills if b[1] <= current]
        groups = [due[i : i + size] for i in range(0, len(due), size)]
    unpaid = {"late": 1, "late2": 2}.get(p.habit, 0)
    return groups[: len(groups) - unpaid] if unpaid else groups


def _payment(
    schema: str,
    seed: int,
    rng: random.Random,
    p: _Payer,
    group: list[tuple[int, date, int]],
    today: date,
    admin: Any,
    receipts: Counter[str],
    moments: _Moments,
) -> tuple[dict[str, Any], datetime]:
    """One DuesPayment row (what ``payment_notice_apply`` or ``payment_offline_record``
    leaves behind) for a group of bills."""
    months = [b[1] for b in group]
    made = min(months) if p.quarterly else max(months)
    this_month = (made.year, made.month) == (today.year, today.month)
    # This month's payments were made by yesterday (on the 1st: early this morning).
    last_day = max(1, today.day - 1) if this_month else 28
    paid_at = moments.at(made.replace(day=rng.randint(1, last_day)), rng, 7, 22)
    channel = p.channel if rng.random() < 0.85 else CHANNELS.draw(rng)
    online = channel in ONLINE
    created = paid_at - timedelta(seconds=rng.randint(20, 900)) if online else paid_at
    bills_fen = sum(b[2] for b in group)
    voluntary = rng.randint(1, 50) * 1000 if rng.random() < 0.005 else 0
    key = _digest(seed, schema, p.index, months[0])
    prefix = "DF" if online else "XJ" if channel == "cash" else "ZZ"
    stamp = created.strftime("%Y%m%d%H%M%S")  # Beijing time, as ``order_no_new``
    receipt = ""
    if not online:
        tag = f"{prefix}{paid_at:%Y%m}"
        receipts[tag] += 1
        receipt = f"{tag}-{receipts[tag]:05d}"
    row = {
        "order_no": f"{prefix}{stamp}{key % 16**10:010X}",
        "member_id": p.pk,
        "org_id": p.org_id,
        "channel": channel,
        "status": "paid",
        "bills_fen": bills_fen,
        "voluntary_fen": voluntary,
        "amount_fen": bills_fen + voluntary,
        "bill_months": json.dumps([m.isoformat() for m in months]),
        "provider_txn_id": _txn_id(channel, paid_at, key) if online else None,
        "receipt_no": receipt,
        "paid_at": paid_at,
        "recorded_by_id": None if online else admin.pk,
        "created_at": created,
    }
    return row, paid_at


def _txn_id(channel: str, paid_at: datetime, key: int) -> str:
    """A provider transaction id shaped like the channel's (28 / 28 / 21 characters)."""
    digits = f"{key % 10**24:024d}"
    if channel == "alipay":
        return f"{paid_at:%Y%m%d}2200{digits[:16]}"
    if channel == "wechat":
        return f"4200{digits}"
    return f"{paid_at:%m%d}{digits[:17]}"


def _register_orders(orders: list[tuple]) -> None:
    """Order number → county in the public registry (``order_register``), by COPY."""
    from shared.payments.models import PaymentOrder

    _check_columns(PaymentOrder, ORDER_COLUMNS)
    columns = ["order_no", "schema_name", "channel", "amount_fen", "created_at"]
    _copy(f"public.{PaymentOrder._meta.db_table}", columns, orders)
