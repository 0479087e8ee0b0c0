"""The numbered 流动党员活动证 as a PDF (WeasyPrint, Noto Sans CJK): the holder's name,
branch, issue date, reason, destination and period, the issuing base committee, and a QR
code (segno) that opens the public verification page, as the letters do
(``tenants.transfers.pdf``)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from tenants.flowing.models import Outflow
from tenants.transfers.pdf import qr_svg
from tenants.transfers.services.common import committee_of


def verify_url(outflow: Outflow) -> str:
    return f"{settings.ZHDJ_LETTER_VERIFY_BASE}{outflow.card_token}/"


def card_context(outflow: Outflow) -> dict[str, object]:
    url = verify_url(outflow)
    return {
        "o": outflow,
        "committee": committee_of(outflow.org).name,
        "qr": qr_svg(url),
        "verify_url": url,
    }


def card_html(outflow: Outflow) -> str:
    return render_to_string("flowing/card_pdf.html", card_context(outflow))


def card_pdf(outflow: Outflow) -> bytes:
    from weasyprint import HTML

    return HTML(string=card_html(outflow)).write_pdf()
