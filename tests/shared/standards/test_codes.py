from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared.standards import selectors
from shared.standards.models import Code, CodeTable, OrganizationType
from shared.standards.seed import code_tables, load_codes, upsert_codes
from tests.support.world import ALPHA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_codes() -> Iterator[None]:
    """Tests here write Code rows inside rolled-back transactions: no snapshot may
    outlive a test."""
    selectors.clear_cache()
    yield
    selectors.clear_cache()


def rows(table: CodeTable) -> dict[str, Code]:
    return {row.code: row for row in selectors.codes(table)}


def test_every_table_has_a_data_file_and_is_seeded():
    assert set(code_tables()) == set(CodeTable.values)
    for table in CodeTable:
        assert selectors.codes(table).exists(), table


def test_seeded_rows_are_the_data_files():
    for table in CodeTable:
        seeded = list(
            Code.objects.filter(table=table)
            .order_by("sort")
            .values("table", "code", "name", "parent_code", "sort", "extra", "is_active")
        )
        assert seeded == load_codes(table), table


def test_codes_are_unique_per_table():
    for table in CodeTable:
        values = list(Code.objects.filter(table=table).values_list("code", flat=True))
        assert len(values) == len(set(values)), table
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(table=CodeTable.ETHNICITY, code="01", name="重复")


def test_the_same_code_may_appear_in_two_tables():
    assert selectors.code_name(CodeTable.ORG_CATEGORY, "1") == "国有企业"
    assert selectors.code_name(CodeTable.UNIT_SITUATION, "1") == "与上级党组织相同"


def test_seeding_again_changes_nothing_and_repairs_drift():
    before = Code.objects.count()
    Code.objects.filter(table=CodeTable.ETHNICITY, code="01").update(name="改错了")
    upsert_codes(Code, CodeTable.values)
    assert Code.objects.count() == before
    assert Code.objects.get(table=CodeTable.ETHNICITY, code="01").name == "汉族"


def test_56_ethnicities_numbered_01_to_56_and_only_han_is_not_minority():
    ethnicities = rows(CodeTable.ETHNICITY)
    numbered = {code: row for code, row in ethnicities.items() if int(code) <= 56}
    assert sorted(numbered) == [f"{n:02d}" for n in range(1, 57)]
    assert numbered["01"].name == "汉族" and numbered["01"].extra["minority"] is False
    assert numbered["56"].name == "基诺族"
    assert all(row.extra["minority"] is True for code, row in numbered.items() if code != "01")
    assert len({row.extra["alpha"] for row in numbered.values()}) == 56
    assert set(ethnicities) - set(numbered) == {"97", "98"}
    assert ethnicities["98"].name == "外国血统中国籍人士"


def test_education_marks_college_or_above():
    education = rows(CodeTable.EDUCATION)
    assert education["21"].name == "大学本科毕业" and education["21"].extra["college_or_above"]
    assert education["31"].name == "大学专科毕业" and education["31"].extra["college_or_above"]
    assert education["11"].extra["college_or_above"] and education["14"].extra["college_or_above"]
    assert education["61"].name == "普通高中毕业"
    assert education["61"].extra["college_or_above"] is False
    assert education["41"].extra["college_or_above"] is False
    assert all(isinstance(row.extra["college_or_above"], bool) for row in education.values())


def test_education_has_two_levels():
    education = rows(CodeTable.EDUCATION)
    categories = {code for code, row in education.items() if not row.parent_code}
    assert categories == {"10", "20", "30", "40", "60", "70", "80", "90"}
    for code, row in education.items():
        if row.parent_code:
            assert row.parent_code in categories and code[0] == row.parent_code[0], code


def test_age_bands_cover_0_to_150_without_gaps_or_overlaps():
    bands = list(selectors.codes(CodeTable.AGE_BAND))
    for age in range(151):
        matching = [
            band.code
            for band in bands
            if band.extra["min"] <= age and (band.extra["max"] is None or age <= band.extra["max"])
        ]
        assert len(matching) == 1, (age, matching)
    assert [band.extra["min"] for band in bands] == [0, 31, 36, 41, 46, 51, 56, 61]


def test_joining_periods_are_contiguous():
    periods = list(selectors.codes(CodeTable.JOINING_PERIOD))
    assert periods[0].extra["from"] is None and periods[-1].extra["to"] is None
    for earlier, later in pairwise(periods):
        end = date.fromisoformat(earlier.extra["to"])
        start = date.fromisoformat(later.extra["from"])
        assert start == end + timedelta(days=1), (earlier.code, later.code)
        if later.extra["to"] is not None:
            assert date.fromisoformat(later.extra["to"]) > start


