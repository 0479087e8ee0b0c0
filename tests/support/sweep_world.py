"""The page sweep's data: every kind of object the URLs take, in both counties.

Built on top of the test world through the features' own demo seeders and services,
and committed: under ASGI Django renders error pages in another thread, on another
database connection, which only sees committed rows. ``Snapshot`` puts the database
back as it was afterwards, so the tests that run later see the plain world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import User
from shared.accounts.services import user_create
from tests.support.world import ALPHA, BETA, PASSWORD, County

SCHEMAS = ("public", ALPHA.schema, BETA.schema)
APPLICANT = "applicant"


class Snapshot:
    """Every row of the schemas the sweep writes to, to restore them afterwards.

    Generic on purpose: the seeders and the pages write to many tables (sessions,
    audit, history, counters), and a list of them would go stale. Only tables that
    changed are rewritten, with triggers off (append-only history tables refuse
    deletes by design; foreign keys are consistent again once all are restored).
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[str]] = {}
        with connection.cursor() as cursor:
            for schema, table in self._tables(cursor):
                self.rows[(schema, table)] = self._read(cursor, schema, table)
            self.sequences = self._sequences(cursor)

    @staticmethod
    def _sequences(cursor) -> list[tuple[str, str, int | None]]:  # type: ignore[no-untyped-def]
        cursor.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = ANY(%s)",
            [list(SCHEMAS)],
        )
        return list(cursor.fetchall())

    @staticmethod
    def _tables(cursor) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE' ORDER BY 1, 2",
            [list(SCHEMAS)],
        )
        return list(cursor.fetchall())

    @staticmethod
    def _read(cursor, schema: str, table: str) -> list[str]:  # type: ignore[no-untyped-def]
        cursor.execute(f'SELECT row_to_json(t)::text FROM "{schema}"."{table}" t')
        return sorted(r[0] for r in cursor.fetchall())

    def restore(self) -> list[str]:
        """Rewrite the tables whose rows differ; returns their names."""
        connection.set_schema_to_public()
        changed = []
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                for schema, table in self._tables(cursor):
                    before = self.rows.get((schema, table), [])
                    if self._read(cursor, schema, table) == before:
                        continue
                    changed.append(f"{schema}.{table}")
                    cursor.execute(
                        "SELECT column_name FROM information_schema.columns WHERE "
                        "table_schema = %s AND table_name = %s AND is_generated = 'NEVER' "
                        "AND identity_generation IS DISTINCT FROM 'ALWAYS'",
                        [schema, table],
                    )
                    cols = ", ".join(f'"{c[0]}"' for c in cursor.fetchall())
                    name = f'"{schema}"."{table}"'
                    cursor.execute(f"DELETE FROM {name}")
                    if before:
                        cursor.execute(
                            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM "
                            f"json_populate_recordset(NULL::{name}, %s::json)",
                            ["[" + ",".join(before) + "]"],
                        )
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
            for schema, name, last in self.sequences:
                cursor.execute(
                    "SELECT setval(%s, %s, %s)",
                    [f'"{schema}"."{name}"', last or 1, last is not None],
                )
        return changed


