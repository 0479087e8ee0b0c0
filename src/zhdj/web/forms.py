"""Form helpers shared by the pages."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
        return self.render_choices(name, value, attrs, self.choices)

    def render_choices(self, name, value, attrs, choices):  # type: ignore[no-untyped-def]
        final = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if str(v) in selected else ""}>'
            f"{escape(label)}</option>"
            for v, label in choices
        )
        attrs_html = "".join(
            f' {escape(k)}="{escape(v)}"' for k, v in final.items() if v not in (None, False)
        )
        return mark_safe(f'<select name="{escape(name)}"{attrs_html}>{options}</select>')  # noqa: S308


class _FlatChoiceIterator(ModelChoiceIterator):
    """(pk, label) pairs from one ``values_list`` query: no model instance per option."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.label_field)

    def __len__(self) -> int:
        return self.queryset.count() + (self.field.empty_label is not None)


class FlatModelChoiceField(ModelChoiceField):
    """A ModelChoiceField whose options come straight from one column (``label_field``),
    rendered with ``FastSelect``: the organization pickers of ~850 options."""

    iterator = _FlatChoiceIterator
    widget = FastSelect

    def __init__(self, *args, label_field: str = "name", **kwargs):  # type: ignore[no-untyped-def]
        self.label_field = label_field
        super().__init__(*args, **kwargs)


class LazyOptionsSelect(FastSelect):
    """A <select> sent with only the blank and the chosen option; the browser fills in
    the rest from ``data-options-url`` (``static/js/org-picker.js``), cached per version.

    For pickers of hundreds of organizations on pages that are loaded often (the member
    list): the options were most of the page's bytes and server time.
    """

    def render(self, name, value, attrs=None, renderer=None):  # type: ignore[no-untyped-def]
        field = self.choices.field
        chosen = [v for v in self.format_value(value) if v]
        picked = list(field.queryset.filter(pk__in=chosen).values_list("pk", field.label_field))
        blank = [("", field.empty_label)] if field.empty_label is not None else []
        return self.render_choices(name, value, attrs, blank + picked)
