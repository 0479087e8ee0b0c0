from __future__ import annotations

from django.urls import path

from tenants.transfers import views, views_letters

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("mine/", views.transfer_mine, name="mine"),
    path("new/", views.transfer_new, name="new"),
    path("inbox/<uuid:envelope_id>/", views.envelope_detail, name="envelope"),
    path("paper/", views_letters.paper_register, name="paper"),
    path("proofs/new/", views_letters.proof_new, name="proof-new"),
    path("proofs/<int:proof_id>/", views_letters.proof_detail, name="proof"),
    path("proofs/<int:proof_id>/letter.pdf", views_letters.proof_download, name="proof-pdf"),
    path("retentions/new/", views_letters.retention_new, name="retention-new"),
    path(
        "retentions/<int:retention_id>/end/",
        views_letters.retention_finish,
        name="retention-end",
    ),
    path("<int:transfer_id>/", views.transfer_detail, name="detail"),
    path("<int:transfer_id>/letter.pdf", views.letter_download, name="letter-pdf"),
    # Before ``act``: withdrawing asks first (a GET page), then posts here.
    path("<int:transfer_id>/withdraw/", views.transfer_withdraw, name="withdraw"),
    path("<int:transfer_id>/<slug:action>/", views.transfer_act, name="act"),
]
