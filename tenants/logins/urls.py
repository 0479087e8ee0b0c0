from __future__ import annotations

from django.urls import path

from tenants.logins import views

app_name = "logins"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("import/<uuid:job_id>/", views.for_import, name="import"),
    path("member/<int:member_id>/", views.member_view, name="member"),
    path("applicant/<int:record_id>/", views.applicant_view, name="applicant"),
]
for _kind, _param in (("member", "member_id"), ("applicant", "record_id")):
    for _action in ("issue", "reset", "disable", "enable"):
        urlpatterns.append(
            path(
                f"{_kind}/<int:{_param}>/{_action}/",
                views._action_view(_kind, _action),
                name=f"{_kind}-{_action}",
            )
        )
