"""Login and logout, the same on the city site and every county site.

The user table consulted is the one in the host's schema: a county account cannot
sign in anywhere but on its county's host.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views

from shared.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Without Django's ``site`` / ``site_name`` (the host and port, from the request):
        the page and the top bar name the county's organization department, as every page
        does (``zhdj.web.context.site``)."""
        context = super().get_context_data(**kwargs)
        context.pop("site", None)
        context.pop("site_name", None)
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); clears the session (等保: residual information)."""
