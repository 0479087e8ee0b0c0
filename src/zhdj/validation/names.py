"""What a person's name (姓名) and other free text may hold: one rule for every app.

A 姓名 is what a person has on their ID card or passport: Chinese characters (GB 18030),
the middle dot of minority names (阿依古丽·买买提), Latin letters with single spaces for
foreign-born members (John Smith). People type the dot in several ways (the katakana
dot of Chinese IMEs, the bullet); all become U+00B7, the dot of GB 18030's name rules.

Any other free text (address, job title, reasons) may hold anything printable but no
control or format characters: NUL breaks exports and PostgreSQL, and bidi overrides or
zero-width characters make a text show something else than it stores (张\u202e三).
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

NAME_DOT = "\u00b7"
# What people type for the middle dot: katakana middle dot (Chinese IMEs), bullet,
# halfwidth katakana middle dot, hyphenation point, Greek ano teleia, dot operator.
DOT_VARIANTS = "\u30fb\u2022\uff65\u2027\u0387\u22c5"
_DOTS = str.maketrans(dict.fromkeys(DOT_VARIANTS, NAME_DOT))
_SPACES = re.compile(r"[ \u3000]+")
# 〇 is a Chinese character of names (李〇) although Unicode files it as a number.
_HAN_EXTRA = {"\u3007"}
# Line breaks and tabs belong to multi-line text (reasons, notes); the rest of Cc does not.
_TEXT_WHITESPACE = {"\n", "\r", "\t"}


def normalize_name(value: str | None) -> str:
    """NFC, every dot variant as U+00B7, runs of spaces as one, no spaces at the ends."""
    text = unicodedata.normalize("NFC", value or "").translate(_DOTS)
    return _SPACES.sub(" ", text).strip()


def _is_han(ch: str) -> bool:
    return ch in _HAN_EXTRA or unicodedata.name(ch, "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def _is_latin(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch).startswith("C")


def _gb18030(text: str) -> bool:
    try:
        text.encode("gb18030")
    except UnicodeError:
        return False
    return True


def _char_problem(ch: str, label: str) -> str | None:
    if ch in (NAME_DOT, " ") or _is_han(ch) or _is_latin(ch):
        return None
    category = unicodedata.category(ch)
    if category.startswith("N"):
        return f"{label}不能含有数字“{ch}”。"
    if category == "So":
        return f"{label}不能含有表情或符号“{ch}”。"
    return f"{label}不能含有“{ch}”，只能填写汉字、间隔号“·”、拉丁字母和空格。"


def name_problem(name: str, *, label: str = "姓名") -> str | None:
    """Why the normalized ``name`` cannot be a person's name, or None."""
    if not name:
        return f"请填写{label}。"
    if any(_invisible(ch) for ch in name):
        return f"{label}含有不可见的控制字符或格式字符，请删除后重新输入。"
    if not _gb18030(name):
        return f"{label}含有国家标准 GB 18030 以外的字符。"
    problem = next((p for p in (_char_problem(ch, label) for ch in name) if p), None)
    if problem is None and (name[0] == NAME_DOT or name[-1] == NAME_DOT or NAME_DOT * 2 in name):
        problem = f"{label}中的间隔号“·”只能用在两部分姓名之间。"
    if problem is None and (f" {NAME_DOT}" in name or f"{NAME_DOT} " in name):
        problem = f"{label}中的间隔号“·”前后不能有空格。"
    return problem


def clean_name(value: str | None, *, label: str = "姓名") -> str:
    """The normalized name; ValidationError with a Chinese message naming ``label``."""
    name = normalize_name(value)
    problem = name_problem(name, label=label)
    if problem:
        raise ValidationError(problem, code="name")
    return name


def text_problem(text: str, *, label: str) -> str | None:
    """Why free ``text`` (an address, a reason) cannot be stored, or None."""
    for ch in text:
        if _invisible(ch) and ch not in _TEXT_WHITESPACE:
            return f"{label}含有不可见的控制字符或格式字符，请删除后重新输入。"
    return None


def clean_text(value: str | None, *, label: str) -> str:
    text = value or ""
    problem = text_problem(text, label=label)
    if problem:
        raise ValidationError(problem, code="text")
    return text


class NameField(forms.CharField):
    """A form field for a person's name: normalized, checked by ``clean_name`` (before
    Django's own validators, whose NUL message is less clear)."""

    def to_python(self, value):  # type: ignore[no-untyped-def]
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_name(value, label=str(self.label or "姓名"))


class TextField(forms.CharField):
    """A form field of free text that refuses control and format characters. Line breaks
    are stored as typed ("\n"): browsers send a textarea's breaks as "\r\n"."""

    def to_python(self, value):  # type: ignore[no-untyped-def]
        text = clean_text(super().to_python(value), label=str(self.label or "内容"))
        return text.replace("\r\n", "\n")
