"""The introduction letter's layout (组通字〔2006〕45号), checked on WeasyPrint's layout
boxes rather than pixels: one page, the QR code covers no text, the seal areas hold nothing
but their label, and the dates are laid out where a reader sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from weasyprint import HTML
from weasyprint.formatting_structure import boxes as wboxes

from tenants.transfers.models import Kind
from tenants.transfers.pdf import letter_html
from tenants.transfers.services import LetterData, letter_issue, transfer_start
from tests.tenants.transfers.conftest import new_member, scope, user

LETTER = LetterData(
    validity_days=30,
    sender_address="陕西省榆林市榆阳区新建南路1号中共榆阳区委组织部党员服务中心",
    sender_phone="0912-3333333",
    sender_postcode="719000",
    sender_fax="0912-3333334",
    dues_paid_until=date(2026, 3, 1),
)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


def _rect(box) -> Rect:  # type: ignore[no-untyped-def]
    return Rect(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _walk(box):  # type: ignore[no-untyped-def]
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child)


def _layout(html: str):  # type: ignore[no-untyped-def]
    document = HTML(string=html).render()
    boxes = list(_walk(document.pages[0]._page_box))
    by_id: dict[str, Rect] = {}
    texts: list[tuple[str, Rect]] = []
    qr = None
    for box in boxes:
        element = getattr(box, "element", None)
        if element is not None and element.get("id") and box.element_tag != "html":
            by_id.setdefault(element.get("id"), _rect(box))
        if isinstance(box, wboxes.ReplacedBox):
            qr = _rect(box)
        if isinstance(box, wboxes.TextBox) and box.text.strip():
            texts.append((box.text, _rect(box)))
    return document, by_id, texts, qr


def _issued(member):  # type: ignore[no-untyped-def]
    transfer = transfer_start(
        scope=scope("admin"),
        actor=user("admin"),
        member=member,
        kind=Kind.CITY_OUT,
        reason="考入外省公务员",
        to_name="中共西安市雁塔区电子城街道工作委员会",
    )
    return letter_issue(scope=scope("admin"), actor=user("admin"), transfer=transfer, data=LETTER)


def test_the_qr_code_covers_no_text_no_seal_and_no_date(in_alpha):
    letter = _issued(new_member())
    document, by_id, texts, qr = _layout(letter_html(letter))
    assert len(document.pages) == 1, "the three parts fit on one A4 page"
    assert qr is not None and qr.w > 50, "the verification QR code is printed"
    for area in ("seal-letter", "seal-receipt", "letter-date", "stub-date", "contact"):
        assert not qr.overlaps(by_id[area]), area
    for text, rect in texts:
        assert not qr.overlaps(rect), f"the QR code covers “{text}”"


def test_the_seal_areas_are_blank_and_the_dates_are_printed(in_alpha):
    letter = _issued(new_member())
    _document, by_id, texts, _qr = _layout(letter_html(letter))
    for seal in ("seal-letter", "seal-receipt"):
        inside = {t for t, r in texts if r.overlaps(by_id[seal])}
        assert inside <= {"（盖章）"}, (seal, inside)
    issued = f"{letter.issued_on.year}年{letter.issued_on.month}月{letter.issued_on.day}日"
    for where in ("letter-date", "stub-date"):
        printed = "".join(t for t, r in texts if by_id[where].overlaps(r))
        assert issued in printed, where
    # the dates sit under the seals, where a stamp goes over the committee's name, not the date
    assert by_id["letter-date"].y >= by_id["seal-letter"].y + by_id["seal-letter"].h
    every = "".join(t for t, _r in texts)
    for field in (letter.serial, letter.id_number, "2026年3月", "叁拾", "719000", "0912-3333334"):
        assert field in every, field
