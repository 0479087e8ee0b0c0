"""What every gateway adapter shares: notices, checkouts, bill rows, keys, money."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from django.conf import settings

from zhdj.formats import yuan_plain

# Gateways in China write times in Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")


class SignatureInvalid(Exception):
    """The notification is not signed by the gateway (forged, altered, a signature probe)."""


class NoticeRejected(Exception):
    """Signed, but not for us (another app id / merchant) or not well formed."""


class CheckoutFailed(Exception):
    """A payment could not be started: the gateway is not configured (a key missing or
    unreadable), not reachable, or refused the order request. The payer never got to it."""


@dataclass(frozen=True)
class Order:
    order_no: str
    amount_fen: int
    subject: str
    return_url: str
    notify_url: str
    gateway_base: str  # the double's base URL on the public host (when the double is on)
    expires_at: datetime | None = None  # the gateway refuses payment after it


@dataclass(frozen=True)
class Checkout:
    url: str
    method: str  # "get" or "post"
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Notice:
    channel: str
    notify_id: str  # the gateway's id of this notification (replay / duplicate key)
    order_no: str
    txn_id: str
    amount_fen: int
    success: bool  # the trade is paid
    raw: str  # the body as received, for the encrypted archive


@dataclass(frozen=True)
class BillRow:
    order_no: str
    txn_id: str
    amount_fen: int
    paid_at: str


def pay_setting(name: str) -> str:
    return str(settings.ZHDJ_PAY[name])


@cache
def _read(path: str) -> bytes:
    if not path:
        raise RuntimeError("payment key path is not configured (ZHDJ_PAY_* settings)")
    return Path(path).read_bytes()


def private_key(setting: str) -> RSAPrivateKey:
    key = serialization.load_pem_private_key(_read(pay_setting(setting)), password=None)
    assert isinstance(key, RSAPrivateKey)
    return key


def public_key(setting: str) -> RSAPublicKey:
    key = serialization.load_pem_public_key(_read(pay_setting(setting)))
    assert isinstance(key, RSAPublicKey)
    return key


def pem_text(setting: str) -> str:
    return _read(pay_setting(setting)).decode()


def yuan(fen: int) -> str:
    """12345 → "123.45" (Alipay's total_amount, UnionPay's and the bill files' amounts)."""
    return yuan_plain(fen)


def fen_of(text: str) -> int:
    """ "123.45" → 12345; anything but a plain amount with at most two decimals is refused."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise NoticeRejected(f"bad amount {text!r}") from exc
    fen = value * 100
    if fen != fen.to_integral_value() or fen < 0:
        raise NoticeRejected(f"bad amount {text!r}")
    return int(fen)


def bill_row(order_no: str, txn_id: str, amount_yuan: str, paid_at: str) -> BillRow:
    """A line of a gateway's bill file: the amount in 元 (exact to the 分), the time
    ``YYYY-MM-DD hh:mm:ss`` in Beijing time."""
    try:
        paid = datetime.strptime(paid_at, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise NoticeRejected(f"bad time {paid_at!r} in the bill file") from exc
    return BillRow(order_no, txn_id, fen_of(amount_yuan), paid.isoformat())


def parse_day(day: str) -> datetime:
    return datetime.strptime(day, "%Y-%m-%d")  # noqa: DTZ007 - a calendar day, no time
