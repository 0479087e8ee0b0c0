from __future__ import annotations

from django.urls import path

from tenants.dues import views

app_name = "dues"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("remind/", views.remind, name="remind"),
    path("generate/", views.generate, name="generate"),
    path("export/", views.export, name="export"),
    path("members/<int:member_id>/", views.member_dues, name="member"),
    path("reductions/<int:reduction_id>/", views.reduction_decision, name="reduction-decide"),
    path("mine/", views.mine, name="mine"),
    path("mine/pay/", views.pay, name="pay"),
    path("mine/orders/<str:order_no>/", views.order_status, name="order-status"),
    path("mine/orders/<str:order_no>/result/", views.paid, name="paid"),
]
