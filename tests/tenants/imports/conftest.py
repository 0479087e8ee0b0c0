"""Helpers for the import tests: workbooks built in memory, and clean-up of stored files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context
from openpyxl import Workbook

from shared.accounts.models import User
from tenants.access.scope import Scope, scope_for
from tenants.imports.columns import HEADERS
from tests.support.world import ALPHA, BETA
from zhdj.pii.idnumber import make_id_number

VILLAGE = "榆阳区某村党支部"
OTHER_VILLAGE = "榆阳区另一村党支部"
TOWN = "榆阳区某镇党委"


def id_number(seq: int, *, birth: date = date(1992, 5, 17), sex: str = "female") -> str:
    return make_id_number("610802", birth, seq, sex)


def row(seq: int = 1, **overrides: Any) -> list[Any]:
    """One data row in column order; keyword arguments by header."""
    values: dict[str, Any] = {
        "姓名": "张三",
        "公民身份号码": id_number(seq),
        "性别": None,
        "民族": "汉族",
        "学历": "大学本科毕业",
        "人员类别": "正式党员",
        "所在党支部": VILLAGE,
        "加入党组织日期": "2015-07-01",
        "转为正式党员日期": "2016-07-01",
        "工作岗位": "会计",
        "职业": "工人",
        "手机号": "13912345678",
        "固定电话": "0912-3456789",
        "家庭住址": "榆林市榆阳区新建路 8 号",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def workbook(rows: list[list[Any]], *, headers: list[Any] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "党员信息"
    ws.append(list(HEADERS) if headers is None else headers)
    for values in rows:
        ws.append(values)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "党员.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def in_alpha(db, alpha) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        yield
    connection.set_schema_to_public()


def user(username: str) -> User:
    return User.objects.get(username=username)


def scope_of(username: str) -> Scope:
    return scope_for(user(username))


@pytest.fixture(autouse=True)
def _check_in_process(settings) -> None:  # type: ignore[no-untyped-def]
    """Production checks every file in the worker (INLINE_MAX_BYTES = 0); these tests run
    the worker's step in-process, where the check happens, for files up to 200 KB (the
    tests of the worker path set 0 again, test_worker.py runs a real worker)."""
    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = 200 * 1024


@pytest.fixture(autouse=True)
def _no_stray_files() -> Iterator[None]:
    """Tests roll back their rows, not their files: remove uploads a test left behind."""
    root = Path(settings.MEDIA_ROOT)
    before = set(root.glob("*/imports/*"))
    yield
    for path in set(root.glob("*/imports/*")) - before:
        path.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _no_stored_imports() -> None:
    """Each test starts with no import file on disk (what it checks is that its own jobs
    leave none): a workbook another run left behind (the page sweep's job, a killed run)
    is not this test's."""
    for schema in (ALPHA.schema, BETA.schema):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / schema / "imports", ignore_errors=True)


def stored_files(schema: str) -> set[Path]:
    return set((Path(settings.MEDIA_ROOT) / schema / "imports").glob("*"))
