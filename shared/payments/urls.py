from __future__ import annotations

from django.urls import path

from shared.payments import views
from shared.payments.double import views as double

app_name = "payments"
urlpatterns = [
    path("notify/<slug:channel>/", views.notify, name="notify"),
    # The local gateway double (TEST ONLY; 404 unless ZHDJ_PAYMENT_DOUBLE is on).
    path("double/alipay/gateway.do", double.alipay_gateway, name="double-alipay"),
    path("double/unionpay/frontTransReq.do", double.unionpay_front, name="double-unionpay"),
    path("double/<slug:channel>/cashier/<str:txn_id>/", double.cashier, name="double-cashier"),
]
