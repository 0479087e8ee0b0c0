from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.access.models import Post
from tenants.access.scope import Scope
from tenants.imports.jobs import (
    import_job_cancel,
    import_job_commit,
    import_job_confirm,
    import_job_start,
    import_job_validate,
    import_jobs_purge_stale,
)
from tenants.imports.models import ImportJob, ImportPlanSnapshot
from tenants.imports.snapshot import snapshot_load
from tenants.imports.tasks import commit_import, validate_import
from tenants.members.models import Member
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.orgs.models import Organization
from tests.tenants.imports.conftest import (
    OTHER_VILLAGE,
    VILLAGE,
    id_number,
    row,
    scope_of,
    stored_files,
    upload,
    user,
    workbook,
)
from zhdj.pii.fields import index_for
from zhdj.tasks import TenantRequired

pytestmark = pytest.mark.django_db
State = ImportJob.State


def _start(rows, username: str = "admin") -> ImportJob:  # type: ignore[no-untyped-def]
    return import_job_start(
        scope=Scope.system(), user=user(username), upload=upload(workbook(rows))
    )


def test_a_good_file_is_previewed_then_creates_members(in_alpha):
    before = Member.objects.count()
    job = _start(
        [row(1, 姓名="张三"), row(2, 姓名="李四", 人员类别="预备党员", 转为正式党员日期=None)]
    )
    assert job.state == State.VALIDATED, job.errors
    assert (job.create_count, job.update_count, job.error_count) == (2, 0, 0)
    assert Member.objects.count() == before  # the preview writes nothing
    shown = job.preview["create"][0]
    assert shown["name"] == "张三" and shown["id_number"].count("*") == 16
    # The workbook is gone once checked; the checked rows wait encrypted for the confirmation.
    assert not job.file and not stored_files("alpha")
    snapshot = ImportPlanSnapshot.objects.get(job=job)
    assert id_number(1) not in snapshot.token and "张三" not in snapshot.token

    job = import_job_confirm(job, scope=Scope.system())
    assert job.state == State.SUCCEEDED, job.message
    assert "新增 2 人" in job.message
    assert Member.objects.count() == before + 2
    zhang = Member.objects.get(id_number_index=index_for("id_number", id_number(1)))
    assert zhang.name == "张三" and zhang.sex == "female"
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")
    assert zhang.org.name == VILLAGE and zhang.category_code == "full"
    assert zhang.ethnicity_code == "01" and zhang.occupation_code == "worker"
    assert zhang.phone == "13912345678" and zhang.phone_index == index_for("phone", "13912345678")
    assert zhang.created_at is not None
    li = Member.objects.get(name="李四")
    assert li.category_code == "probationary" and li.full_member_at is None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, address FROM members_member WHERE id = %s", [zhang.pk]
        )
        stored = cursor.fetchone()
    assert all(value.startswith("v1") for value in stored)
    assert id_number(1) not in "".join(stored)
    assert not ImportPlanSnapshot.objects.exists()  # no residual personal data


def test_a_row_with_the_same_id_number_updates_the_member(in_alpha):
    existing = Member.objects.get(name="榆阳区党员")
    count = Member.objects.count()
    changed = row(
        1,
        姓名="榆阳区党员",
        公民身份号码=existing.id_number,
        手机号="13700001111",
        工作岗位="村支部委员",
        加入党组织日期=existing.joined_at,
        转为正式党员日期=existing.full_member_at,
        家庭住址=existing.address,
        学历="大学本科毕业",
        职业=None,
        固定电话=None,
    )
    job = _start([changed])
    assert (job.state, job.create_count, job.update_count) == (State.VALIDATED, 0, 1), job.errors
    assert set(job.preview["update"][0]["changes"]) == {"手机号", "工作岗位"}

    job = import_job_confirm(job, scope=Scope.system())
    assert job.state == State.SUCCEEDED
    existing.refresh_from_db()
    assert Member.objects.count() == count
    assert existing.phone == "13700001111" and existing.job_title == "村支部委员"
    assert existing.phone_index == index_for("phone", "13700001111")
    assert existing.updated_at > job.created_at


def test_nothing_is_written_when_any_row_fails(in_alpha):
    before = Member.objects.count()
    bad = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    job = _start([row(1), row(2), row(3, 公民身份号码=bad)])
    assert job.state == State.INVALID
    assert job.errors == [[4, "公民身份号码", "公民身份号码校验位不正确"]]
    assert "未导入任何数据" in job.message
    assert not job.file and not stored_files("alpha")
    with pytest.raises(Exception, match="不能确认"):
        import_job_confirm(job, scope=Scope.system())
    assert Member.objects.count() == before


def test_a_change_between_preview_and_commit_writes_nothing(in_alpha):
    before = Member.objects.count()
    job = _start([row(1), row(2)])
    assert job.state == State.VALIDATED
    member_create(  # someone registers one of the file's people meanwhile
        scope=scope_of("admin"),
        data=MemberData(
            org=Organization.objects.get(name=VILLAGE),
            name="张三",
            id_number=id_number(2),
            ethnicity_code="01",
            category_code="probationary",
            joined_at=timezone.localdate() - timedelta(days=30),
        ),
    )
    job = import_job_confirm(job, scope=Scope.system())
    assert job.state == State.FAILED
    assert "未写入任何数据" in job.message
    assert [e[:2] for e in job.errors] == [[3, "公民身份号码"]]
    assert "已被登记" in job.errors[0][2]
    assert Member.objects.count() == before + 1  # only the one registered by hand
    assert not Member.objects.filter(id_number_index=index_for("id_number", id_number(1)))
    assert not ImportPlanSnapshot.objects.exists()


