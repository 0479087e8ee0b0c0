"""Every form of the county site survives a browser round trip (issue 15).

An edit form opened on real data and sent back unchanged must save every field as it
was: a county once found its members' edit form unsaveable because the dates came up
empty (a format ``<input type=date>`` refuses) and a set date was silently erased. A
create form must store what was typed, dates and months included. Each case reads the
rows through the ORM before and after and compares them field by field.

``COVERED`` and ``NOT_ROUND_TRIPPED`` together must name every form class the county
views use (``test_every_form_of_the_views_is_covered``): a new form cannot skip this.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pgtrigger
import pytest
from django import forms
from django.db import models
from django_tenants.utils import schema_context

import tenants
from shared.accounts.models import User
from shared.accounts.services import user_create
from tenants.access.scope import scope_for
from tenants.members.models import EditProposal, Member, MemberStatusChange
from tenants.members.records import RECORD_SETS
from tenants.members.services import member_create
from tenants.members.validation import MemberData
from tenants.notifications.models import Notification
from tenants.orgs.models import Organization, OrganizationChange
from tenants.orgs.services import org_create, org_update
from tenants.rules.models import RuleOverride
from tests.e2e.conftest import login, url
from tests.support.threads import in_thread
from tests.support.world import PASSWORD
from zhdj.pii.idnumber import make_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.live]

ORG_NAME = "表单往返测试党支部"
NAME = "阿依古丽·买买提"  # a minority name with the middle dot
USERNAME = "roundtrip_member"
RULE_KEY = "transfers.letter_validity_days_nation"

# The form classes that the cases below send through Chromium, by the case.
COVERED = {
    "tenants.members.forms.MemberForm": "member edit, unchanged",
    "tenants.members.forms.StatusForm": "status change, typed",
    "tenants.members.forms.UnlockForm": "password step, then edit (tests/e2e/test_reveal.py)",
    "tenants.members.proposal_views.ProposalForm": "own record at phone width",
    "tenants.orgs.forms.OrgFieldsForm": "organization edit, unchanged",
    "tenants.rules.views.OverrideForm": "rule override edit, unchanged",
    "tenants.notifications.forms.NoticeForm": "compose, typed",
    "tenants.development.forms.ApplicantForm": "new applicant, typed",
    "tenants.development.forms.StepForm": "a step, typed",
    "tenants.development.forms.SubmissionForm": "applicant at phone width (test_applicant_phone)",
    "tenants.dues.forms.BaseForm": "dues base, typed",
    "tenants.dues.forms.OfflineForm": "offline payment, typed",
    "tenants.dues.forms.ReductionForm": "hardship reduction, typed",
    "tenants.transfers.forms.StartForm": "transfer (manager; own at phone width), typed",
    "tenants.transfers.forms.PaperForm": "paper letter in, typed",
    "tenants.transfers.forms.ProofForm": "proof letter, typed",
    "tenants.transfers.forms.RetentionForm": "retention, typed",
    "tenants.transfers.forms.AcceptForm": "cross-county acceptance (tests/e2e/test_transfers.py)",
    "tenants.teams.forms.AppointForm": "appoint, typed (tests/e2e/test_teams.py)",
    "tenants.teams.forms.EndForm": "end a post, typed (tests/e2e/test_teams.py)",
    "tenants.teams.forms.GrantForm": "post permission override (tests/e2e/test_teams.py)",
    "tenants.orglife.forms.PlanForm": "plan a meeting, typed (tests/e2e/test_orglife.py)",
    "tenants.orglife.forms.BallotForm": "a resolution put to the vote (test_orglife)",
    "tenants.orglife.forms.RecordForm": "minutes, typed (test_orglife)",
    "tenants.orglife.forms.FileForm": "a material uploaded (test_orglife)",
    "tenants.orglife.forms.CancelForm": "cancel with a reason (test_orglife)",
    "tenants.orglife.forms.CountForm": "a ballot counted in the room (test_orglife)",
    "tenants.orglife.forms.VoteForm": "a vote at phone width (test_orglife)",
    "tenants.orglife.forms.CommentForm": "a comment at phone width (test_orglife)",
    "tenants.orglife.forms.LeaveForm": "leave at phone width (test_orglife)",
    "tenants.orglife.forms.OpinionForm": "written opinion at phone width (test_orglife)",
    "tenants.orglife.forms_appraisal.AppraisalStartForm": "start an appraisal (test_orglife)",
    "tenants.orglife.forms_appraisal.SelfForm": "self-assessment at phone width (test_orglife)",
    "tenants.orglife.forms_appraisal.GradesForm": "peer review and the proposal (test_orglife)",
    "tenants.orglife.forms_appraisal.AppraisalVoteForm": "the grades to the vote (test_orglife)",
    "tenants.orglife.forms_appraisal.DecideForm": "the decision with handling (test_orglife)",
    # learning (manage): tests/e2e/test_learning_manage.py
    "tenants.learning.forms.CourseForm": "course created, then edited unchanged",
    "tenants.learning.forms.QuestionForm": "three questions typed, one edited unchanged",
    "tenants.learning.forms.PaperForm": "a fixed paper from the bank, typed",
    # flowing: tests/e2e/test_flowing.py
    "tenants.flowing.forms.GoingForm": "外出登记 typed, the wrong paper refused and kept",
    "tenants.flowing.forms.ReportForm": "a member's report at phone width",
    "tenants.flowing.forms.ContactForm": "a contact recorded on the outflow's page",
    "tenants.flowing.forms.ReturnForm": "the return with the card handed back",
    "tenants.flowing.forms.LostForm": "标记失联 with the password step",
    "tenants.flowing.forms.GroupForm": "a temporary branch set up from a suggestion",
    "tenants.flowing.forms_inflow.PlaceForm": "an inflow from the other county placed",
    "tenants.flowing.forms_inflow.DuesForm": "the month the inflow's dues are paid through",
    **{f"records:{slug}": "extended set, typed" for slug in RECORD_SETS},
}

# Forms written by hand, with no form class to list here (their browser round trips):
# learning's test start button and answer sheet, with and without script
# (tests/e2e/test_learning_member.py).

# Forms of the views that store no record to compare, or are driven elsewhere; the
# reason says which. Adding a form to a view means adding it to one of the two lists.
NOT_ROUND_TRIPPED = {
    "tenants.members.forms.MemberSearchForm": "a GET filter of the list, stores nothing",
    "tenants.members.forms.RevealForm": "asks for the password to show a value",
    "tenants.stats.forms.StatisticsForm": "a GET filter of the statistics report",
    "tenants.audit.forms.AuditFilterForm": "a GET filter of the audit log",
    "tenants.development.forms.BoardFilterForm": "a GET filter of the development board",
    "tenants.dues.forms.MonthQueryForm": "a GET filter (month) of the dues pages",
    "tenants.imports.forms.MemberImportForm": "an Excel upload (tests/e2e + imports tests)",
    "tenants.dues.forms.PayForm": "starts an online payment (tests/e2e/test_dues.py)",
    "tenants.development.forms.ReviewForm": "a review decision on a step",
    "tenants.transfers.forms.DecideForm": "a decision on a transfer",
    "tenants.transfers.forms.LetterForm": "issues the letter of a transfer",
    "tenants.transfers.forms.ReceiptForm": "records the receipt of a letter",
    "tenants.transfers.forms.RetentionEndForm": "ends a retention (one date)",
    "tenants.orgs.forms.ChildForm": "a tree action (create a child organization)",
    "tenants.orgs.forms.RenameForm": "a tree action (rename)",
    "tenants.orgs.forms.TargetForm": "a tree action (move, merge)",
    "tenants.orgs.forms.DissolveForm": "a tree action (dissolve)",
    "tenants.logins.forms.AccountFilterForm": "a GET filter of the logins list",
    "tenants.logins.forms.DeliveryForm": "issues a login (tests/e2e/test_logins.py)",
    "tenants.logins.forms.BulkForm": "issues logins in bulk (tests/tenants/logins)",
    "tenants.teams.forms.TeamFilterForm": "a GET filter of the team index",
    "tenants.orglife.forms.MeetingFilterForm": "a GET filter of the meetings (test_orglife)",
    "tenants.orglife.forms.YearForm": "a GET filter (year) of compliance (test_orglife)",
    "tenants.development.forms.VoteStartForm": (
        "starts a step's vote: two choices and a box, nothing typed "
        "(tests/tenants/development/test_vote_pages.py)"
    ),
    # learning (manage)
    "tenants.learning.forms.YearForm": "a GET filter (year) of the learning pages",
    "tenants.learning.forms.QuestionFilterForm": "a GET filter of the question bank",
    # flowing
    "tenants.flowing.forms.OutflowFilterForm": "a GET filter of the flowing members",
}

# Columns that change on any save by design.
VOLATILE = {"updated_at"}


def _view_form_classes() -> set[str]:
    """Every form class a county view module refers to (imported or defined there),
    plus one entry per extended set (``record_form_class`` builds those forms)."""
    found: set[str] = set()
    for info in pkgutil.walk_packages(tenants.__path__, "tenants."):
        if not info.name.rsplit(".", 1)[-1].startswith(("views", "proposal_views")):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, forms.BaseForm)
                and obj.__module__.startswith("tenants.")
            ):
                found.add(f"{obj.__module__}.{obj.__qualname__}")
    return found | {f"records:{slug}" for slug in RECORD_SETS}


def test_every_form_of_the_views_is_covered() -> None:
    used = _view_form_classes()
    assert not set(COVERED) & set(NOT_ROUND_TRIPPED)
    assert set(COVERED) | set(NOT_ROUND_TRIPPED) == used, (
        f"not listed: {sorted(used - set(COVERED) - set(NOT_ROUND_TRIPPED))}; "
        f"no longer used: {sorted((set(COVERED) | set(NOT_ROUND_TRIPPED)) - used)}"
    )


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every stored column of ``obj`` as Python values (encrypted ones decrypted)."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in VOLATILE
    }


def assert_same(before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    assert not changed, f"the round trip changed (before, after): {changed}"


def submit(page, button: str | re.Pattern[str] = "保存") -> None:  # type: ignore[no-untyped-def]
    """Send the page's form as the browser has it and wait for the answer."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=isinstance(button, str)).first.click()
    errors = page.locator("form .errorlist, form .msg--error, form [role=alert]").all_inner_texts()
    assert not [e for e in errors if e.strip()], f"the form refused: {errors}"


