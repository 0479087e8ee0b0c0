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


class FastSelect(forms.Select):
    """A <select> rendered in Python, not through one template per option.

    Django renders each option through the widget templates: for the ~850 organizations
    of a county that was about 200 ms of the member list page (bench/members.py). Same
    markup, escaped the same way.
    """

    def render(self, name, value, attrs=None, renderer=None):  # type: ignore[no-untyped-def]
        from django.utils.html import format_html, format_html_join
        from django.utils.safestring import mark_safe

        final = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), mark_safe(" selected") if str(v) in selected else "", label)
                for v, label in self.choices
            ),
        )
        attrs_html = format_html_join(
            "", ' {}="{}"', ((k, v) for k, v in final.items() if v not in (None, False))
        )
        return format_html('<select name="{}"{}>{}</select>', name, attrs_html, options)
