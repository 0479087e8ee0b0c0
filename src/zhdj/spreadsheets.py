"""Rows written to Excel exports, as text where text is given.

openpyxl stores a string that starts with ``=`` as a formula. Names, units and contact
fields come from people (an organization named "=HYPERLINK(…)" or a member's typed
address), and a formula runs in the Excel of whoever opens the export (CSV/formula
injection). Every export writes its rows through ``append`` (normal worksheets) or
``text`` (write-only worksheets), which keep such strings as strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet


def append(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append(values)``, with every string stored as a string."""
    values = list(values)
    ws.append(values)
    for cell, value in zip(ws[ws.max_row], values, strict=False):
        if isinstance(value, str) and cell.data_type == "f":
            cell.data_type = "s"


def text(ws: Any, value: Any) -> Any:
    """A value for a write-only worksheet's row: a string stays a string."""
    if not isinstance(value, str) or value[:1] != "=":
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell
