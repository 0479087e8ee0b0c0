"""Login and logout, the same on the city site and every county site.

The user table consulted is the one in the host's schema: a county account cannot
sign in anywhere but on its county's host.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from shared.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); clears the session (等保: residual information)."""
