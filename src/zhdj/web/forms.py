"""Form helpers shared by the pages."""

from __future__ import annotations

from urllib.parse import urlencode

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
    """A <select> sent with only the blank and the chosen option; ``SearchSelect`` adds
    the search that finds the rest (``static/js/picker.js``).

    For pickers of hundreds of organizations on pages that are loaded often (the member
    list): the options were most of the page's bytes and server time.
    """

    def render(self, name, value, attrs=None, renderer=None):  # type: ignore[no-untyped-def]
        field = self.choices.field
        # Only ids: a tampered ``?org=abc`` is the field's error, not a 500 while rendering.
        chosen = [
            int(v) for v in self.format_value(value) if str(v).isdecimal() and len(str(v)) < 19
        ]
        picked = list(field.queryset.filter(pk__in=chosen).values_list("pk", field.label_field))
        blank = [("", field.empty_label)] if field.empty_label is not None else []
        return self.render_choices(name, value, attrs, blank + picked)


class SearchSelect(LazyOptionsSelect):
    """A type-to-search picker (选择器): a <select> sent with only the blank and the chosen
    option, which ``static/js/picker.js`` turns into a search box asking ``data-search-url``.

    A county has tens of thousands of members and ~850 organizations: no page lists them.
    The posted value is the same field value as a plain <select>, so the field's queryset
    still validates it; without JavaScript the chosen value stays a working option.
    """

    def __init__(self, attrs=None, *, placeholder: str = "输入名称、拼音或首字母搜索"):  # type: ignore[no-untyped-def]
        super().__init__(attrs)
        self.placeholder = placeholder

    def render(self, name, value, attrs=None, renderer=None):  # type: ignore[no-untyped-def]
        field = self.choices.field
        chosen = [str(v) for v in self.format_value(value) if v]
        picked = field.picked_labels(chosen) if chosen else []
        blank = (
            [("", field.empty_label)]
            if field.empty_label is not None and not self.allow_multiple_selected
            else []
        )
        extra = {
            "data-search-url": field.search_url,
            "data-placeholder": self.placeholder,
            **({"multiple": "multiple"} if self.allow_multiple_selected else {}),
        }
        final = {k: ("" if v is True else v) for k, v in {**(attrs or {}), **extra}.items()}
        return self.render_choices(name, value, final, blank + picked)


class SearchSelectMultiple(SearchSelect):
    """The same picker choosing several (chips in the browser, one <option> each)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):  # type: ignore[no-untyped-def]
        getter = getattr(data, "getlist", None)
        return getter(name) if getter is not None else data.get(name)

    def value_omitted_from_data(self, data, files, name) -> bool:  # type: ignore[no-untyped-def]
        return False  # an empty multiple select is absent from the POST, not omitted


class PickerField(FlatModelChoiceField):
    """A choice of one row of ``queryset`` made by typing (``SearchSelect``).

    ``sources`` names the querysets the search endpoint at ``url`` knows, each a function
    of the user's scope; ``scope_to(scope)`` sets the field's queryset from the same
    function, so the endpoint never offers what the field would refuse and the reverse.
    ``labels(pks)`` gives the (pk, label) of the chosen rows. With ``as_pk`` the cleaned
    value is the pk as a string, as a ``ChoiceField`` gave before.
    """

    widget = SearchSelect

    def __init__(  # type: ignore[no-untyped-def]
        self,
        *args,
        url,
        sources,
        source: str,
        labels,
        params: dict[str, str] | None = None,
        as_pk: bool = False,
        placeholder: str | None = None,
        **kwargs,
    ):
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("empty_label", "请选择")
        super().__init__(*args, **kwargs)
        self.url, self.sources, self.source = url, sources, source
        self.labels, self.params, self.as_pk = labels, dict(params or {}), as_pk
        if placeholder is not None:
            self.widget.placeholder = placeholder

    @property
    def search_url(self) -> str:
        return f"{self.url}?{urlencode({'source': self.source, **self.params})}"

    def scope_to(self, scope, **params: str) -> None:  # type: ignore[no-untyped-def]
        """The rows ``scope`` may choose from; ``params`` narrow them on the server too."""
        self.params.update({k: str(v) for k, v in params.items()})
        self.queryset = self.sources[self.source](scope, self.params)

    def picked_labels(self, pks: list[str]) -> list[tuple[str, str]]:
        ids = [int(p) for p in pks if str(p).isdecimal() and len(str(p)) < 19]  # within bigint
        allowed = set(self.queryset.filter(pk__in=ids).values_list("pk", flat=True))
        return [(str(pk), label) for pk, label in self.labels([i for i in ids if i in allowed])]

    def to_python(self, value):  # type: ignore[no-untyped-def]
        obj = super().to_python(value)
        if self.as_pk:
            return "" if obj is None else str(obj.pk)
        return obj


class MultiplePickerField(PickerField):
    """Several rows of ``queryset`` chosen by typing (``SearchSelectMultiple``)."""

    widget = SearchSelectMultiple

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if not value:
            return [] if self.as_pk else self.queryset.none()
        values = value if isinstance(value, list | tuple) else [value]
        ids = {str(v) for v in values}
        invalid = forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice"
        )
        if not all(v.isdecimal() and len(v) < 19 for v in ids):
            raise invalid
        rows = self.queryset.filter(pk__in=[int(v) for v in ids])
        if rows.count() != len(ids):
            raise invalid
        return [str(v) for v in values] if self.as_pk else rows

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, list | tuple | set) or hasattr(value, "model"):
            return [super(MultiplePickerField, self).prepare_value(v) for v in value]
        return super().prepare_value(value)

    def validate(self, value) -> None:  # type: ignore[no-untyped-def]
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data) -> bool:  # type: ignore[no-untyped-def]
        return {str(v) for v in initial or []} != {str(v) for v in data or []}


class DateInput(forms.DateInput):
    """``<input type="date">``: the browser takes and sends only ``YYYY-MM-DD``.

    Django renders a DateInput in the first of the active language's input formats
    (``2026/03/01`` for zh-hans), which a date input does not accept: the field came up
    empty and an unchanged save erased the date or failed as missing.
    """

    input_type = "date"

    def __init__(self, attrs=None):  # type: ignore[no-untyped-def]
        super().__init__(attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    """``<input type="month">`` (``YYYY-MM``) for a DateField holding the month's first day
    (党费交至): use with ``MONTH_INPUT_FORMATS``."""

    input_type = "month"

    def __init__(self, attrs=None):  # type: ignore[no-untyped-def]
        super().__init__(attrs, format="%Y-%m")


MONTH_INPUT_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class PhoneInput(forms.TextInput):
    """A text box for a phone number that brings up a phone's number keypad.

    ``inputmode``, not ``type="tel"``: the value is still whatever was typed (a landline
    with an extension), and no ``autocomplete``: the number typed is often someone else's.
    """

    def __init__(self, attrs=None):  # type: ignore[no-untyped-def]
        super().__init__({"inputmode": "tel", **(attrs or {})})
