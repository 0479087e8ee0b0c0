"""Form helpers shared by the pages."""

from __future__ import annotations

from django import forms

from zhdj.errors import ApplicationError


def add_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's errors on the form: by field where the form has it, else on top."""
    errors = exc.extra.get("errors") or {exc.field or "__all__": [exc.message]}
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
