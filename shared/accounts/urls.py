from __future__ import annotations

from django.urls import path

from shared.accounts import lockouts, otp_views, session_views, views
from shared.accounts.views import LoginView, LogoutView

app_name = "accounts"
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("password/forgot/", views.password_reset_request, name="password_reset"),
    path("password/forgot/code/", views.password_reset_code, name="password_reset_code"),
    # 登录设备 (shared/accounts/session_views.py)
    path("sessions/", session_views.session_list, name="sessions"),
    path("sessions/end/", session_views.session_end, name="session_end"),
    # 动态口令 (shared/accounts/otp.py)
    path("otp/", otp_views.otp_verify, name="otp_verify"),
    path("otp/setup/", otp_views.otp_setup, name="otp_setup"),
    path("otp/manage/", otp_views.otp_manage, name="otp_manage"),
    path("otp/reset/", otp_views.otp_reset_list, name="otp_reset"),
    path("otp/reset/<int:user_id>/", otp_views.otp_reset_confirm, name="otp_reset_confirm"),
    path("otp/reset/<int:user_id>/do/", otp_views.otp_reset_do, name="otp_reset_do"),
    # 登录锁定 (shared/accounts/lockouts.py)
    path("lockouts/", lockouts.lockout_list, name="lockouts"),
    path("lockouts/unlock/", lockouts.lockout_unlock, name="lockouts_unlock"),
]