# ---------------------------------------------------------------- the data of the cases


@dataclass(frozen=True)
class World:
    org_id: int
    member_id: int


def _make(schema: str, region_code: str) -> World:
    """A branch of its own and a member with every field filled (and a login)."""
    with schema_context(schema):
        _clean_db()
        admin = User.objects.get(username="admin")
        town = Organization.objects.get(name__endswith="某镇党委")
        org = org_create(scope=scope_for(admin), parent=town, name=ORG_NAME, type_code="branch")
        org_update(
            scope=scope_for(admin),
            org=Organization.objects.get(pk=org.pk),
            values={
                "short_name": "往返支部",
                "category_code": _first_code("org_category"),
                "unit_situation_code": _first_code("unit_situation"),
                "credit_code": "91610802MA6Y3K4L2B",
                "unit_name": "榆阳区往返测试有限公司",
                "unit_nature": "民营企业",
                "industry": "制造业",
                "contact_name": "艾力·库尔班",
                "contact_phone": "0912-3456789",
                "term_started_at": date(2023, 3, 15),
                "term_ends_at": date(2026, 3, 14),
                "latitude": Decimal("38.285123"),
                "longitude": Decimal("109.734567"),
            },
            actor=admin,
        )
        member = member_create(
            scope=scope_for(admin),
            data=MemberData(
                org=Organization.objects.get(pk=org.pk),
                name=NAME,
                id_number=make_id_number(region_code, date(1985, 4, 12), 91, "female"),
                ethnicity_code="05",
                category_code="full",
                joined_at=date(2010, 7, 1),
                full_member_at=date(2011, 7, 2),
                education_code="21",
                job_title="村委会主任",
                occupation_code=_first_code("occupation"),
                phone="13900009191",
                landline="0912-7654321",
                address="榆阳区长城路 9 号",
            ),
        )
        member.user = user_create(
            username=USERNAME, full_name=NAME, password=PASSWORD, role=User.Role.MEMBER
        )
        member.save(update_fields=["user"])
        return World(org_id=org.pk, member_id=member.pk)


def _first_code(table: str) -> str:
    from shared.standards.selectors import code_choices

    return code_choices(table)[0][0]


def _clean_db() -> None:
    from tenants.development.models import DevelopmentRecord, StepDocument, StepEntry
    from tenants.dues import models as dues
    from tenants.transfers.models import Letter, ProofLetter, Retention, Transfer, TransferAction

    members = Member.objects.filter(org__name=ORG_NAME)
    transfers = Transfer.objects.filter(member__in=members)
    Letter.objects.filter(transfer__in=transfers).delete()
    # A transfer's history is append-only by a trigger: this test's own rows go too.
    with pgtrigger.ignore("transfers.TransferAction:append_only"):
        TransferAction.objects.filter(transfer__in=transfers).delete()
    transfers.delete()
    ProofLetter.objects.filter(member__in=members).delete()
    Retention.objects.filter(member__in=members).delete()
    dues.DuesBill.objects.filter(member__in=members).delete()
    for model in (dues.DuesPayment, dues.DuesReduction, dues.DuesBase, dues.ArrearsFlag):
        model.objects.filter(member__in=members).delete()
    dues.DuesAccount.objects.filter(member__in=members).delete()
    records = DevelopmentRecord.objects.filter(org__name=ORG_NAME)
    entries = StepEntry.objects.filter(record__in=records)
    for doc in StepDocument.objects.filter(entry__in=entries):
        doc.file.storage.delete(doc.file.name)
        doc.delete()
    # What hangs on the entries and records, but not the audit trail (pghistory's *Event
    # tables are append-only by a trigger and keep the ids without a constraint).
    for related in entries.model._meta.related_objects:
        if not related.related_model.__name__.endswith("Event"):
            related.related_model.objects.filter(**{related.field.name + "__in": entries}).delete()
    entries.delete()
    for related in records.model._meta.related_objects:
        if related.related_model is not StepEntry and related.field.name == "record":
            related.related_model.objects.filter(record__in=records).delete()
    records.delete()
    for spec in RECORD_SETS.values():
        spec.model.objects.filter(member__in=members).delete()
    MemberStatusChange.objects.filter(member__in=members).delete()
    EditProposal.objects.filter(member__in=members).delete()
    Notification.objects.filter(title__startswith=NAME).delete()
    Notification.objects.filter(title__startswith="往返测试").delete()
    members.delete()
    User.objects.filter(username=USERNAME).delete()
    for org in Organization.objects.filter(name=ORG_NAME):
        OrganizationChange.objects.filter(org=org).delete()
        Organization.objects.get(pk=org.pk).delete()
    RuleOverride.objects.filter(key=RULE_KEY).delete()


