"""Edit forms keep a withdrawn code (停用的代码) of the record: the select shows it and
sending the form back unchanged saves it, instead of a blank that erased it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from shared.accounts.models import User
from shared.standards import selectors
from shared.standards.models import Code, CodeTable
from tenants.access.scope import scope_for
from tenants.members.forms import MemberForm
from tenants.members.models import Member
from tenants.members.services import member_create, member_update
from tenants.members.validation import validate_member
from tests.tenants.members.conftest import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn(in_alpha) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Education "21" withdrawn from the code table (rolled back with the test)."""
    selectors.clear_cache()
    Code.objects.filter(table=CodeTable.EDUCATION, code="21").update(is_active=False)
    yield "21"
    selectors.clear_cache()
    connection.set_schema_to_public()


def test_the_member_form_keeps_a_withdrawn_code_of_the_record(village, withdrawn) -> None:
    scope = scope_for(User.objects.get(username="admin"))
    assert withdrawn not in dict(MemberForm(scope=scope).fields["education_code"].choices)
    form = MemberForm(scope=scope, initial={"education_code": withdrawn})
    label = dict(form.fields["education_code"].choices)[withdrawn]
    assert label.endswith("（已停用）") and label != f"{withdrawn}（已停用）"


def test_an_unchanged_withdrawn_code_saves_but_a_new_record_may_not_use_it(
    village, admin_scope, withdrawn
) -> None:
    with pytest.raises(Exception, match="不在代码表中"):
        member_create(scope=admin_scope, data=data(village, education_code=withdrawn))
    member = member_create(scope=admin_scope, data=data(village, education_code="31"))
    Member.objects.filter(pk=member.pk).update(education_code=withdrawn)  # an old record
    member.refresh_from_db()
    member_update(scope=admin_scope, member=member, data=data(village, education_code=withdrawn))
    member.refresh_from_db()
    assert member.education_code == withdrawn
    assert validate_member(data(village, education_code=withdrawn)) == {
        "education_code": ["学历“21”不在代码表中。"]
    }
