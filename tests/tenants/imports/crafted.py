"""Crafted workbooks: archives that lie about their sizes, bombs, huge shared strings."""

from __future__ import annotations

import struct
import zipfile
from io import BytesIO

from tests.tenants.imports.conftest import row, workbook


def _replace_part(content: bytes, name: str, data: bytes) -> bytes:
    """The workbook ``content`` with part ``name`` replaced by ``data`` (deflated)."""
    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = data if info.filename == name else source.read(info.filename)
            target.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
        if name not in source.namelist():
            target.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def lying_sizes(declared: int = 1000) -> bytes:
    """A workbook whose sheet inflates to 64 MB while every header declares ``declared``
    bytes (the old guard summed the declared sizes and let it through)."""
    base = workbook([row(1)])
    sheet = "xl/worksheets/sheet1.xml"
    padded = _replace_part(base, sheet, b" " * (64 * 1024 * 1024))
    data = bytearray(padded)
    # Patch the uncompressed size in the local header and the central directory entry.
    archive = zipfile.ZipFile(BytesIO(padded))
    info = archive.getinfo(sheet)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        if position < 0:
            break
        name_len = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_len]) == sheet.encode():
            struct.pack_into("<I", data, position + 24, declared)
            break
        position += 4
    return bytes(data)


def bomb(inflated: int = 500 * 1024 * 1024) -> bytes:
    """A workbook whose sheet inflates past the budget (declared honestly)."""
    return _replace_part(workbook([row(1)]), "xl/worksheets/sheet1.xml", b" " * inflated)


def huge_shared_strings(count: int = 2_100_000) -> bytes:
    """More shared strings than openpyxl may hold in memory (each one tiny)."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"<si><t>x</t></si>" * count
        + b"</sst>"
    )
    return _replace_part(workbook([row(1)]), "xl/sharedStrings.xml", body)


def nested_archive() -> bytes:
    content = workbook([row(1)])
    out = BytesIO(content)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/embeddings/inner.zip", content)
    return out.getvalue()


def escaping_path() -> bytes:
    content = workbook([row(1)])
    out = BytesIO(content)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("../../evil.xml", b"<x/>")
    return out.getvalue()