def ids_apart(schema: str, by: int = 10_000) -> None:
    """Move a county's id sequences on, so that the objects seeded next have ids that
    the other county does not have (a foreign id must be a 404, not another row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s", [schema]
        )
        for name, last in cursor.fetchall():
            cursor.execute("SELECT setval(%s, %s)", [f'"{schema}"."{name}"', (last or 0) + by])


@dataclass(frozen=True)
class Seeded:
    """What the seeding made that the catalog cannot find by itself."""

    order_nos: dict[str, list[str]]


def seed() -> Seeded:
    """Fill both counties (and the public tables) with one of everything."""
    orders: dict[str, list[str]] = {}
    ids_apart(BETA.schema)
    for county in (ALPHA, BETA):
        with schema_context(county.schema):
            orders[county.schema] = _seed_county(county)
    _seed_envelope(ALPHA, BETA)
    _seed_envelope(BETA, ALPHA)
    _seed_inflow(ALPHA, BETA)  # flowing (inflows)
    _seed_inflow(BETA, ALPHA)
    _seed_onboarding_job()
    connection.set_schema_to_public()
    _seed_city_course()  # learning (manage)
    return Seeded(order_nos=orders)


def _seed_county(county: County) -> list[str]:
    from tenants.development.demo import seed_county as seed_development
    from tenants.dues.demo import seed_county as seed_dues
    from tenants.orglife.demo import seed_county as seed_orglife
    from tenants.transfers.demo import seed_county as seed_transfers

    _seed_applicant(county)
    seed_orglife()
    seed_development()
    seed_dues()
    seed_transfers()
    _seed_member_side()
    seed_learning_for_sweep()
    _seed_import_job()
    _seed_learning_manage()  # learning (manage)
    _seed_flowing()  # flowing
    return _seed_order()


def _admin() -> User:
    return User.objects.get(username="admin")


def _seed_applicant(county: County) -> None:
    """A login with a development record and no party membership (入党申请人)."""
    from tenants.access.scope import scope_for
    from tenants.development.demo import _uploads
    from tenants.development.person import PersonData
    from tenants.development.services import StepInput, record_create
    from tenants.orgs.models import Organization
    from zhdj.pii.idnumber import make_id_number

    user = user_create(
        username=APPLICANT, full_name="陈申请", password=PASSWORD, role=User.Role.APPLICANT
    )
    branch = Organization.objects.get(name=f"{county.name}某村党支部")
    record = record_create(
        scope=scope_for(_admin()),
        person=PersonData(
            org=branch,
            name="陈申请",
            id_number=make_id_number(county.region_code, date(2000, 4, 5), 321, "female"),
            ethnicity_code="01",
            education_code="21",
            phone="13600001111",
            address=f"{county.name}新华路1号",
        ),
        step=StepInput(
            done_on=timezone.localdate() - timedelta(days=40), uploads=_uploads(1, "陈申请")
        ),
        actor=_admin(),
        user=user,
    )
    from tenants.development.submissions import submission_create

    submission_create(  # a thought report typed on the applicant's own page
        scope=scope_for(user), record=record, kind="思想汇报", actor=user, text="学习体会。"
    )


def _seed_member_side() -> None:
    """A proposal of the member, a record in each of the member's record sets, a
    reduction request, a retention, a notification for everyone."""
    from tenants.access.scope import scope_for
    from tenants.dues.services import reduction_propose
    from tenants.members.models import Member
    from tenants.members.proposals import proposal_submit
    from tenants.members.record_services import record_add
    from tenants.notifications.services import notification_send
    from tenants.transfers.services import retention_start

    admin_scope = scope_for(_admin())
    member = Member.objects.get(user__username="member")
    proposal_submit(user=member.user, changes={"job_title": "出纳"}, note="岗位变动")
    record_add(
        scope=admin_scope,
        member=member,
        slug="family",
        data={
            "relation": "配偶",
            "name": "某某",
            "work_unit": "某单位",
            "political_status": "群众",
        },
    )
    first = timezone.localdate().replace(day=1)
    reduction_propose(
        scope=admin_scope,
        member=member,
        kind="exempt",
        from_month=first,
        to_month=first,
        reason="重病",
        branch_decided_on=timezone.localdate(),
        branch_decision="支部委员会会议决定免交",
    )
    other = Member.objects.get(name="赵其他")
    retention_start(
        scope=admin_scope,
        actor=_admin(),
        member=other,
        reason="出国留学",
        started_on=timezone.localdate(),
        months=6,
    )
    notification_send(
        recipients=User.objects.all(),
        title="请按时交纳党费",
        body="本月党费请于月底前交纳。",
        sender=_admin(),
    )


def seed_learning_for_sweep() -> None:
    """A published course of the member's branch (a video and an article), a one-question
    test the member failed once and is taking again, and a study session: small and in the
    states the pages show (the learning demo seeder plays a whole county's study, too slow
    for the sweep)."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.access.scope import scope_for
    from tenants.learning import exams, services, study
    from tenants.learning.catalogue import lesson_by_id
    from tenants.members.models import Member
    from tenants.orgs.models import Organization
    from tests.support.learning import judge_paper

    media = Path(__file__).resolve().parents[2] / "tenants" / "learning" / "demo_media"
    sec = User.objects.get(username="branchsec")
    scope = scope_for(sec)
    village = Organization.objects.get(name__endswith="某村党支部")
    course = services.course_create(
        scope,
        village,
        {"title": "学习党章", "year": timezone.localdate().year, "audience": "all"},
        sec,
    )
    video = SimpleUploadedFile("lesson.mp4", (media / "lesson.mp4").read_bytes())
    first_lesson = {"title": "第一讲", "kind": "video", "media": video}
    lesson = services.lesson_add(scope, course, first_lesson)
    article = {"title": "第二讲", "kind": "article", "body": "正文。", "reading_minutes": 3}
    services.lesson_add(scope, course, article)
    services.course_publish(scope, course, True)
    now = timezone.now()
    question, paper = judge_paper(
        scope, village, sec, minutes=30,  # the sweep's open attempt outlives its walk
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=7),
    )  # fmt: skip
    member = Member.objects.select_related("org").get(user__username="member")
    first = exams.attempt_start(member, paper)
    exams.answer_save(member.pk, first.pk, question.pk, [1])
    exams.attempt_submit(member.pk, first.pk)  # wrong: in the wrong-answer book
    exams.attempt_start(member, paper)
    found = lesson_by_id(lesson.pk)
    assert found is not None
    study.session_start(member, found, "sweep-phone")


def _seed_import_job() -> None:
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from tenants.access.scope import Scope
    from tenants.imports.columns import HEADERS
    from tenants.imports.jobs import import_job_start

    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    ws.append(["张三", "不是身份证号"] + [None] * (len(HEADERS) - 2))  # errors to show
    buffer = BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile(
        "党员.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    import_job_start(scope=Scope.system(), user=_admin(), upload=upload)


def _seed_order() -> list[str]:
    """A pending online dues order (and the test gateway's trade for it)."""
    from shared.payments.double.gateway import trade_open
    from tenants.dues.payments import payment_order_create
    from tenants.members.models import Member
    from zhdj.errors import ApplicationError

    for member in Member.objects.filter(party_status_code="normal").order_by("pk"):
        try:
            payment = payment_order_create(member=member, channel="alipay")
        except ApplicationError:
            continue
        trade_open(
            channel="alipay",
            order_no=payment.order_no,
            app_id="sweep",
            amount_fen=payment.amount_fen,
            subject="党费",
            notify_url="http://alpha.localhost/pay/notify/alipay/",
            return_url="",
        )
        return [payment.order_no]
    return []


def _seed_envelope(source: County, target: County) -> None:
    """A transfer to the other county: its envelope waits in the target's inbox."""
    from tenants.access.scope import scope_for
    from tenants.members.services import member_create
    from tenants.members.validation import MemberData
    from tenants.orgs.models import Organization
    from tenants.transfers.models import Kind
    from tenants.transfers.services import transfer_approve, transfer_start
    from zhdj.pii.idnumber import make_id_number

    with schema_context(source.schema):
        scope = scope_for(_admin())
        member = member_create(
            scope=scope,
            data=MemberData(
                org=Organization.objects.get(name=f"{source.name}另一村党支部"),
                name="转接人",
                id_number=make_id_number(source.region_code, date(1985, 2, 3), 77, "male"),
                ethnicity_code="01",
                category_code="full",
                joined_at=date(2010, 7, 1),
                full_member_at=date(2011, 7, 1),
                phone="13800007777",
                address="测试路7号",
            ),
        )
        transfer = transfer_start(
            scope=scope,
            actor=_admin(),
            member=member,
            kind=Kind.COUNTY_OUT,
            reason="工作调动",
            target_schema=target.schema,
        )
        transfer_approve(scope=scope, actor=_admin(), transfer=transfer)


def _seed_inflow(source: County, target: County) -> None:
    """A member of ``source`` flowing into ``target`` with the card: ``target`` has them
    in its inflows, assigned to its 某村党支部 and a guest of that branch's open meeting."""
    from tenants.access.scope import scope_for
    from tenants.flowing import inflows, services
    from tenants.flowing.models import Inflow, Paper
    from tenants.members.services import member_create
    from tenants.members.validation import MemberData
    from tenants.orglife.guests import guest_add
    from tenants.orglife.models import Meeting
    from tenants.orgs.models import Organization
    from zhdj.pii.idnumber import make_id_number

    with schema_context(source.schema):
        member = member_create(
            scope=scope_for(_admin()),
            data=MemberData(
                org=Organization.objects.get(name=f"{source.name}某村党支部"),
                name="流入人",
                id_number=make_id_number(source.region_code, date(1986, 3, 4), 78, "male"),
                ethnicity_code="01",
                category_code="full",
                joined_at=date(2010, 7, 1),
                full_member_at=date(2011, 7, 1),
                phone="13800007778",
                address="测试路8号",
            ),
        )
        today = timezone.localdate()
        outflow = services.outflow_register(
            scope=scope_for(User.objects.get(username="branchsec")),
            member=member,
            going=services.Going(
                reason="work",
                destination_code=target.region_code,
                place="某工地",
                starts_on=today - timedelta(days=20),
                ends_on=today + timedelta(days=300),
                contact="13800007778",
                paper=Paper.CARD,
            ),
            actor=_admin(),
        )
        townsec = User.objects.get(username="townsec")
        services.card_issue(scope=scope_for(townsec), outflow=outflow, actor=townsec)
    with schema_context(target.schema):
        inflows.inflows_sync()
        village = Organization.objects.get(name=f"{target.name}某村党支部")
        inflow = inflows.inflow_place(
            scope=scope_for(_admin()), inflow=Inflow.objects.get(), org=village, actor=_admin()
        )
        meeting = Meeting.objects.filter(org=village, status__in=["planned", "held"]).first()
        if meeting is not None:
            guest_add(scope=scope_for(_admin()), meeting=meeting, inflow_id=inflow.pk, actor=None)


def _seed_onboarding_job() -> None:
    """An ops onboarding job, kept from the queue: a worker of a later test would
    otherwise pick the message up after the job's row is gone."""
    from unittest import mock

    from shared.customers.jobs import onboarding_job_queue
    from shared.customers.services import OnboardingRequest

    connection.set_schema_to_public()
    request = OnboardingRequest(
        name="佳县",
        region_code="610828",
        schema_name="sweepjia",
        domain="sweepjia.localhost",
        admin_username="admin",
        admin_full_name="佳县管理员",
        admin_password=PASSWORD,
    )
    with mock.patch("shared.customers.tasks.run_onboarding_job.delay"):
        onboarding_job_queue(req=request, created_by=User.objects.get(username="ops"))


# --- learning (manage) ---------------------------------------------------------------------


def _seed_learning_manage() -> None:
    """A published course of 某村党支部 with an article lesson, a question, a published
    paper and the member's passed attempt (its certificate)."""
    from tenants.access.scope import scope_for
    from tenants.learning import exams, services
    from tenants.members.models import Member
    from tenants.orgs.models import Organization
    from tests.support.learning import judge_paper

    sec = User.objects.get(username="branchsec")
    scope = scope_for(sec)
    village = Organization.objects.get(name__endswith="某村党支部")
    year = timezone.localdate().year
    course = services.course_create(
        scope,
        village,
        {"title": "党章学习", "year": year, "audience": "all", "required": True},
        sec,
    )
    services.lesson_add(
        scope,
        course,
        {"title": "第一讲", "kind": "article", "body": "正文", "reading_minutes": 5},
    )
    services.course_publish(scope, course, True)
    question, paper = judge_paper(scope, village, sec)
    member = Member.objects.get(user__username="member")
    attempt = exams.attempt_start(member, paper)
    exams.answer_save(member.pk, attempt.pk, question.pk, [0])
    exams.attempt_submit(member.pk, attempt.pk)


# --- flowing --------------------------------------------------------------------------------


def _seed_flowing() -> None:
    """The member gone out to another province with the card issued and one report."""
    from dateutil.relativedelta import relativedelta

    from tenants.access.scope import scope_for
    from tenants.flowing import services
    from tenants.members.models import Member

    sec, admin = User.objects.get(username="branchsec"), _admin()
    member = Member.objects.get(user__username="member")
    today = timezone.localdate()
    outflow = services.outflow_register(
        scope=scope_for(sec),
        member=member,
        going=services.Going(
            reason="work",
            destination_code="440000",
            place="深圳市某电子厂",
            starts_on=today - timedelta(days=30),
            ends_on=today + relativedelta(months=11),
            contact="13800000000",
            paper="card",
        ),
        actor=sec,
    )
    services.card_issue(scope=scope_for(admin), outflow=outflow, actor=admin)
    services.report_back(
        member=member,
        on=today,
        way="手机报告",
        note="在深圳务工，参加园区党支部活动",
        user=member.user,
    )


def _seed_city_course() -> None:
    """A published city course with an article lesson (市级课程)."""
    from shared.learning.services import city_course_create, city_course_publish, city_lesson_add

    city = User.objects.get(username="city")
    year = timezone.localdate().year
    course = city_course_create(
        city, {"title": "市级党课", "year": year, "audience": "all", "required": True}
    )
    city_lesson_add(
        city, course, {"title": "导读", "kind": "article", "body": "正文", "reading_minutes": 5}
    )
    city_course_publish(city, course, True)
