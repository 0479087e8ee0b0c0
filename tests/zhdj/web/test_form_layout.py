"""Forms as a phone user meets them: full-width colons after labels, the number keypad
for phone numbers and amounts in 元 (issue 15)."""

from __future__ import annotations

import importlib

import pytest
from django import forms
from django.utils import translation

from tenants.dues.forms import YuanField
from zhdj.web.forms import PhoneInput

# Every module of county page forms: a form added to one of them is checked by itself.
FORM_MODULES = (
    "tenants.development.forms",
    "tenants.dues.forms",
    "tenants.members.forms",
    "tenants.members.proposal_views",
    "tenants.orgs.forms",
    "tenants.transfers.forms",
)
PHONE_WORDS = ("手机", "电话")


class Sample(forms.Form):
    phone = forms.CharField(label="手机号")
    agree = forms.BooleanField(label="是否同意？")


def _form_fields():  # type: ignore[no-untyped-def]
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, forms.BaseForm):
                yield from ((obj, name, field) for name, field in obj.base_fields.items())


def test_labels_end_in_the_full_width_colon():
    with translation.override("zh-hans"):
        form = Sample()
        assert form["phone"].label_tag() == '<label for="id_phone">手机号：</label>'
        # A label that already ends in punctuation gets nothing more.
        assert form["agree"].label_tag() == '<label for="id_agree">是否同意？</label>'
        assert "手机号：" in form.as_div()


@pytest.mark.parametrize("field", ["phone", "landline"])
def test_phone_boxes_bring_up_the_number_keypad(field):
    from tenants.members.forms import MemberForm

    html = str(MemberForm.base_fields[field].widget.render(field, "0912-1234567"))
    assert 'inputmode="tel"' in html and 'type="text"' in html


def test_every_phone_field_and_every_amount_field_asks_for_the_keypad():
    phones = amounts = 0
    for form, name, field in _form_fields():
        label = str(field.label or "")
        if any(word in label for word in PHONE_WORDS) and isinstance(field, forms.CharField):
            phones += 1
            assert isinstance(field.widget, PhoneInput), (form, name)
        if isinstance(field, YuanField):
            amounts += 1
            assert 'inputmode="decimal"' in field.widget.render(name, ""), (form, name)
    assert phones >= 6 and amounts >= 3