@pytest.fixture
def world(live_server_port, committed, alpha) -> Iterator[World]:  # type: ignore[no-untyped-def]
    made = in_thread(lambda: _make(alpha.schema, alpha.region_code))
    yield made

    def clean() -> None:
        with schema_context(alpha.schema):
            _clean_db()

    in_thread(clean)


def orm(schema: str, func: Callable[[], Any]) -> Any:
    def run() -> Any:
        with schema_context(schema):
            return func()

    return in_thread(run)


# ---------------------------------------------------------------- edits, sent unchanged


def test_the_member_edit_form_saves_every_field_as_it_was(
    page_factory, live_server_port, world, alpha
):
    before = orm(alpha.schema, lambda: snapshot(Member.objects.get(pk=world.member_id)))
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/members/{world.member_id}/edit/"))
    # The dates come up filled, in the only format <input type=date> accepts.
    assert page.input_value("#id_joined_at") == "2010-07-01"
    assert page.input_value("#id_full_member_at") == "2011-07-02"
    assert page.input_value("#id_birth_date") == "1985-04-12"
    submit(page)
    page.wait_for_url(f"**/members/{world.member_id}/")
    after = orm(alpha.schema, lambda: snapshot(Member.objects.get(pk=world.member_id)))
    assert_same(before, after)
    assert after["name"] == NAME


def test_the_organization_edit_form_saves_every_field_as_it_was(
    page_factory, live_server_port, world, alpha
):
    def read() -> tuple[dict[str, Any], int]:
        org = Organization.objects.get(pk=world.org_id)
        return snapshot(org), OrganizationChange.objects.filter(org=org).count()

    before, changes = orm(alpha.schema, read)
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/orgs/{world.org_id}/edit/"))
    assert page.input_value("#id_term_started_at") == "2023-03-15"
    submit(page, "确定")
    page.wait_for_url(f"**/orgs/{world.org_id}/")
    after, changes_after = orm(alpha.schema, read)
    assert_same(before, after)
    assert changes_after == changes  # nothing changed, so no history entry either


