"""Table-driven tests for billing.rules (handbook §4.0.4, §4.1.5; 《支付结算办法》)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from billing.rules import (
    amount_in_words,
    call_charge,
    extra_points_fee,
    landline_monthly_rent,
    move_fee,
    unicom_first_month_charge,
)


@pytest.mark.parametrize(
    ("accepted_on", "expected"),
    [
        (date(2026, 11, 1), Decimal("23.00")),
        (date(2026, 11, 14), Decimal("23.00")),
        (date(2026, 11, 15), Decimal("11.50")),
        (date(2026, 11, 30), Decimal("11.50")),
        (date(2028, 2, 29), Decimal("11.50")),
    ],
)
def test_unicom_first_month_charge(accepted_on, expected):
    charge = unicom_first_month_charge(accepted_on)
    assert charge == expected
    assert charge.as_tuple().exponent == -2


@pytest.mark.parametrize("accepted_on", ["2026-11-14", None, datetime(2026, 11, 14, 9, 0)])
def test_unicom_first_month_charge_rejects(accepted_on):
    with pytest.raises(ValueError):
        unicom_first_month_charge(accepted_on)


@pytest.mark.parametrize(
    ("broadband_points", "landline_points", "expected"),
    [
        (0, 0, Decimal("0.00")),
        (2, 2, Decimal("0.00")),  # two of each kind are free
        (3, 2, Decimal("30.00")),
        (2, 3, Decimal("30.00")),
        (4, 1, Decimal("60.00")),  # unused free landline points do not cover broadband
        (5, 4, Decimal("150.00")),
    ],
)
def test_extra_points_fee(broadband_points, landline_points, expected):
    assert extra_points_fee(broadband_points, landline_points) == expected


@pytest.mark.parametrize(
    ("broadband_points", "landline_points"),
    [(-1, 0), (0, -1), (True, 0), (0, False), (2.0, 0), ("3", 0)],
)
def test_extra_points_fee_rejects(broadband_points, landline_points):
    with pytest.raises(ValueError):
        extra_points_fee(broadband_points, landline_points)


@pytest.mark.parametrize(
    ("service", "expected"),
    [("broadband", Decimal("30.00")), ("landline", Decimal("10.00"))],
)
def test_move_fee(service, expected):
    assert move_fee(service, same_compound=True) == expected


@pytest.mark.parametrize(
    ("service", "same_compound"),
    [
        ("broadband", False),  # 小区外不能移机
        ("landline", False),
        ("tv", True),
        ("Broadband", True),
        (None, True),
        ("broadband", 1),
    ],
)
def test_move_fee_rejects(service, same_compound):
    with pytest.raises(ValueError):
        move_fee(service, same_compound)


@pytest.mark.parametrize(
    ("rate", "seconds", "expected"),
    [
        (Decimal("0.10"), 0, Decimal("0.00")),
        (Decimal("0.10"), 1, Decimal("0.10")),  # a started minute is a whole minute
        (Decimal("0.10"), 60, Decimal("0.10")),
        (Decimal("0.10"), 61, Decimal("0.20")),
        (Decimal("0.15"), 600, Decimal("1.50")),  # daweitest local
        (Decimal("0.30"), 3601, Decimal("18.30")),  # daweitest long distance, 61 minutes
        (Decimal("0.125"), 60, Decimal("0.13")),  # ROUND_HALF_UP
        (Decimal("0"), 125, Decimal("0.00")),
        (1, 90, Decimal("2.00")),
    ],
)
def test_call_charge(rate, seconds, expected):
    charge = call_charge(rate, seconds)
    assert charge == expected
    assert charge.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("rate", "seconds"),
    [
        (Decimal("0.10"), -1),
        (Decimal("-0.10"), 60),
        (0.10, 60),  # float money is refused
        (Decimal("NaN"), 60),
        (Decimal("Infinity"), 60),
        (Decimal("0.10"), 60.0),
        (Decimal("0.10"), True),
        ("0.10", 60),
    ],
)
def test_call_charge_rejects(rate, seconds):
    with pytest.raises(ValueError):
        call_charge(rate, seconds)


@pytest.mark.parametrize(
    ("plan_rent", "bundled", "expected"),
    [
        (Decimal("20.00"), False, Decimal("20.00")),  # daweitest / yuezu
        (Decimal("20.00"), True, Decimal("0.00")),  # 固话随宽带计费优惠
        (Decimal("0"), False, Decimal("0.00")),  # system default billingplan
        (Decimal("23"), False, Decimal("23.00")),
    ],
)
def test_landline_monthly_rent(plan_rent, bundled, expected):
    rent = landline_monthly_rent(plan_rent, bundled)
    assert rent == expected
    assert rent.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("plan_rent", "bundled"),
    [(Decimal("-20.00"), False), (20.0, False), (Decimal("20.00"), None), (Decimal("20"), "no")],
)
def test_landline_monthly_rent_rejects(plan_rent, bundled):
    with pytest.raises(ValueError):
        landline_monthly_rent(plan_rent, bundled)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # Examples from DOMAIN.md and 《正确填写票据和结算凭证的基本规定》.
        (Decimal("300"), "叁佰元整"),
        (Decimal("1409.50"), "壹仟肆佰零玖元伍角"),
        (Decimal("16409.02"), "壹万陆仟肆佰零玖元零贰分"),
        (Decimal("6007.14"), "陆仟零柒元壹角肆分"),
        (Decimal("1680.32"), "壹仟陆佰捌拾元叁角贰分"),
        (Decimal("107000.53"), "壹拾万柒仟元伍角叁分"),
        (Decimal("325.04"), "叁佰贰拾伍元零肆分"),
        # Zero and pure fractions.
        (Decimal("0"), "零元整"),
        (Decimal("0.00"), "零元整"),
        (Decimal("0.5"), "伍角"),
        (Decimal("0.05"), "伍分"),
        (Decimal("0.55"), "伍角伍分"),
        # 壹 is always written before 拾.
        (Decimal("10"), "壹拾元整"),
        (Decimal("11.50"), "壹拾壹元伍角"),
        (Decimal("23.00"), "贰拾叁元整"),
        (Decimal("110000"), "壹拾壹万元整"),
        (Decimal("100000"), "壹拾万元整"),
        # Zeros inside and between groups.
        (Decimal("1000000.01"), "壹佰万元零壹分"),
        (Decimal("10010"), "壹万零壹拾元整"),
        (Decimal("100100"), "壹拾万零壹佰元整"),
        (Decimal("1000.05"), "壹仟元零伍分"),
        (Decimal("2000.50"), "贰仟元伍角"),
        (Decimal("1.00"), "壹元整"),
        (Decimal("30.00"), "叁拾元整"),
        # Up to 亿 and beyond.
        (Decimal("100000000"), "壹亿元整"),
        (Decimal("100000001"), "壹亿零壹元整"),
        (Decimal("100001000"), "壹亿零壹仟元整"),
        (Decimal("120000000"), "壹亿贰仟万元整"),
        (Decimal("100100000"), "壹亿零壹拾万元整"),
        (Decimal("999999999999.99"), "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        # Accepted representations.
        (1409, "壹仟肆佰零玖元整"),
        (Decimal("1.500"), "壹元伍角"),  # trailing zeros are not extra places
        (Decimal("1E+2"), "壹佰元整"),
    ],
)
def test_amount_in_words(amount, expected):
    assert amount_in_words(amount) == expected


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-0.01"),
        Decimal("-300"),
        Decimal("0.001"),
        Decimal("1409.505"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1000000000000"),  # 一万亿 and above are out of range
        1409.5,  # floats are refused
        "1409.50",
        None,
        True,
    ],
)
def test_amount_in_words_rejects(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount)
