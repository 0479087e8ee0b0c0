"""The ops page refuses, on the form and before queueing, what the job would get wrong
(issue 15): a county already opened, a weak password, a username with spaces, a region
code of another county; the worker speaks Chinese; the job page says its state once."""

from __future__ import annotations

import re

import pytest
from celery.signals import task_prerun
from django.utils import translation

from shared.customers.models import OnboardingJob
from shared.customers.services import OnboardingRequest
from shared.customers.validation import _same_place, onboarding_validate
from tests.support.world import ALPHA, PASSWORD

pytestmark = pytest.mark.django_db

NEW = {
    "name": "米脂县",
    "region_code": "610827",
    "schema_name": "mizhi",
    "domain": "mizhi.localhost",
    "admin_username": "admin",
    "admin_full_name": "米脂县管理员",
    "admin_password": PASSWORD,
}


def _errors(html: str) -> dict[str, str]:
    found = re.findall(r'data-field="(\w+)">(.*?)</ul>', html, flags=re.S)
    return {field: re.sub(r"<[^>]+>", " ", body) for field, body in found}


def _post(ops_client, **overrides: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = ops_client.post("/ops/onboard/", {**NEW, **overrides})
    assert response.status_code == 200  # the form again, nothing queued
    assert not OnboardingJob.objects.exists()
    return _errors(response.content.decode())


def test_an_opened_county_is_refused_field_by_field(ops_client):
    errors = _post(
        ops_client,
        name=ALPHA.name,
        region_code=ALPHA.region_code,
        schema_name=ALPHA.schema,
        domain=ALPHA.host,
        admin_password="123",
    )
    assert "已被其他区县使用" in errors["name"]
    assert "已开通" in errors["region_code"]
    assert "已被" in errors["schema_name"]
    assert "已被使用" in errors["domain"]
    assert "admin_password" in errors


def test_a_weak_password_is_refused_in_chinese(ops_client):
    message = _post(ops_client, admin_password="123")["admin_password"]
    assert "密码" in message and not re.search(r"[A-Za-z]{3,}", message)


def test_a_username_with_spaces_is_refused(ops_client):
    assert "不能有空格" in _post(ops_client, admin_username="a b")["admin_username"]


def test_the_region_code_must_be_the_named_county(ops_client):
    errors = _post(ops_client, name="测试县")
    assert errors["region_code"].strip() == "行政区划代码 610827 是米脂县，与名称“测试县”不符。"


def test_a_name_that_contains_the_official_one_or_changes_only_its_suffix_fits():
    assert _same_place("米脂县（新）", "米脂县")
    assert _same_place("横山县", "横山区")  # a county turned district keeps its place name
    assert not _same_place("佳县", "米脂县")
    assert not onboarding_validate(OnboardingRequest(**{**NEW, "name": "米脂县（新）"}))


def test_the_command_line_rerun_stays_idempotent():
    rerun = OnboardingRequest(
        name=ALPHA.name,
        region_code=ALPHA.region_code,
        schema_name=ALPHA.schema,
        domain=ALPHA.host,
        admin_username="admin",
        admin_full_name="管理员",
    )
    assert onboarding_validate(rerun) == {}
    assert set(onboarding_validate(rerun, allow_rerun=False)) >= {
        "name",
        "region_code",
        "schema_name",
        "domain",
    }


def test_tasks_run_in_the_site_language():
    translation.activate("en")
    try:
        task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
        assert translation.get_language() == "zh-hans"
    finally:
        translation.deactivate()


def test_a_finished_job_says_its_state_once(ops_client):
    job = OnboardingJob.objects.create(
        schema_name="mizhi",
        params={k: v for k, v in NEW.items() if k != "admin_password"},
        state=OnboardingJob.State.SUCCEEDED,
        progress=100,
        step="完成",
        message="“米脂县”已开通。",
    )
    page = ops_client.get(f"/ops/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and "已完成</span> 完成" not in page
    assert not re.search(r"</span>\s*完成", page)
