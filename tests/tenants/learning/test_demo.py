"""The demo's learning data comes through the services and the study engine."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shared.learning.demo import seed_city
from shared.learning.models import CityCourse
from tenants.learning.demo import seed_county
from tenants.learning.models import Attempt, Course, LessonProgress, Paper, StudyRejection
from tenants.learning.selectors import member_year
from tenants.members.models import Member

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_year_of_learning(b):  # type: ignore[no-untyped-def]
    seed_county()
    seed_county()  # idempotent
    assert Course.objects.filter(published=True).count() == 2
    assert Paper.objects.filter(published=True).count() == 2
    me = Member.objects.get(pk=b.member_scope.member_id)
    year = member_year(me)
    assert year.seconds == 750 and year.required_done == 0
    assert LessonProgress.objects.filter(member=me, completed_at__isnull=False).count() == 1
    attempt = Attempt.objects.get(member=me)
    assert attempt.passed is False and attempt.number == 1
    assert not StudyRejection.objects.exists()  # the demo plays honestly


def test_city_demo_course_is_read_by_every_county(b):  # type: ignore[no-untyped-def]
    with schema_context("public"):
        seed_city()
    assert CityCourse.objects.filter(published=True).count() == 1
    me = Member.objects.get(pk=b.member_scope.member_id)
    titles = [row.course.title for row in member_year(me).courses]
    assert "学党章、守党规、强党性" in titles
