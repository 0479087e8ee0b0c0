"""Pinyin search keys of a Chinese name (姓名、组织名称的拼音检索键), shared by the member
database and the organization pickers."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def name_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials for search: 张三 → ("zhangsan", "zs")."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()
