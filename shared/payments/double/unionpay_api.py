"""The double's UnionPay file-transfer side (文件传输, ``fileTransfer.do``, txnType 76): the
day's reconciliation file, as UnionPay delivers it.

The merchant's request is verified like any UnionPay request; the answer is a signed
form (``signPubKeyCert`` + ``signature``, the double's TEST ONLY UnionPay certificate)
whose ``fileContent`` is the zip, deflated and base64-encoded. The zip holds the general
transaction detail file ``INN<yymmdd>88ZM_<merId>``: one fixed-width record per line,
fields separated by one space (widths in ``shared.payments.providers.unionpay``).
"""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from datetime import date
from urllib.parse import parse_qsl, urlencode

from django.utils import timezone

from shared.payments.double.gateway import KEYS, merchant_signature_ok, paid_trades, sign
from shared.payments.providers.base import pay_setting
from shared.payments.providers.unionpay import ZM_FIELDS, signing_string


def zm_record(values: dict[str, str]) -> str:
    return " ".join(values.get(name, "").ljust(width)[:width] for name, width in ZM_FIELDS)


def zm_file(day: str) -> bytes:
    lines = []
    for n, t in enumerate(paid_trades("unionpay", day), start=1):
        lines.append(
            zm_record(
                {
                    "tradeCode": "S22", "acqInsCode": "48020000", "sendInsCode": "00049998",
                    "traceNo": f"{n:06d}", "txnTime": t.paid_local.strftime("%m%d%H%M%S"),
                    "payCardNo": "6216***********0018", "txnAmt": f"{t.amount_fen:012d}",
                    "merCatCode": "8398", "termType": "08", "queryId": t.txn_id,
                    "orderId": t.order_no, "settleAmt": f"{t.amount_fen:013d}",
                    "txnType": "01", "txnSubType": "01", "bizType": "000201",
                    "merId": t.app_id,
                }
            )
        )  # fmt: skip
    return ("\r\n".join(lines) + ("\r\n" if lines else "")).encode("gbk")


def file_transfer(body: str) -> str:
    data = dict(parse_qsl(body, keep_blank_values=True))
    answer = {
        "version": "5.1.0", "encoding": "UTF-8", "signMethod": "01", "txnType": "76",
        "txnSubType": data.get("txnSubType", ""), "bizType": "000000", "accessType": "0",
        "merId": data.get("merId", ""), "settleDate": data.get("settleDate", ""),
        "txnTime": data.get("txnTime", ""), "fileType": data.get("fileType", ""),
    }  # fmt: skip
    day = _settle_day(data.get("settleDate", ""))
    if not merchant_signature_ok(signing_string(data), data.get("signature", "")):
        answer.update(respCode="11", respMsg="验证签名失败")
    elif data.get("txnType") != "76" or data.get("merId") != pay_setting("UNIONPAY_MER_ID"):
        answer.update(respCode="12", respMsg="交易类型或商户号错误")
    elif day is None or not paid_trades("unionpay", day):
        answer.update(respCode="98", respMsg="文件不存在")
    else:
        stamp = date.fromisoformat(day).strftime("%y%m%d")
        name = f"INN{stamp}88ZM_{data['merId']}"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, zm_file(day))
        answer.update(
            respCode="00",
            respMsg="成功[0000000]",
            fileName=f"{name}.zip",
            fileContent=base64.b64encode(zlib.compress(out.getvalue())).decode(),
        )
    answer["signPubKeyCert"] = (KEYS / "TEST_ONLY_unionpay_sign.crt").read_text()
    answer["signature"] = sign(signing_string(answer), "TEST_ONLY_unionpay_sign_private.pem")
    return urlencode(answer)


def _settle_day(mmdd: str) -> str | None:
    """UnionPay names the settlement day by month and day: the latest such day not after
    today."""
    today = timezone.localdate()
    try:
        day = date(today.year, int(mmdd[:2]), int(mmdd[2:]))
    except (ValueError, IndexError):
        return None
    if len(mmdd) != 4:
        return None
    if day > today:
        day = day.replace(year=today.year - 1)
    return day.isoformat()
