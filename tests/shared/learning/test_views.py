"""The city's course pages (市级课程): city users write and publish; a published course's
lessons are not removed; county users and members never reach them."""

from __future__ import annotations

import re

from django.utils import timezone

from shared.learning.models import CityCourse
from tests.conftest import logged_in
from tests.support.world import CITY_HOST

YEAR = timezone.localdate().year


def test_the_city_writes_and_publishes_a_course(db, city_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    assert "市级课程" in city_client.get("/").content.decode()
    empty = city_client.post("/learning/new/", {"title": "", "year": YEAR, "audience": "all"})
    assert empty.status_code == 400 and 'data-field="title"' in empty.content.decode()
    made = city_client.post(
        "/learning/new/", {"title": "市级党课", "year": YEAR, "audience": "all", "required": "on"}
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    url = made["Location"]
    course_id = re.search(r"/learning/courses/([0-9a-f-]{36})/", url).group(1)
    short = city_client.post(
        url, {"title": "导读", "kind": "article", "body": "", "reading_minutes": "5"}
    )
    assert short.status_code == 400 and "请填写正文" in short.content.decode()
    assert "导读" in short.content.decode()
    added = city_client.post(
        url, {"title": "导读", "kind": "article", "body": "正文", "reading_minutes": "5"}
    )
    assert added.status_code == 302
    assert city_client.post(f"{url}publish/", {"published": "1"}).status_code == 302
    course = CityCourse.objects.get(pk=course_id)
    assert course.published
    lesson = course.lessons.get()
    refused = city_client.post(f"/learning/lessons/{lesson.pk}/remove/", follow=True)
    assert refused.redirect_chain[-1][0] == url  # back on the course's page, with the reason
    assert "不能删除课节" in refused.content.decode()
    assert course.lessons.count() == 1
    edit = city_client.post(
        f"{url}edit/", {"title": "市级党课（修订）", "year": YEAR, "audience": "all"}
    )
    assert edit.status_code == 302
    assert CityCourse.objects.get(pk=course_id).title == "市级党课（修订）"
    assert "市级党课（修订）" in city_client.get("/learning/").content.decode()


def test_only_city_users_reach_the_city_pages(db, alpha, ops_client):
    assert ops_client.get("/learning/").status_code == 200
    admin = logged_in(alpha.host, "admin")
    # On a county host the city's addresses are the county's own learning pages or none.
    assert admin.get("/learning/new/").status_code == 404
    anonymous = logged_in(CITY_HOST, "anquan")
    assert anonymous.get("/learning/").status_code == 403
