"""Masked display of ID numbers, phones, addresses and names. No database needed."""

from __future__ import annotations

import pytest

from zhdj.pii.masking import mask_address, mask_id_number, mask_name, mask_phone


def test_id_number_keeps_the_first_and_the_last_character():
    assert mask_id_number("610802199003071234") == "6****************4"


def test_id_number_is_normalized_before_masking():
    assert mask_id_number(" 11010519491231002x") == "1****************X"


def test_legacy_15_digit_id_number_keeps_the_same_ends():
    assert mask_id_number("610802900307123") == "6*************3"


def test_mobile_keeps_first_three_and_last_two():
    assert mask_phone("13912345678") == "139******78"


def test_mobile_with_country_code_and_separators_masks_the_same():
    assert mask_phone("+86 139-1234-5678") == "139******78"


def test_landline_keeps_area_code_and_last_two():
    assert mask_phone("029-88886666") == "029******66"


def test_address_keeps_six_characters_then_four_stars():
    assert mask_address("陕西省榆林市榆阳区新建路 12 号") == "陕西省榆林市****"


def test_short_address_is_never_shown_whole():
    assert mask_address("陕西省榆林市") == "陕西省****"
    assert mask_address("榆林") == "榆****"
    assert mask_address("某") == "****"


def test_name_keeps_the_first_character():
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("张") == "*"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_address, mask_name])
@pytest.mark.parametrize("value", [None, "", "   ", 12345])
def test_empty_or_odd_input_gives_an_empty_string(mask, value):
    assert mask(value) == ""


@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        (mask_id_number, "12", "**"),
        (mask_id_number, "123", "1*3"),
        (mask_phone, "12345", "*****"),
        (mask_phone, "123456", "123*56"),
        (mask_phone, "电话未知", ""),
    ],
)
def test_input_too_short_to_keep_anything_is_masked_completely(mask, value, expected):
    assert mask(value) == expected


def test_masked_values_never_contain_the_hidden_middle():
    assert "19900307" not in mask_id_number("610802199003071234")
    assert "1234" not in mask_phone("13912345678")[:7]
