"""A 50,000-row workbook: checked, previewed and written in one transaction (timing printed)."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from time import perf_counter

import pytest
from openpyxl import Workbook

from tenants.access.scope import Scope
from tenants.imports.columns import HEADERS
from tenants.imports.jobs import (
    import_job_commit,
    import_job_confirm,
    import_job_start,
    import_job_validate,
)
from tenants.imports.models import ImportJob
from tenants.members.models import Member
from tests.tenants.imports.conftest import OTHER_VILLAGE, VILLAGE, upload, user
from zhdj.pii.idnumber import make_id_number

pytestmark = pytest.mark.django_db

ROWS = 50_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟"]


def _big_workbook(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员信息")
    ws.append(list(HEADERS))
    first_birth = date(1960, 1, 1)
    for i in range(rows):
        sex = "male" if i % 2 else "female"
        birth = first_birth + timedelta(days=i // 1000)
        ws.append(
            [
                SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
                make_id_number("610802", birth, (i // 2) % 500, sex),
                "男" if sex == "male" else "女",
                "汉族",
                "大学本科毕业",
                "正式党员",
                VILLAGE if i % 3 else OTHER_VILLAGE,
                date(2010, 7, 1),
                "2011-07-01",
                "职员",
                "工人",
                f"139{i:08d}",
                None,
                f"榆林市榆阳区新建路 {i} 号",
            ]
        )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_fifty_thousand_rows_are_checked_previewed_and_written(in_alpha, settings, capsys):
    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = 0  # the worker's path, run here in-process
    settings.ZHDJ_IMPORT_INLINE_MAX_ROWS = 0
    content = _big_workbook(ROWS)
    before = Member.objects.count()
    job = import_job_start(scope=Scope.system(), user=user("admin"), upload=upload(content))

    started = perf_counter()
    assert import_job_validate(job.pk) == ImportJob.State.VALIDATED
    checked = perf_counter()
    job.refresh_from_db()
    assert (job.create_count, job.update_count, job.error_count) == (ROWS, 0, 0), job.errors[:5]
    assert Member.objects.count() == before  # the preview writes nothing

    import_job_confirm(job, scope=Scope.system())
    assert import_job_commit(job.pk) == ImportJob.State.SUCCEEDED
    written = perf_counter()
    assert Member.objects.count() == before + ROWS

    validate_s, commit_s = checked - started, written - checked
    with capsys.disabled():
        print(
            f"\n50,000 rows ({len(content) / 1e6:.1f} MB): "
            f"validate {validate_s:.1f} s, commit {commit_s:.1f} s, "
            f"total {validate_s + commit_s:.1f} s"
        )
