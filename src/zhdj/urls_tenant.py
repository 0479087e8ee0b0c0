"""URLs of a county host (<county>.<domain>)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tenants.development.api import DevelopmentRecordViewSet
from tenants.dues.api import DuesBillViewSet, DuesPaymentViewSet
from tenants.learning.api import (
    AttemptViewSet,
    LearningRecordViewSet,
    PaperViewSet,
    StudySessionViewSet,
    WrongBookViewSet,
)
from tenants.learning.api_manage import (
    CourseManageViewSet,
    LearningStatsViewSet,
    PaperManageViewSet,
    QuestionManageViewSet,
)
from tenants.members.api import MemberViewSet, ProposalViewSet
from tenants.notifications.api import NotificationViewSet
from tenants.orglife.api import (
    AppraisalViewSet,
    BallotViewSet,
    ComplianceViewSet,
    MeetingViewSet,
    OwnMeetingViewSet,
)
from tenants.orgs.api import OrganizationViewSet
from tenants.orgs.views import county_home
from tenants.transfers.api import EnvelopeViewSet, TransferViewSet
from zhdj.api import APIDocsView, APIRootView, APISchemaView
from zhdj.web.views import celeryz, healthz, livez, readyz

# No ".json" URL variants: nothing uses them, and the custom actions (warnings, unread,
# records, timeline) do not take the ``format`` argument they add (a 500 on every call).
router = DefaultRouter()
router.APIRootView = APIRootView
router.include_format_suffixes = False
router.register("orgs", OrganizationViewSet, basename="org")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("members", MemberViewSet, basename="member")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("development", DevelopmentRecordViewSet, basename="development-record")
router.register("dues/bills", DuesBillViewSet, basename="dues-bill")
router.register("dues/payments", DuesPaymentViewSet, basename="dues-payment")
router.register("transfers/inbox", EnvelopeViewSet, basename="transfer-envelope")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("orglife/meetings", MeetingViewSet, basename="orglife-meeting")
router.register("orglife/mine", OwnMeetingViewSet, basename="orglife-mine")
router.register("orglife/ballots", BallotViewSet, basename="orglife-ballot")
router.register("orglife/compliance", ComplianceViewSet, basename="orglife-compliance")
router.register("orglife/appraisals", AppraisalViewSet, basename="orglife-appraisal")
router.register("learning/record", LearningRecordViewSet, basename="learning-record")
router.register("learning/sessions", StudySessionViewSet, basename="learning-session")
router.register("learning/papers", PaperViewSet, basename="learning-paper")
router.register("learning/attempts", AttemptViewSet, basename="learning-attempt")
router.register("learning/wrong", WrongBookViewSet, basename="learning-wrong")
# learning (manage)
router.register("learning/manage/courses", CourseManageViewSet, basename="learning-manage-course")
router.register(
    "learning/manage/questions", QuestionManageViewSet, basename="learning-manage-question"
)
router.register("learning/manage/papers", PaperManageViewSet, basename="learning-manage-paper")
router.register("learning/manage/stats", LearningStatsViewSet, basename="learning-manage-stats")

urlpatterns = [
    path("", county_home, name="home"),
    path("accounts/", include("shared.accounts.urls")),
    path("orgs/", include("tenants.orgs.urls")),
    path("members/", include("tenants.members.urls")),
    path("stats/", include("tenants.stats.urls")),
    path("imports/", include("tenants.imports.urls")),
    path("audit/", include("tenants.audit.urls")),
    path("notifications/", include("tenants.notifications.urls")),
    path("rules/", include("tenants.rules.urls")),
    path("development/", include("tenants.development.urls")),
    path("dues/", include("tenants.dues.urls")),
    path("transfers/", include("tenants.transfers.urls")),
    path("teams/", include("tenants.teams.urls")),
    path("orglife/", include("tenants.orglife.urls")),
    path("learning/", include("tenants.learning.urls")),
    path("flowing/", include("tenants.flowing.urls")),
    path("logins/", include("tenants.logins.urls")),
    path("dashboard/", include("shared.rollups.urls_county")),
    path("api/", include(router.urls)),
    path("api/schema/", APISchemaView.as_view(), name="api-schema"),
    path("api/docs/", APIDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("livez", livez, name="livez"),
    path("readyz", readyz, name="readyz"),
    path("celeryz", celeryz, name="celeryz"),
    path("healthz", healthz, name="healthz"),  # = readyz, for older probes
    path("admin/", admin.site.urls),
]

handler400 = "zhdj.web.errors.bad_request"
handler404 = "zhdj.web.errors.not_found"
handler403 = "zhdj.web.errors.forbidden"
handler500 = "zhdj.web.errors.server_error"