def test_the_rule_override_form_saves_the_override_as_it_was(
    page_factory, live_server_port, world, alpha
):
    def set_override() -> dict[str, Any]:
        from tenants.access.scope import Scope
        from tenants.rules.services import rule_override_set

        override = rule_override_set(
            scope=Scope.system(),
            key=RULE_KEY,
            value="45",
            reason="县委组织部 2026 年第 3 次部务会决定",
            actor=User.objects.get(username="admin"),
        )
        return snapshot(override)

    before = orm(alpha.schema, set_override)
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/rules/{RULE_KEY}/"))
    submit(page)
    page.wait_for_url("**/rules/")
    after = orm(alpha.schema, lambda: snapshot(RuleOverride.objects.get(key=RULE_KEY)))
    assert_same(before, after)


def test_the_own_record_proposal_at_phone_width_proposes_only_what_was_changed(
    page_factory, live_server_port, world, alpha
):
    def proposals() -> list[str]:
        return list(
            EditProposal.objects.filter(member_id=world.member_id).values_list("changes", flat=True)
        )

    before = orm(alpha.schema, lambda: snapshot(Member.objects.get(pk=world.member_id)))
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, USERNAME, PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/members/me/propose/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Unchanged: nothing to propose (no value came back masked, blank or reformatted).
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("networkidle")
    assert "没有需要修改的内容" in page.inner_text("main")
    assert orm(alpha.schema, proposals) == []

    page.fill("#id_job_title", "村党支部副书记")
    submit(page, "提交申请")
    import json

    (changes,) = orm(alpha.schema, proposals)
    assert json.loads(changes) == {"job_title": "村党支部副书记"}
    after = orm(alpha.schema, lambda: snapshot(Member.objects.get(pk=world.member_id)))
    assert_same(before, after)  # a proposal changes nothing until it is approved


# ---------------------------------------------------------------- creates, typed values

RECORD_VALUES: dict[str, dict[str, Any]] = {
    "jobs": {
        "unit": "榆阳区长城路街道办事处",
        "title": "科员",
        "started_at": date(2015, 9, 1),
        "ended_at": date(2019, 12, 31),
    },
    "honors": {
        "kind": "reward",
        "name": "优秀共产党员",
        "decided_at": date(2021, 6, 30),
        "authority": "中共榆阳区委",
    },
    "family": {
        "relation": "丈夫",
        "name": "艾力·库尔班",
        "work_unit": "榆阳区第一中学教师",
        "political_status": "群众",
    },
    "experience": {
        "org_name": "榆阳区某村党支部",
        "post": "组织委员",
        "started_at": date(2012, 1, 1),
        "ended_at": date(2016, 1, 1),
    },
    "hardship": {
        "kind": "因病",
        "description": "长期慢性病治疗",
        "since": date(2022, 3, 1),
        "resolved_at": date(2023, 3, 1),
    },
    "abroad": {
        "destination": "哈萨克斯坦",
        "reason": "探亲",
        "left_at": date(2024, 2, 1),
        "returned_at": date(2024, 2, 20),
    },
}


def fill(page, values: dict[str, Any], prefix: str = "id_") -> None:  # type: ignore[no-untyped-def]
    for field, value in values.items():
        selector = f"#{prefix}{field}"
        tag = page.eval_on_selector(selector, "e => e.tagName")
        if tag == "SELECT":
            page.select_option(selector, str(value))
        else:
            page.fill(selector, value.isoformat() if isinstance(value, date) else str(value))


@pytest.mark.parametrize("slug", list(RECORD_SETS))
def test_an_extended_set_stores_every_field_as_typed(
    page_factory, live_server_port, world, alpha, slug
):
    assert set(RECORD_VALUES[slug]) == set(RECORD_SETS[slug].fields)
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/members/{world.member_id}/records/{slug}/add/"))
    fill(page, RECORD_VALUES[slug])
    submit(page)
    page.wait_for_url(f"**/members/{world.member_id}/")
    model = RECORD_SETS[slug].model
    (row,) = orm(
        alpha.schema,
        lambda: [snapshot(r) for r in model.objects.filter(member_id=world.member_id)],
    )
    assert {k: row[k] for k in RECORD_VALUES[slug]} == RECORD_VALUES[slug]


