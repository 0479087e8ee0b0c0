"""The onboarding job's messages read in Chinese on the ops pages (issue 15): how the
schema was made is named, not the internal method code; a failure names no exception."""

from __future__ import annotations

import pytest

from shared.customers.models import OnboardingJob
from shared.customers.services import METHOD_LABELS, OnboardingResult
from shared.customers.tasks import run_onboarding_job

pytestmark = pytest.mark.django_db


def test_every_method_has_a_chinese_label():
    for method in ("clone", "migrate", "existing"):
        label = OnboardingResult(tenant=None, created=True, method=method, seconds=1).method_label  # type: ignore[arg-type]
        assert label == METHOD_LABELS[method]
        assert label and label.isascii() is False


def test_a_failed_job_names_no_exception(monkeypatch):
    import shared.customers.tasks as tasks

    def boom(*_, **__):  # type: ignore[no-untyped-def]
        raise KeyError("x")

    monkeypatch.setattr(tasks, "tenant_onboard", boom)
    job = OnboardingJob.objects.create(
        schema_name="zeta",
        params={"name": "测试县", "region_code": "610899", "schema_name": "zeta",
                "domain": "zeta.localhost", "admin_username": "admin",
                "admin_full_name": "管理员"},
    )  # fmt: skip
    assert run_onboarding_job(str(job.pk), "hash") == "failed"
    job.refresh_from_db()
    assert "KeyError" not in job.message and "已回滚" in job.message
