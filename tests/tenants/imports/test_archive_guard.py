"""The zip-bomb guard measures what it decompresses; files are checked in the worker only;
a job whose task keeps coming back is failed, not retried forever (issue 17, Failure)."""

from __future__ import annotations

from io import BytesIO
from unittest import mock

import pytest

from tenants.imports import jobs, parse
from tenants.imports.jobs import import_job_delivered, import_job_start
from tenants.imports.models import ImportJob
from tenants.imports.parse import WorkbookError, _check_archive
from tests.tenants.imports import crafted
from tests.tenants.imports.conftest import row, scope_of, upload, user, workbook

State = ImportJob.State


def _refusal(content: bytes) -> str:
    with pytest.raises(WorkbookError) as caught:
        _check_archive(BytesIO(content))
    return caught.value.message


def test_sizes_the_archive_declares_are_not_trusted():
    assert "无法读取" in _refusal(crafted.lying_sizes())


def test_a_bomb_is_stopped_by_the_bytes_actually_inflated(monkeypatch):
    monkeypatch.setattr(parse, "MAX_UNCOMPRESSED_BYTES", 8 * 1024 * 1024)
    content = crafted.bomb(inflated=16 * 1024 * 1024)
    assert "过大" in _refusal(content)


def test_huge_shared_strings_are_refused_by_count(monkeypatch):
    monkeypatch.setattr(parse, "MAX_SHARED_STRINGS", 10_000)
    assert "过大" in _refusal(crafted.huge_shared_strings(count=20_000))


def test_huge_shared_strings_are_refused_by_size(monkeypatch):
    monkeypatch.setattr(parse, "MAX_SHARED_STRINGS_BYTES", 100_000)
    assert "过大" in _refusal(crafted.huge_shared_strings(count=20_000))


@pytest.mark.parametrize("make", [crafted.nested_archive, crafted.escaping_path])
def test_nested_or_path_escaping_archives_are_refused(make):
    assert "结构异常" in _refusal(make())


def test_a_good_workbook_passes():
    _check_archive(BytesIO(workbook([row(1), row(2)])))


def test_the_web_request_only_stores_and_queues(
    in_alpha, settings, django_capture_on_commit_callbacks
):
    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = jobs.INLINE_MAX_BYTES
    assert jobs.INLINE_MAX_BYTES == 0  # production: no file is checked in a web request
    with (
        mock.patch("tenants.imports.parse._check_archive") as check,
        mock.patch("tenants.imports.tasks.validate_import.delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = import_job_start(
            scope=scope_of("admin"), user=user("admin"), upload=upload(workbook([row(1)]))
        )
    assert job.state == State.QUEUED
    check.assert_not_called()
    queued.assert_called_once_with(str(job.pk))
    jobs._discard(job.pk)


def test_a_job_delivered_more_than_three_times_fails_with_a_reason(in_alpha, settings):
    settings.ZHDJ_TASK_MAX_DELIVERIES = 3
    job = ImportJob.objects.create(
        created_by=user("admin"), original_name="炸弹.xlsx", state=State.VALIDATING
    )
    assert [import_job_delivered(job.pk) for _ in range(3)] == [True, True, True]
    assert import_job_delivered(job.pk) is False
    job.refresh_from_db()
    assert job.state == State.FAILED and job.deliveries == 4
    assert "多次导致后台任务中断" in job.message
    # A later (fifth) delivery finds the job final and runs nothing.
    assert import_job_delivered(job.pk) is True
    assert jobs.import_job_validate(job.pk) == "skipped"


def test_import_tasks_have_time_limits():
    from tenants.imports.tasks import commit_import, validate_import

    for task in (validate_import, commit_import):
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit
