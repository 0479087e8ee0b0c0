from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from tenants.access.scope import scope_for
from tenants.access.services import post_assign
from tenants.imports.columns import EXPORT_ONLY, HEADERS
from tenants.imports.models import ExportLog, ImportJob
from tenants.members.models import Member
from tenants.orgs.models import Organization
from tests.conftest import logged_in
from tests.support.world import PASSWORD
from tests.tenants.imports.conftest import (
    OTHER_VILLAGE,
    VILLAGE,
    id_number,
    row,
    stored_files,
    upload,
    user,
    workbook,
)

pytestmark = pytest.mark.django_db
State = ImportJob.State


def _cells(content: bytes, sheet: str = "党员信息") -> list[tuple]:
    wb = load_workbook(BytesIO(content), read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    return rows


def _download(response) -> bytes:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    # Reading it all makes the test client close the response (and its temporary file).
    return b"".join(response.streaming_content)


def _clear_id_numbers(alpha) -> set[str]:  # type: ignore[no-untyped-def]
    with schema_context(alpha.schema):
        return {m.id_number for m in Member.objects.all()}


def _upload(client, content: bytes):  # type: ignore[no-untyped-def]
    return client.post("/imports/members/", {"file": upload(content)})


def test_the_template_has_headers_guide_and_lists(alpha):
    client = logged_in(alpha.host, "branchsec")
    response = client.get("/imports/members/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    wb = load_workbook(BytesIO(content))
    assert wb.sheetnames == ["党员信息", "填写说明", "代码表"]
    assert [c.value for c in wb["党员信息"][1]] == list(HEADERS)
    assert wb["党员信息"].data_validations.dataValidation  # drop-down lists
    guide = " ".join(str(c.value) for r in wb["填写说明"].iter_rows() for c in r if c.value)
    assert "汉族" in guide and "预备党员" in guide and "农牧渔民" in guide
    lists = {c.value for r in wb["代码表"].iter_rows() for c in r}
    assert VILLAGE in lists and OTHER_VILLAGE not in lists  # only the user's own branches
    guide_rows = list(wb["填写说明"].iter_rows(values_only=True))
    example = guide_rows[-1]
    assert example[0] == "张三" and example[1] and example[5] == "正式党员"


def test_the_blank_template_uploads_as_a_file_without_data(alpha):
    client = logged_in(alpha.host, "admin")
    template = client.get("/imports/members/template.xlsx").content
    response = _upload(client, template)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "表格中没有党员数据" in page.content.decode()


def test_import_pages_need_a_post_that_manages_organizations(alpha):
    client = logged_in(alpha.host, "member")
    assert client.get("/imports/members/").status_code == 403
    assert client.get("/imports/members/template.xlsx").status_code == 403
    assert _upload(client, workbook([row(1)])).status_code == 403


def test_upload_preview_and_confirm_through_the_pages(alpha):
    client = logged_in(alpha.host, "admin")
    response = _upload(client, workbook([row(1), row(2, 姓名="李四")]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and 'data-state="validated"' in page
    assert "李四" in page and id_number(1) not in page  # masked in the preview
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section class="card" id="job"')
    job_url = response["Location"]
    confirmed = client.post(job_url + "confirm/")
    assert confirmed.status_code == 302
    page = client.get(job_url).content.decode()
    assert 'data-state="succeeded"' in page and "新增 2 人" in page
    with schema_context(alpha.schema):
        assert Member.objects.filter(name="李四").count() == 1


def test_errors_are_listed_and_downloadable(alpha):
    client = logged_in(alpha.host, "admin")
    bad_dates = row(2, 加入党组织日期="2016-07-01", 转为正式党员日期="2015-07-01")
    response = _upload(client, workbook([row(1), bad_dates, row(3, 所在党支部="无此支部")]))
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="invalid"' in page and "确认导入" not in page
    assert "第 3 行" in page and "转为正式党员日期" in page and "第 4 行" in page
    report = client.get(response["Location"] + "errors.xlsx")
    rows = _cells(report.content, "错误清单")
    assert rows[0] == ("行号", "列名", "错误说明")
    assert {(r[0], r[1]) for r in rows[1:]} == {(3, "转为正式党员日期"), (4, "所在党支部")}


def test_a_bad_file_type_is_refused_on_the_form(alpha):
    client = logged_in(alpha.host, "admin")
    response = client.post("/imports/members/", {"file": upload(b"a,b", name="members.csv")})
    assert response.status_code == 200
    assert ".xlsx" in response.content.decode()


def test_another_user_cannot_see_or_act_on_a_job(alpha):
    owner = logged_in(alpha.host, "admin")
    job_url = _upload(owner, workbook([row(1)]))["Location"]
    other = logged_in(alpha.host, "townsec")
    assert other.get(job_url).status_code == 404
    assert other.get(job_url + "errors.xlsx").status_code == 404
    assert other.post(job_url + "confirm/").status_code == 404
    assert other.post(job_url + "cancel/").status_code == 404
    with schema_context(alpha.schema):
        assert ImportJob.objects.get().state == State.VALIDATED
    assert owner.post(job_url + "cancel/").status_code == 302
    assert not stored_files(alpha.schema)


def test_a_job_is_not_visible_from_another_county(alpha, beta):
    owner = logged_in(alpha.host, "admin")
    job_url = _upload(owner, workbook([row(1)]))["Location"]
    assert logged_in(beta.host, "admin").get(job_url).status_code == 404


def test_the_export_is_masked_by_default(alpha):
    client = logged_in(alpha.host, "admin")
    response = client.get("/imports/members/export.xlsx")
    assert response.status_code == 200
    rows = _cells(_download(response))
    assert list(rows[0]) == [*HEADERS, *EXPORT_ONLY]
    cells = {str(v) for r in rows for v in r if v}
    assert not cells & _clear_id_numbers(alpha)
    assert not any(v.startswith("1390000") and "*" not in v for v in cells)
    assert any(v.startswith("6*") and "*" in v for v in cells)
    with schema_context(alpha.schema):
        log = ExportLog.objects.get()
        assert (log.full, log.row_count, log.revealed_count) == (False, len(rows) - 1, 0)
        assert log.user.username == "admin"


def _full(client, query: str = ""):  # type: ignore[no-untyped-def]
    """A full export: the password again, posted from the confirmation page."""
    url = "/imports/members/export.xlsx?full=1" + (f"&{query}" if query else "")
    return client.post(url, {"password": PASSWORD})


def test_a_full_export_asks_for_the_password_again(alpha):
    client = logged_in(alpha.host, "admin")
    page = client.get("/imports/members/export.xlsx?full=1&category=full")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "请再次输入登录密码" in page.content.decode()
    wrong = client.post("/imports/members/export.xlsx?full=1", {"password": "not-it"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.content.decode()
    assert client.post("/imports/members/export.xlsx?full=1").status_code == 400
    with schema_context(alpha.schema):
        assert not ExportLog.objects.exists()  # nothing went out, nothing to log


def test_an_administrator_full_export_has_clear_values_and_is_logged(alpha):
    client = logged_in(alpha.host, "admin")
    response = _full(client, "category=full")
    rows = _cells(_download(response))
    ids = {r[1] for r in rows[1:]}
    assert ids == _clear_id_numbers(alpha)
    with schema_context(alpha.schema):
        log = ExportLog.objects.get()
        assert log.full and log.query == "category=full"
        assert log.row_count == log.revealed_count == len(rows) - 1


def test_the_export_follows_the_list_filters(alpha):
    client = logged_in(alpha.host, "admin")
    response = client.get("/imports/members/export.xlsx", {"q": "赵其他"})
    rows = _cells(_download(response))
    assert [r[0] for r in rows[1:]] == ["赵其他"]
    assert rows[1][6] == OTHER_VILLAGE


def test_the_export_is_limited_to_the_users_scope(alpha):
    client = logged_in(alpha.host, "branchsec")
    rows = _cells(_download(client.get("/imports/members/export.xlsx")))
    assert {r[0] for r in rows[1:]} == {"王书记", "李支书", "榆阳区党员"}


def test_a_full_export_without_a_revealing_post_is_refused(alpha):
    client = logged_in(alpha.host, "member")
    assert client.get("/imports/members/export.xlsx?full=1").status_code == 403
    assert _full(client).status_code == 403
    assert _cells(_download(client.get("/imports/members/export.xlsx")))


def test_rows_outside_the_revealing_posts_stay_masked(alpha):
    with schema_context(alpha.schema):
        member = Member.objects.get(name="榆阳区党员")
        admin = scope_for(user("admin"))
        for name, post in ((VILLAGE, "organization"), (OTHER_VILLAGE, "publicity")):
            org = Organization.objects.get(name=name)
            post_assign(
                scope=admin, org=org, member=member, post_code=post, started_at=date.today()
            )
    client = logged_in(alpha.host, "member")
    rows = _cells(_download(_full(client)))
    by_name = {r[0]: r for r in rows[1:]}
    assert "*" not in by_name["李支书"][1] and "*" not in by_name["李支书"][11]
    assert "*" in by_name["赵其他"][1] and "*" in by_name["赵其他"][11]
    with schema_context(alpha.schema):
        log = ExportLog.objects.get()
        assert log.revealed_count == len(rows) - 2


def test_an_exported_workbook_imports_again_as_updates(alpha):
    client = logged_in(alpha.host, "admin")
    exported = _download(_full(client))
    page = client.get(_upload(client, exported)["Location"]).content.decode()
    assert 'data-state="validated"' in page, page
    with schema_context(alpha.schema):
        job = ImportJob.objects.get()
        assert job.create_count == 0 and job.update_count == Member.objects.count()
        assert all(not r["changes"] for r in job.preview["update"])


def test_exported_text_never_becomes_a_formula(alpha):
    with schema_context(alpha.schema):
        Member.objects.filter(name="赵其他").update(job_title='=HYPERLINK("http://x","y")')
    client = logged_in(alpha.host, "admin")
    content = _download(client.get("/imports/members/export.xlsx", {"q": "赵其他"}))
    sheet = load_workbook(BytesIO(content))["党员信息"]
    cell = sheet.cell(row=2, column=HEADERS.index("工作岗位") + 1)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_the_member_list_links_to_import_and_export(alpha):
    page = logged_in(alpha.host, "admin").get("/members/", {"q": "赵"}).content.decode()
    assert "/imports/members/" in page and "/imports/members/export.xlsx?q=" in page
    page = logged_in(alpha.host, "branchsec").get("/members/").content.decode()
    assert "/imports/members/export.xlsx" in page