def test_a_status_change_stores_the_date_and_reason_as_typed(
    page_factory, live_server_port, world, alpha
):
    typed = {
        "action": "lost_contact",
        "effective_date": date(2025, 11, 3),
        "reason": "外出务工，多次联系未果",
        "lost_contact_code": _first_lost_contact(alpha.schema),
    }
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/members/{world.member_id}/status/"))
    fill(page, typed)
    page.check("#id_confirmed")  # the confirmation step
    page.fill("#id_password", PASSWORD)  # a status change needs the password again
    submit(page, "办理")
    page.wait_for_url(f"**/members/{world.member_id}/")
    (row,) = orm(
        alpha.schema,
        lambda: [snapshot(c) for c in MemberStatusChange.objects.filter(member_id=world.member_id)],
    )
    assert {k: row[k] for k in typed} == typed


def _first_lost_contact(schema: str) -> str:
    return orm(schema, lambda: _first_code("lost_contact"))


def test_a_notice_stores_title_and_body_as_typed(page_factory, live_server_port, world, alpha):
    title, body = "往返测试：支部主题党日", "第一行\n第二行：请按时参加。"
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/notifications/compose/"))
    page.fill("#id_title", title)
    page.fill("#id_body", body)
    page.check("#id_everyone")
    submit(page, "发送")
    rows = orm(
        alpha.schema,
        lambda: list(Notification.objects.filter(title=title).values_list("title", "body")),
    )
    assert rows and set(rows) == {(title, body)}


def choose(page, selector: str, value: str, label: str = "") -> None:  # type: ignore[no-untyped-def]
    """Pick ``value`` in a <select>, also a type-to-search picker (static/js/picker.js),
    which is sent with only the chosen option: the posted value is what is compared."""
    page.eval_on_selector(
        selector,
        """(el, [value, label]) => {
            let o = [...el.options].find(o => o.value === value);
            if (!o) { o = new Option(label || value, value); el.add(o); }
            o.selected = true;
            el.dispatchEvent(new Event("change", {bubbles: true}));
        }""",
        [value, label],
    )