def test_cross_references_name_existing_codes():
    party_status = set(rows(CodeTable.PARTY_STATUS))
    for change in selectors.codes(CodeTable.MEMBER_CHANGE):
        assert change.extra["direction"] in {"increase", "decrease"}
        assert set(change.extra["party_status"]) <= party_status, change.code
    type_codes = set(OrganizationType.objects.values_list("code", flat=True))
    for situation in selectors.codes(CodeTable.UNIT_SITUATION):
        if "organization_type" in situation.extra:
            assert situation.extra["organization_type"] in type_codes


def test_org_categories_are_one_to_nine_and_not_organization_types():
    categories = rows(CodeTable.ORG_CATEGORY)
    assert sorted(categories, key=int) == [str(n) for n in range(1, 10)]
    type_names = set(OrganizationType.objects.values_list("name", flat=True))
    assert not {row.name for row in categories.values()} & type_names


def test_selectors_name_choose_and_validate():
    assert selectors.code_name(CodeTable.EDUCATION, "21") == "大学本科毕业"
    assert selectors.code_name("ethnicity", "01") == "汉族"
    assert selectors.code_name(CodeTable.ETHNICITY, "99") == ""
    assert selectors.code_name(CodeTable.ETHNICITY, "99", default="未知") == "未知"
    assert selectors.code_choices(CodeTable.MEMBER_CATEGORY) == [
        ("full", "正式党员"),
        ("probationary", "预备党员"),
    ]
    assert selectors.is_valid_code(CodeTable.LOST_CONTACT, "migrant")
    assert not selectors.is_valid_code(CodeTable.LOST_CONTACT, "01")
    with pytest.raises(ValueError, match="代码表"):
        selectors.codes("nationality")


def test_withdrawn_codes_keep_their_name_but_are_not_offered():
    Code.objects.filter(table=CodeTable.LOST_CONTACT, code="other").update(is_active=False)
    assert selectors.code_name(CodeTable.LOST_CONTACT, "other") == "其他"
    assert not selectors.is_valid_code(CodeTable.LOST_CONTACT, "other")
    assert "other" not in dict(selectors.code_choices(CodeTable.LOST_CONTACT))
    assert not selectors.codes(CodeTable.LOST_CONTACT).filter(code="other").exists()
    assert selectors.codes(CodeTable.LOST_CONTACT, include_inactive=True).filter(code="other")


def code_queries(context: CaptureQueriesContext) -> int:
    """Queries on the code table (django-tenants may add a SET search_path)."""
    return sum("standards_code" in query["sql"] for query in context.captured_queries)


def test_cached_tables_need_no_query():
    with CaptureQueriesContext(connection) as first:
        selectors.code_choices(CodeTable.EDUCATION)
    with CaptureQueriesContext(connection) as again:
        selectors.code_choices(CodeTable.EDUCATION)
        selectors.code_name(CodeTable.EDUCATION, "21")
        selectors.is_valid_code(CodeTable.EDUCATION, "21")
    assert (code_queries(first), code_queries(again)) == (1, 0)


def test_an_empty_table_is_not_cached():
    Code.objects.filter(table=CodeTable.POST).delete()
    assert selectors.code_choices(CodeTable.POST) == []
    with CaptureQueriesContext(connection) as again:
        selectors.code_choices(CodeTable.POST)
    assert code_queries(again) == 1


def test_tenants_read_the_same_public_codes():
    with schema_context(ALPHA.schema):
        assert selectors.codes(CodeTable.ETHNICITY).count() == 58
        assert selectors.code_name(CodeTable.ETHNICITY, "03") == "回族"


def test_a_broken_data_file_is_refused(tmp_path):
    def write(rows: list[dict[str, object]]) -> None:
        document = {"table": "post", "rows": rows}
        (tmp_path / "post.json").write_text(json.dumps(document), encoding="utf-8")

    write([{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}])
    with pytest.raises(ValueError, match="duplicate"):
        load_codes("post", directory=tmp_path)
    write([{"code": "a", "name": "甲", "parent_code": "z"}])
    with pytest.raises(ValueError, match="parent_code"):
        load_codes("post", directory=tmp_path)
    write([{"code": "a", "name": "甲", "colour": "red"}])
    with pytest.raises(ValueError, match="unknown keys"):
        load_codes("post", directory=tmp_path)
