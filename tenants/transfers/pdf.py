"""The letters as PDFs. The introduction letter (组织关系介绍信, 组通字〔2006〕45号):
three parts on one page — 存根 (stub, with room for the receipt), 介绍信 (the letter,
seam seal) and 回执 (receipt) — rendered by WeasyPrint with Noto Sans CJK, with a QR
code (segno) that opens the public verification page. Validity is written in capitals
(大写) as the form requires. The 党员证明信 (proof letter for a stay under six months) is one page.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string

from shared.standards.selectors import code_name
from tenants.transfers.models import Letter, ProofLetter
from tenants.transfers.services.common import committee_of
from zhdj.pii.idnumber import age_on

DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital_number(n: int) -> str:
    """1 → 壹, 10 → 壹拾, 30 → 叁拾, 45 → 肆拾伍, 90 → 玖拾 (up to 999)."""
    if not 0 < n < 1000:
        raise ValueError("validity must be 1–999 days")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = ""
    if hundreds:
        out += DIGITS[hundreds] + "佰"
        if tens == 0 and ones:
            out += "零"
    if tens:
        out += DIGITS[tens] + "拾"
    if ones:
        out += DIGITS[ones]
    return out


def verify_url(letter: Letter) -> str:
    return f"{settings.ZHDJ_LETTER_VERIFY_BASE}{letter.token}/"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def letter_html(letter: Letter) -> str:
    url = verify_url(letter)
    return render_to_string(
        "transfers/letter_pdf.html",
        {
            "letter": letter,
            "validity_capital": capital_number(letter.validity_days),
            "qr": qr_svg(url),
            "verify_url": url,
        },
    )


def letter_pdf(letter: Letter) -> bytes:
    from weasyprint import HTML

    return HTML(string=letter_html(letter)).write_pdf()


def proof_html(proof: ProofLetter) -> str:
    member = proof.member
    org = member.org
    committee = committee_of(org) if org is not None else None
    names = (committee.name if committee else "", org.name if org else "")
    issuer = " ".join(n for n in names if n)
    return render_to_string(
        "transfers/proof_pdf.html",
        {
            "p": proof,
            "age": age_on(member.birth_date, proof.issued_on),
            "ethnicity": code_name("ethnicity", member.ethnicity_code) or member.ethnicity_code,
            "category": "正式党员" if member.category_code == "full" else "预备党员",
            "issuer": issuer if committee is None or committee.pk != org.pk else org.name,
            "months_capital": capital_number(proof.months),
        },
    )


def proof_pdf(proof: ProofLetter) -> bytes:
    from weasyprint import HTML

    return HTML(string=proof_html(proof)).write_pdf()