def _pdf() -> dict[str, Any]:
    from tests.tenants.development.path import PDF

    return {"name": "入党申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}


def test_a_new_applicant_and_a_step_store_every_field_as_typed(
    page_factory, live_server_port, world, alpha
):
    from tenants.development.models import DevelopmentRecord, StepEntry

    birth = date(2000, 3, 3)
    typed = {
        "name": "热依拉·艾买提",
        "id_number": make_id_number(alpha.region_code, birth, 93, "female"),
        "ethnicity_code": "05",
        "education_code": "21",
        "job_title": "榆阳区某公司职员",
        "phone": "13900009393",
        "address": "榆阳区新建路 3 号",
    }
    applied = date(2025, 6, 10)
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/development/new/"))
    choose(page, "#id_org", str(world.org_id), ORG_NAME)
    fill(page, typed | {"done_on": applied})
    page.set_input_files("#id_application", _pdf())
    submit(page)
    page.wait_for_url("**/development/records/*/")

    def read() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        record = DevelopmentRecord.objects.get(org_id=world.org_id)
        entries = [snapshot(e) for e in StepEntry.objects.filter(record=record)]
        return snapshot(record), entries

    record, (step1,) = orm(alpha.schema, read)
    assert {k: record[k] for k in typed} == typed
    assert (record["org_id"], record["applied_on"], record["birth_date"]) == (
        world.org_id,
        applied,
        birth,
    )
    assert step1["done_on"] == applied

    talked = date(2025, 6, 20)
    page.goto(url(live_server_port, alpha.host, f"/development/records/{record['id']}/steps/2/"))
    fill(page, {"done_on": talked, "actor_name": "李支书", "note": "谈话一次，态度端正。"})
    for n in range(page.locator("input[type=file]").count()):
        page.set_input_files(f"#id_doc_{n}", _pdf())
    submit(page, re.compile(r"^(保存|提交审核)$"))
    page.wait_for_url(f"**/development/records/{record['id']}/")
    _, entries = orm(alpha.schema, read)
    (step2,) = [e for e in entries if e["step_number"] == 2]
    assert (step2["done_on"], step2["actor_name"], step2["note"]) == (
        talked,
        "李支书",
        "谈话一次，态度端正。",
    )


def _dues_category(schema: str) -> str:
    from shared.standards.models import DuesCategory

    return orm(
        schema, lambda: DuesCategory.objects.order_by("pk").values_list("code", flat=True)[0]
    )


def test_the_dues_forms_store_every_field_as_typed(page_factory, live_server_port, world, alpha):
    from tenants.dues.models import DuesBase, DuesBill, DuesPayment, DuesReduction

    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, f"/dues/members/{world.member_id}/"))
    category = _dues_category(alpha.schema)
    choose(page, "#id_base-category_code", category)
    page.fill("#id_base-base", "5000.50")
    page.fill("#id_base-from_month", "2026-01")
    page.fill("#id_base-note", "2025 年工资收入")
    with page.expect_navigation():
        page.locator("[data-testid=base-form] button[type=submit]").click()
    (base,) = orm(
        alpha.schema,
        lambda: [snapshot(b) for b in DuesBase.objects.filter(member_id=world.member_id)],
    )
    assert (base["category_code"], base["base_fen"], base["from_month"], base["note"]) == (
        category,
        500050,
        date(2026, 1, 1),
        "2025 年工资收入",
    )

    # The base form now comes up with the base in force; sent back unchanged it saves
    # the same base (no second row, nothing re-priced).
    assert page.input_value("#id_base-from_month") == "2026-01"
    assert page.input_value("#id_base-base") == "5000.50"
    with page.expect_navigation():
        page.locator("[data-testid=base-form] button[type=submit]").click()
    again = orm(
        alpha.schema,
        lambda: [snapshot(b) for b in DuesBase.objects.filter(member_id=world.member_id)],
    )
    assert_same(base, again[0])
    assert len(again) == 1

    first = orm(
        alpha.schema,
        lambda: DuesBill.objects.filter(member_id=world.member_id).order_by("month").first(),
    )
    assert first is not None, "the base made no bills"
    page.check(f"[data-testid=offline-form] input[value='{first.month.isoformat()}']")
    choose(
        page,
        "#id_off-channel",
        page.eval_on_selector("#id_off-channel", "e => e.options[e.options.length - 1].value"),
    )
    channel = page.input_value("#id_off-channel")
    page.fill("#id_off-receipt_no", "SJ-2026-0001")
    page.fill("#id_off-voluntary", "10")
    with page.expect_navigation():
        page.locator("[data-testid=offline-form] button[type=submit]").click()
    (payment,) = orm(
        alpha.schema,
        lambda: [snapshot(p) for p in DuesPayment.objects.filter(member_id=world.member_id)],
    )
    assert (payment["channel"], payment["receipt_no"], payment["voluntary_fen"]) == (
        channel,
        "SJ-2026-0001",
        1000,
    )
    assert payment["bill_months"] == [first.month.isoformat()] or payment["bill_months"] == [
        first.month.strftime("%Y-%m")
    ]

    typed = {
        "kind": "reduce",
        "monthly": "0.50",
        "from_month": "2026-03",
        "to_month": "2026-12",
        "reason": "因病住院，收入减少",
        "branch_decided_on": date(2026, 2, 20),
        "branch_decision": "支部委员会 2026 年第 2 次会议",
    }
    kinds = page.eval_on_selector_all("#id_red-kind option", "os => os.map(o => o.value)")
    typed["kind"] = kinds[0]
    fill(page, typed, prefix="id_red-")
    with page.expect_navigation():
        page.locator("[data-testid=reduction-form] button[type=submit]").click()
    (reduction,) = orm(
        alpha.schema,
        lambda: [snapshot(r) for r in DuesReduction.objects.filter(member_id=world.member_id)],
    )
    assert {
        "kind": reduction["kind"],
        "monthly": reduction["monthly_fen"],
        "from_month": reduction["from_month"],
        "to_month": reduction["to_month"],
        "reason": reduction["reason"],
        "branch_decided_on": reduction["branch_decided_on"],
        "branch_decision": reduction["branch_decision"],
    } == typed | {"monthly": 50, "from_month": date(2026, 3, 1), "to_month": date(2026, 12, 1)}


def _other_branch(schema: str) -> tuple[int, str]:
    return orm(
        schema,
        lambda: (
            Organization.objects.filter(name__endswith="另一村党支部")
            .values_list("pk", "name")
            .get()
        ),
    )


def _transfers(schema: str, member_id: int) -> list[dict[str, Any]]:
    from tenants.transfers.models import Transfer

    return orm(
        schema,
        lambda: [snapshot(t) for t in Transfer.objects.filter(member_id=member_id)],
    )