def test_a_commit_that_fails_a_row_writes_nothing(in_alpha):
    job = _start([row(1), row(2)])
    # The branch is dissolved after the preview: every row now fails the organization check.
    Organization.objects.filter(name=VILLAGE).update(is_active=False)
    before = Member.objects.count()
    job = import_job_confirm(job, scope=Scope.system())
    assert job.state == State.FAILED
    assert {(e[0], e[1]) for e in job.errors} == {(2, "所在党支部"), (3, "所在党支部")}
    assert Member.objects.count() == before


def test_cancel_deletes_the_checked_rows(in_alpha):
    job = _start([row(1)])
    assert ImportPlanSnapshot.objects.filter(job=job).exists()
    import_job_cancel(job, scope=Scope.system())
    job.refresh_from_db()
    assert job.state == State.CANCELLED and not job.file
    assert not ImportPlanSnapshot.objects.exists() and not stored_files("alpha")
    with pytest.raises(Exception, match="不能确认"):
        import_job_confirm(job, scope=Scope.system())


def test_the_worker_path_is_idempotent(in_alpha, settings):
    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = 0  # queue, do not run in the request
    settings.ZHDJ_IMPORT_INLINE_MAX_ROWS = 0
    before = Member.objects.count()
    job = _start([row(1), row(2)])
    assert job.state == State.QUEUED and stored_files("alpha")
    assert validate_import.apply(args=[str(job.pk)]).get() == State.VALIDATED
    assert validate_import.apply(args=[str(job.pk)]).get() == "skipped"  # redelivered
    job = import_job_confirm(ImportJob.objects.get(pk=job.pk), scope=Scope.system())
    assert job.state == State.COMMITTING  # queued for the worker
    assert commit_import.apply(args=[str(job.pk)]).get() == State.SUCCEEDED
    assert commit_import.apply(args=[str(job.pk)]).get() == "skipped"  # redelivered
    assert import_job_commit(job.pk) == "skipped" and import_job_validate(job.pk) == "skipped"
    assert Member.objects.count() == before + 2


def test_import_tasks_refuse_to_run_in_public(db):
    connection.set_schema_to_public()
    with pytest.raises(TenantRequired):
        validate_import.apply(args=["00000000-0000-0000-0000-000000000000"], throw=True).get()


def test_unconfirmed_jobs_are_purged_after_a_day(in_alpha):
    job = _start([row(1)])
    assert import_jobs_purge_stale() == 0
    assert import_jobs_purge_stale(now=timezone.now() + timedelta(days=2)) == 1
    job.refresh_from_db()
    assert job.state == State.CANCELLED and not ImportPlanSnapshot.objects.exists()


def test_jobs_live_in_their_county(in_alpha, beta):
    job = _start([row(1)])
    with schema_context(beta.schema):
        assert not ImportJob.objects.filter(pk=job.pk).exists()


def test_the_checked_rows_are_bound_to_their_job(in_alpha):
    job = _start([row(1)])
    other = _start([row(2)])
    token = ImportPlanSnapshot.objects.get(job=job).token
    assert snapshot_load(job.pk).rows[0].data.id_number == id_number(1)
    ImportPlanSnapshot.objects.filter(job=other).update(token=token)  # moved to another job
    assert snapshot_load(other.pk) is None
    other = import_job_confirm(other, scope=Scope.system())
    assert other.state == State.FAILED and "失效" in other.message
    with schema_context("beta"):
        assert snapshot_load(job.pk) is None  # another county's key cannot read it either


def test_a_user_who_lost_the_post_cannot_commit(in_alpha):
    job = _start([row(1)], username="branchsec")
    assert job.state == State.VALIDATED
    Post.objects.filter(member__user__username="branchsec").update(ended_at=timezone.localdate())
    before = Member.objects.count()
    job = import_job_confirm(job, scope=Scope.system())
    assert job.state == State.FAILED
    assert job.errors == [[2, "所在党支部", f"“{VILLAGE}”已不在您的管理范围内。"]]
    assert Member.objects.count() == before


def test_an_update_whose_member_moved_out_of_scope_is_refused_at_commit(in_alpha):
    member = Member.objects.get(name="榆阳区党员")
    job = _start([row(1, 姓名=member.name, 公民身份号码=member.id_number)], username="branchsec")
    assert job.update_count == 1
    Member.objects.filter(pk=member.pk).update(org=Organization.objects.get(name=OTHER_VILLAGE))
    job = import_job_confirm(job, scope=Scope.system())
    assert job.state == State.FAILED
    assert job.errors == [[2, "公民身份号码", "该党员已不在您的管理范围内。"]]


def test_the_stored_upload_is_encrypted_and_bound_to_its_job(in_alpha, settings):
    from tenants.imports.jobs import _file_aad
    from zhdj.pii.crypto import DecryptionError, decrypt_bytes

    settings.ZHDJ_IMPORT_INLINE_MAX_BYTES = 0  # queued: the upload waits in storage
    content = workbook([row(1)])
    job = import_job_start(scope=Scope.system(), user=user("admin"), upload=upload(content))
    with job.file.open("rb") as f:
        sealed = f.read()
    assert sealed[:2] != b"PK" and id_number(1).encode() not in sealed  # not a zip in clear
    assert decrypt_bytes(sealed, aad=_file_aad(job.pk)) == content
    other = _start([row(2)])
    with pytest.raises(DecryptionError):  # bound to its own job
        decrypt_bytes(sealed, aad=_file_aad(other.pk))
    assert validate_import.apply(args=[str(job.pk)]).get() == State.VALIDATED
