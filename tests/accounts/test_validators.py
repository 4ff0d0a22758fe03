"""ID number and phone checks (pure functions, table-driven)."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from accounts.validators import (
    mask_id_number,
    validate_contact_phone,
    validate_id_number,
    validate_mobile,
)


def with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize("number", [
    "11010519491231002X",  # the standard's own example
    "11010519491231002x",  # lower-case x is accepted
    with_check_digit("61010319550101123"),  # born 1955, before Xi'an's 1983 codes
    with_check_digit("61011620040229002"),  # a leap day
])
def test_valid_id_numbers(number):
    validate_id_number(number)


@pytest.mark.parametrize("number", [
    "11010519491231002",  # 17 digits
    "110105194912310021",  # wrong check digit
    with_check_digit("61010219800230001"),  # 30 February
    with_check_digit("61010230800101001"),  # born in the future
    with_check_digit("99010119800101001"),  # no such province
    "11010519491231002Y", "abcdefghijklmnopqr", "", "1" * 10_000,
])
def test_invalid_id_numbers(number):
    with pytest.raises(ValidationError):
        validate_id_number(number)


@pytest.mark.parametrize(("value", "masked"), [
    ("11010519491231002X", "1101**********002X"), ("", ""), ("1234", "****"),
])
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "ok"), [
    ("13912345678", True), ("139 1234 5678", True), ("12912345678", False),
    ("1391234567", False), ("139123456789", False), ("abc", False),
])
def test_mobile(value, ok):
    if ok:
        validate_mobile(value)
    else:
        with pytest.raises(ValidationError):
            validate_mobile(value)


@pytest.mark.parametrize(("value", "ok"), [
    ("029-86860001", True), ("02986860001", True), ("86860001", True),
    ("13912345678", True), ("029-0686000", False), ("<b>", False), ("1" * 30, False),
])
def test_contact_phone(value, ok):
    if ok:
        validate_contact_phone(value)
    else:
        with pytest.raises(ValidationError):
            validate_contact_phone(value)
