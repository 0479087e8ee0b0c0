"""GB 11643-1999 citizen ID numbers: checksum, birth date, sex, age. No database needed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from zhdj.pii.idnumber import (
    CHECK_CHARS,
    WEIGHTS,
    IdNumberInfo,
    age_on,
    check_agrees,
    check_digit,
    make_id_number,
    validate_id_number,
)

TODAY = date(2026, 5, 1)


def _message(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return excinfo.value.messages[0]


def test_published_example_from_the_standard_beijing_is_valid():
    # GB 11643-1999's example for Beijing Chaoyang. Worked by hand: the weighted sum of
    # 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 is 167, 167 mod 11 = 2, and CHECK_CHARS[2] is X.
    assert sum(int(d) * w for d, w in zip("11010519491231002", WEIGHTS, strict=True)) == 167
    assert CHECK_CHARS[167 % 11] == "X"
    info = validate_id_number("11010519491231002X", today=TODAY)
    assert info.value == "11010519491231002X"
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "female"
    assert info.region_code == "110105"


def test_published_example_from_the_standard_guangdong_is_valid():
    # The standard's second example (Shantou Chaoyang, born 1880): weighted sum 195,
    # 195 mod 11 = 8, CHECK_CHARS[8] is 4.
    assert sum(int(d) * w for d, w in zip("44052418800101001", WEIGHTS, strict=True)) == 195
    info = validate_id_number("440524188001010014", today=TODAY)
    assert info.birth_date == date(1880, 1, 1)
    assert info.sex == "male"
    assert info.region_code == "440524"


def test_made_numbers_are_valid_and_carry_the_given_birth_date_and_sex():
    for region, birth, sequence, sex in [
        ("610802", date(1990, 3, 7), 0, "male"),
        ("610802", date(1990, 3, 7), 0, "female"),
        ("610821", date(2008, 2, 29), 499, "female"),
        ("610881", date(1921, 7, 1), 123, "男"),
    ]:
        number = make_id_number(region, birth, sequence, sex)
        info = validate_id_number(number, today=TODAY)
        assert len(number) == 18
        assert info.region_code == region
        assert info.birth_date == birth
        assert info.sex == ("male" if sex in ("male", "男") else "female")


def test_made_numbers_are_distinct_across_sequences_and_sexes():
    numbers = {
        make_id_number("610802", date(1990, 3, 7), sequence, sex)
        for sequence in range(500)
        for sex in ("male", "female")
    }
    assert len(numbers) == 1000


def test_make_id_number_refuses_bad_arguments():
    with pytest.raises(ValueError):
        make_id_number("6108", date(1990, 1, 1), 0, "male")
    with pytest.raises(ValueError):
        make_id_number("610802", date(1990, 1, 1), 500, "male")
    with pytest.raises(ValueError):
        make_id_number("610802", date(1990, 1, 1), -1, "male")
    with pytest.raises(ValueError):
        make_id_number("610802", date(1990, 1, 1), 0, "unknown")


def test_seventeenth_digit_odd_is_male_and_even_is_female():
    male = make_id_number("610802", date(1990, 3, 7), 7, "male")
    female = make_id_number("610802", date(1990, 3, 7), 7, "female")
    assert int(male[16]) % 2 == 1
    assert int(female[16]) % 2 == 0
    assert validate_id_number(male, today=TODAY).sex == "male"
    assert validate_id_number(female, today=TODAY).sex == "female"


def test_lower_case_x_and_surrounding_spaces_are_accepted_and_normalized():
    info = validate_id_number(" 11010519491231002x ", today=TODAY)
    assert info.value == "11010519491231002X"


def test_full_width_digits_from_a_chinese_input_method_are_normalized():
    info = validate_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY)
    assert info.value == "11010519491231002X"


def test_bad_checksum_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number("110105194912310021", today=TODAY)
    assert _message(excinfo) == "公民身份号码校验位不正确"
    assert excinfo.value.code == "checksum"


def test_every_wrong_check_character_is_refused():
    good = make_id_number("610802", date(1985, 10, 1), 42, "female")
    for char in "0123456789X":
        if char != good[-1]:
            with pytest.raises(ValidationError):
                validate_id_number(good[:-1] + char, today=TODAY)


@pytest.mark.parametrize("birth", ["19900230", "19900001", "19901301", "19900100", "18000101"])
def test_impossible_birth_date_is_refused_even_with_a_correct_check_character(birth):
    first17 = f"610802{birth}123"
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(first17 + check_digit(first17), today=TODAY)
    assert _message(excinfo) == "公民身份号码中的出生日期无效"


def test_birth_date_in_the_future_is_refused():
    tomorrow = make_id_number("610802", date(2026, 5, 2), 1, "male")
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(tomorrow, today=TODAY)
    assert _message(excinfo) == "公民身份号码中的出生日期晚于今天"
    born_today = make_id_number("610802", TODAY, 1, "male")
    assert validate_id_number(born_today, today=TODAY).birth_date == TODAY


def test_today_defaults_to_the_local_date():
    assert validate_id_number("11010519491231002X").birth_date == date(1949, 12, 31)
    with pytest.raises(ValidationError):
        validate_id_number(make_id_number("610802", date(2999, 1, 1), 0, "male"))


@pytest.mark.parametrize(
    "value", ["", "1101051949123100", "11010519491231002X1", "110105491231002"]
)
def test_wrong_length_is_refused_with_the_length_named(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value, today=TODAY)
    assert _message(excinfo).startswith("公民身份号码应为 18 位")
    assert excinfo.value.code == "length"


@pytest.mark.parametrize(
    "value", ["1101051949123100XX", "11010519491231002Y", "1101051949-231002X"]
)
def test_wrong_characters_are_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value, today=TODAY)
    assert _message(excinfo).startswith("公民身份号码应为 18 位")
    assert excinfo.value.code == "characters"


def test_none_is_refused_as_empty():
    with pytest.raises(ValidationError):
        validate_id_number(None, today=TODAY)


def test_error_messages_and_repr_never_contain_the_number():
    number = make_id_number("610802", date(1990, 3, 7), 3, "male")
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(broken, today=TODAY)
    assert "6108021990" not in str(excinfo.value)
    info = validate_id_number(number, today=TODAY)
    assert number not in repr(info)
    assert "1990" not in repr(info)
    assert repr(info) == f"IdNumberInfo(value='6****************{number[-1]}')"


def test_age_is_17_the_day_before_the_18th_birthday_and_18_on_it():
    birth = date(2008, 11, 26)
    assert age_on(birth, date(2026, 11, 25)) == 17
    assert age_on(birth, date(2026, 11, 26)) == 18
    assert age_on(birth, date(2008, 11, 26)) == 0


def test_age_accepts_an_id_number_info():
    info = validate_id_number(make_id_number("610802", date(2008, 11, 26), 0, "male"))
    assert isinstance(info, IdNumberInfo)
    assert age_on(info, date(2026, 11, 25)) == 17
    assert age_on(info, date(2026, 11, 26)) == 18


def test_leap_day_birthday_counts_on_1_march_in_common_years():
    birth = date(2008, 2, 29)
    assert age_on(birth, date(2026, 2, 28)) == 17
    assert age_on(birth, date(2026, 3, 1)) == 18
    assert age_on(birth, date(2028, 2, 28)) == 19
    assert age_on(birth, date(2028, 2, 29)) == 20


def test_age_refuses_a_date_before_birth_and_datetimes():
    from datetime import datetime

    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))
    with pytest.raises(TypeError):
        age_on(date(2000, 1, 1), datetime(2020, 1, 1))


def test_record_that_agrees_with_its_id_number_has_no_errors():
    info = validate_id_number("11010519491231002X", today=TODAY)
    assert check_agrees(info, birth_date=date(1949, 12, 31), sex="female") == []
    assert check_agrees(info, birth_date=date(1949, 12, 31), sex="女") == []
    assert check_agrees(info) == []


def test_record_that_disagrees_gets_one_chinese_message_per_field():
    info = validate_id_number("11010519491231002X", today=TODAY)
    assert check_agrees(info, birth_date=date(1949, 12, 30)) == ["出生日期与公民身份号码不一致"]
    assert check_agrees(info, sex="male") == ["性别与公民身份号码不一致"]
    assert check_agrees(info, birth_date=date(1950, 1, 1), sex="男") == [
        "出生日期与公民身份号码不一致",
        "性别与公民身份号码不一致",
    ]


def test_unknown_sex_value_is_a_programming_error():
    info = validate_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(ValueError):
        check_agrees(info, sex="F")
