"""The rule of what a 姓名 and other free text may hold (zhdj.validation.names)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from zhdj.validation.names import NameField, TextField, clean_name, clean_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("艾力\u30fb库尔班", "艾力·库尔班"),  # the dot of Chinese IMEs
        ("艾力\u2022库尔班", "艾力·库尔班"),  # the bullet
        ("艾力\uff65库尔班", "艾力·库尔班"),
        ("𠮷野", "𠮷野"),  # U+20BB7, a GB 18030 supplementary character
        ("李〇", "李〇"),
        ("John Smith", "John Smith"),
        ("  John   Smith ", "John Smith"),
        ("José Müller", "José Müller"),
    ],
)
def test_real_names_are_accepted_and_normalized(typed: str, stored: str) -> None:
    assert clean_name(typed) == stored
    assert stored.encode("gb18030")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "请填写"),
        ("   ", "请填写"),
        ("张三😀", "表情"),
        ("张\u202e三", "控制字符或格式字符"),  # right-to-left override
        ("张\u2066三", "控制字符或格式字符"),  # bidi isolate
        ("张\u200b三", "控制字符或格式字符"),  # zero-width space
        ("张\x00三", "控制字符或格式字符"),
        ("张三1", "数字"),
        ("张三１", "数字"),
        ("张三!", "只能填写汉字"),
        ("张,三", "只能填写汉字"),
        ("·张三", "间隔号"),
        ("张··三", "间隔号"),
        ("张 · 三", "间隔号"),
        ("Иван", "只能填写汉字"),  # Cyrillic: the passport's Latin spelling is the name
    ],
)
def test_what_is_not_a_name_is_refused_with_the_field_named(typed: str, says: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_name(typed, label="家庭成员姓名")
    assert says in exc.value.messages[0]
    assert "家庭成员姓名" in exc.value.messages[0]


@pytest.mark.parametrize("typed", ["西安市雁塔区长安路1号", "第一行\n第二行\t", "Room 3-2, #5"])
def test_free_text_keeps_what_is_printable(typed: str) -> None:
    assert clean_text(typed, label="家庭住址") == typed


@pytest.mark.parametrize(
    "typed", ["长安路\x00一号", "长安路\u202e号一", "长安\u2069路", "a\u200db"]
)
def test_free_text_refuses_control_and_format_characters(typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_text(typed, label="家庭住址")
    assert exc.value.messages == ["家庭住址含有不可见的控制字符或格式字符，请删除后重新输入。"]


class _Form(forms.Form):
    name = NameField(label="姓名", max_length=32)
    nick = NameField(label="曾用名", max_length=32, required=False)
    address = TextField(label="家庭住址", required=False)


def test_the_form_fields_normalize_and_name_the_field() -> None:
    form = _Form({"name": "艾力\u30fb库尔班", "nick": "", "address": "人民路\r\n3 号"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"name": "艾力·库尔班", "nick": "", "address": "人民路\n3 号"}

    form = _Form({"name": "张\u202e三", "address": "人民\x00路"})
    assert not form.is_valid()
    assert form.errors["name"] == ["姓名含有不可见的控制字符或格式字符，请删除后重新输入。"]
    assert form.errors["address"] == ["家庭住址含有不可见的控制字符或格式字符，请删除后重新输入。"]
