"""Template filters for member pages: masking and code names."""

from __future__ import annotations

from django import template

from shared.standards.selectors import code_name
from zhdj.pii.masking import mask_address, mask_id_number, mask_phone

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
register.filter("mask_address", mask_address)


@register.filter
def code(value: str, table: str) -> str:
    return code_name(table, value, default=value)
