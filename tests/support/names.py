"""Generated person names for test data: a name holds no digits (zhdj.validation.names),
so a running number is written in Chinese numerals (导入12 → 导入一二)."""

from __future__ import annotations


def chinese_number(n: int) -> str:
    return "".join("零一二三四五六七八九"[int(c)] for c in str(n))