def test_a_transfer_started_by_the_branch_stores_every_field_as_typed(
    page_factory, live_server_port, world, alpha
):
    to_org, to_name = _other_branch(alpha.schema)
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/transfers/new/"))
    choose(page, "#id_member", str(world.member_id), NAME)
    page.select_option("#id_kind", "within")
    choose(page, "#id_to_org", str(to_org), to_name)
    page.fill("#id_reason", "工作调动")
    page.fill("#id_dues_until", "2026-05")
    submit(page, "提交")
    (row,) = _transfers(alpha.schema, world.member_id)
    assert (row["kind"], row["to_org_id"], row["reason"], row["dues_paid_until"]) == (
        "within",
        to_org,
        "工作调动",
        date(2026, 5, 1),
    )


def test_the_own_transfer_request_at_phone_width_stores_what_was_typed(
    page_factory, live_server_port, world, alpha
):
    to_org, to_name = _other_branch(alpha.schema)
    page = page_factory(phone=True)
    login(page, live_server_port, alpha.host, USERNAME, PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/transfers/mine/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#id_kind", "within")
    choose(page, "#id_to_org", str(to_org), to_name)
    page.fill("#id_reason", "随配偶迁居")
    submit(page, "提交申请")
    (row,) = _transfers(alpha.schema, world.member_id)
    assert (row["kind"], row["to_org_id"], row["reason"]) == ("within", to_org, "随配偶迁居")


def test_a_paper_letter_registers_the_member_as_typed(page_factory, live_server_port, world, alpha):
    typed = {
        "name": "John Smith",
        "id_number": make_id_number(alpha.region_code, date(1990, 9, 9), 95, "male"),
        "ethnicity_code": "01",
        "category_code": "full",
        "joined_at": date(2014, 7, 1),
        "full_member_at": date(2015, 7, 1),
        "phone": "13900009595",
    }
    letter = {
        "letter_serial": "JS-2026-0042",
        "from_name": "中共南京市某区某街道工作委员会",
        "issued_on": date(2026, 11, 20),
        "validity_days": "60",
        "dues_paid_until": "2026-10",
    }
    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/transfers/paper/"))
    choose(page, "#id_org", str(world.org_id), ORG_NAME)
    fill(page, typed | letter)
    submit(page, "提交")

    def read() -> tuple[dict[str, Any], dict[str, Any]]:
        from tenants.transfers.models import Transfer

        member = Member.objects.get(name="John Smith", org_id=world.org_id)
        return snapshot(member), snapshot(Transfer.objects.get(member=member))

    member, transfer = orm(alpha.schema, read)
    assert {k: member[k] for k in typed} == typed
    assert (
        transfer["letter_serial"],
        transfer["from_name"],
        transfer["dues_paid_until"],
    ) == ("JS-2026-0042", "中共南京市某区某街道工作委员会", date(2026, 10, 1))


def test_a_proof_letter_and_a_retention_store_what_was_typed(
    page_factory, live_server_port, world, alpha
):
    from tenants.transfers.models import ProofLetter, Retention

    page = page_factory()
    login(page, live_server_port, alpha.host, "admin", PASSWORD)
    page.goto(url(live_server_port, alpha.host, "/transfers/proofs/new/"))
    choose(page, "#id_member", str(world.member_id), NAME)
    fill(page, {"destination": "新疆乌鲁木齐市", "reason": "探亲", "months": "3"})
    submit(page, "提交")
    (proof,) = orm(
        alpha.schema,
        lambda: [snapshot(p) for p in ProofLetter.objects.filter(member_id=world.member_id)],
    )
    assert (proof["destination"], proof["reason"], proof["months"]) == ("新疆乌鲁木齐市", "探亲", 3)

    page.goto(url(live_server_port, alpha.host, "/transfers/retentions/new/"))
    choose(page, "#id_member", str(world.member_id), NAME)
    fill(page, {"reason": "毕业后未落实工作单位", "started_on": date(2026, 7, 1), "months": "12"})
    submit(page, "提交")
    (retention,) = orm(
        alpha.schema,
        lambda: [snapshot(r) for r in Retention.objects.filter(member_id=world.member_id)],
    )
    assert (retention["reason"], retention["started_on"], retention["ends_on"].year) == (
        "毕业后未落实工作单位",
        date(2026, 7, 1),
        2027,
    )
