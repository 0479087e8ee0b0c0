"""Logins for the rows of an import: the members an Excel import wrote are remembered by
the job, and the job page leads to issuing their logins (slips here; SMS as a job)."""

from __future__ import annotations

from django_tenants.utils import schema_context

from shared.accounts.models import User
from tenants.access.scope import Scope
from tenants.imports.jobs import import_job_confirm, import_job_start, import_job_validate
from tenants.members.models import Member
from tests.support.world import ALPHA
from tests.tenants.imports.conftest import row, upload, workbook


def _imported() -> tuple[str, list[int]]:
    with schema_context(ALPHA.schema):
        job = import_job_start(
            scope=Scope.system(),
            user=User.objects.get(username="admin"),
            upload=upload(workbook([row(1, 姓名="张导入"), row(2, 姓名="李导入")])),
        )
        import_job_validate(job.pk)  # the worker's check (never in the request), in-process
        job.refresh_from_db()
        job = import_job_confirm(job, scope=Scope.system())
        assert job.state == "succeeded", job.message
        return str(job.pk), job.member_ids


def test_the_job_remembers_its_members_and_leads_to_their_slips(alpha_admin) -> None:  # type: ignore[no-untyped-def]
    job_id, written = _imported()
    with schema_context(ALPHA.schema):
        assert set(written) == set(
            Member.objects.filter(name__endswith="导入").values_list("pk", flat=True)
        )
    job_page = alpha_admin.get(f"/imports/jobs/{job_id}/").content.decode()
    assert f"/logins/import/{job_id}/" in job_page
    page = alpha_admin.get(f"/logins/import/{job_id}/")
    assert page.status_code == 200 and 'data-testid="import-waiting">2<' in page.content.decode()
    slips = alpha_admin.post(f"/logins/import/{job_id}/", {"delivery": "print"})
    assert slips.content.decode().count('data-testid="slip"') == 2
    with schema_context(ALPHA.schema):
        assert Member.objects.filter(name__endswith="导入", user__isnull=False).count() == 2
    again = alpha_admin.post(f"/logins/import/{job_id}/", {"delivery": "print"})
    assert again.status_code == 400 and "都已开通账号" in again.content.decode()


def test_an_ordinary_member_may_not(db) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import logged_in

    job_id, _ = _imported()
    assert logged_in(ALPHA.host, "member").get(f"/logins/import/{job_id}/").status_code == 403


def test_another_users_import_is_not_theirs(db) -> None:  # type: ignore[no-untyped-def]
    """A secretary who issues logins sees their own imports' rows, not the administrator's
    (its file name and members), as on the import pages themselves."""
    from tests.conftest import logged_in

    job_id, _ = _imported()
    assert logged_in(ALPHA.host, "branchsec").get(f"/logins/import/{job_id}/").status_code == 404
