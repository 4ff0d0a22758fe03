"""Billing rules from the operations handbook (营业部服务手册, seed 001).

- unicom_first_month_charge: §4.0.4 单装联通固话, 15号之前 23 元, 之后半月 11.5 元.
- extra_points_fee: §4.1.5 客户须知, 宽带/固话信息点各两个免费, 每多加一个 30 元.
- move_fee: §4.1.5 客户须知, 小区内移机 宽带 30 元 / 固话 10 元, 小区外不能移机.
- call_charge: DOMAIN §4, calls rated per started minute at the plan's rate.
- landline_monthly_rent: §4.1.5 固话随宽带计费优惠(无月租), 否则按标准资费.
- amount_in_words: 中国人民银行《支付结算办法》附件《正确填写票据和结算凭证的基本规定》
  (receipts, §4.0.8 收款金额要与收款收据一致).

Money is Decimal quantized to 2 places with ROUND_HALF_UP. Pure: standard library only.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

BROADBAND = "broadband"
LANDLINE = "landline"
SERVICES = (BROADBAND, LANDLINE)

UNICOM_FULL_MONTH = Decimal("23.00")
UNICOM_HALF_MONTH = Decimal("11.50")
UNICOM_HALF_MONTH_FROM_DAY = 15

FREE_POINTS_PER_SERVICE = 2
EXTRA_POINT_FEE = Decimal("30.00")

MOVE_FEES = {BROADBAND: Decimal("30.00"), LANDLINE: Decimal("10.00")}

SECONDS_PER_MINUTE = 60

# amount_in_words supports amounts below one trillion yuan (一万亿).
AMOUNT_IN_WORDS_LIMIT = Decimal(10) ** 12

_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACE_UNITS = ("仟", "佰", "拾", "")  # thousands .. ones inside a 4-digit group
_GROUP_UNITS = ("", "万", "亿")  # ones group, 万 group, 亿 group


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(name: str, value: Decimal) -> Decimal:
    """Return value as a finite, non-negative Decimal (int accepted, float and bool refused)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise ValueError(f"{name} must be a Decimal, got {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _count(name: str, value: int) -> int:
    """Return value if it is a non-negative int (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _bool(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return value


def _service(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"service must be one of {SERVICES}, got {service!r}")
    return service


def unicom_first_month_charge(accepted_on: date) -> Decimal:
    """First month of a Unicom-only landline (rent + caller ID), handbook §4.0.4.

    Accepted on day 1-14: full month 23.00; day 15 or later: half month 11.50.
    """
    if isinstance(accepted_on, datetime) or not isinstance(accepted_on, date):
        raise ValueError(f"accepted_on must be a date, got {accepted_on!r}")
    if accepted_on.day < UNICOM_HALF_MONTH_FROM_DAY:
        return UNICOM_FULL_MONTH
    return UNICOM_HALF_MONTH


def extra_points_fee(broadband_points: int, landline_points: int) -> Decimal:
    """Fee for the information points requested at one premises (handbook §4.1.5).

    The first 2 broadband and the first 2 landline points are free; each extra point
    of either kind costs 30.00.
    """
    broadband_points = _count("broadband_points", broadband_points)
    landline_points = _count("landline_points", landline_points)
    extra = max(0, broadband_points - FREE_POINTS_PER_SERVICE) + max(
        0, landline_points - FREE_POINTS_PER_SERVICE
    )
    return _quantize(EXTRA_POINT_FEE * extra)


def move_fee(service: str, same_compound: bool) -> Decimal:
    """Fee to move a line inside its compound: broadband 30.00, landline 10.00.

    Moves out of the compound are not offered (handbook §4.1.5): ValueError.
    """
    service = _service(service)
    if not _bool("same_compound", same_compound):
        raise ValueError("moves are only possible within the same compound (小区外不能移机)")
    return MOVE_FEES[service]


def call_charge(rate_per_minute: Decimal, seconds: int) -> Decimal:
    """Charge for one call: every started minute at rate_per_minute; 0 seconds is free."""
    rate = _money("rate_per_minute", rate_per_minute)
    seconds = _count("seconds", seconds)
    started_minutes = -(-seconds // SECONDS_PER_MINUTE)
    return _quantize(rate * started_minutes)


def landline_monthly_rent(plan_rent: Decimal, bundled_with_broadband: bool) -> Decimal:
    """Monthly rent of a landline: none when bundled with broadband, else the plan's rent."""
    rent = _money("plan_rent", plan_rent)
    if _bool("bundled_with_broadband", bundled_with_broadband):
        return Decimal("0.00")
    return _quantize(rent)


def _group_in_words(group: int) -> str:
    """Words for 1..9999; inner runs of zeros become one 零, trailing zeros are silent."""
    words = []
    pending_zero = False
    for digit_char, unit in zip(f"{group:04d}", _PLACE_UNITS, strict=True):
        digit = int(digit_char)
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(_CAPITAL_DIGITS[digit] + unit)
    return "".join(words)


def _yuan_in_words(yuan: int) -> str:
    """Words for the whole-yuan part (0 gives ""), grouped by 万 and 亿."""
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10_000)
        groups.append(group)
    words = []
    pending_zero = False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        # A lower group with leading zeros, or after an all-zero group, gets one 零;
        # the trailing zeros of a higher group are silent (壹拾万柒仟, not 壹拾万零柒仟).
        if words and (pending_zero or group < 1000):
            words.append("零")
        words.append(_group_in_words(group) + _GROUP_UNITS[index])
        pending_zero = False
    return "".join(words)


def amount_in_words(amount: Decimal) -> str:
    """Chinese financial capitals (大写金额) for a receipt, without the 人民币 prefix.

    Rules of 《支付结算办法》: 整 after 元 only; nothing after 角 or 分; zeros between
    digits give one 零; 角 zero with 分 non-zero writes 元零; where the standard makes
    零 optional (万位/元位 zero before a non-zero 千位/角位) it is left out:
    300 -> 叁佰元整, 1409.50 -> 壹仟肆佰零玖元伍角, 16409.02 -> 壹万陆仟肆佰零玖元零贰分,
    1680.32 -> 壹仟陆佰捌拾元叁角贰分, 0.05 -> 伍分, 0 -> 零元整.
    Accepts Decimal or int below 10**12 with at most 2 decimal places.
    """
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise ValueError(f"amount must be a Decimal or int, got {amount!r}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, got {amount!r}")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if amount >= AMOUNT_IN_WORDS_LIMIT:
        raise ValueError(f"amount must be below {AMOUNT_IN_WORDS_LIMIT:,}, got {amount}")
    if amount != amount.quantize(CENT):
        raise ValueError(f"amount must have at most 2 decimal places, got {amount}")

    cents = int(amount.quantize(CENT) * 100)
    if cents == 0:
        return "零元整"
    yuan, fraction = divmod(cents, 100)
    jiao, fen = divmod(fraction, 10)

    words = _yuan_in_words(yuan)
    if yuan:
        words += "元"
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += _CAPITAL_DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += _CAPITAL_DIGITS[fen] + "分"
    return words


# --- counter rules beyond the contract (customer notice 客户须知, handbook §3.7) -----------

INVOICE_REQUEST_WITHIN_MONTHS = 1
INVOICE_READY_AFTER_DAYS = 7
DAILY_CLOSE_DEADLINE_HOUR = 19  # 每天 19:00 以前要将当天营业款点清


def _plain_date(name: str, value: date) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return value


def invoice_request_deadline(receipt_date: date) -> date:
    """The last day an invoice can be requested: one calendar month after the receipt date
    (clamped to the month's end: 01-31 -> 02-28). 如需开发票请携带收据在一个月内来办理."""
    day = _plain_date("receipt_date", receipt_date)
    month_index = day.month + INVOICE_REQUEST_WITHIN_MONTHS - 1
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last))


def invoice_ready_on(requested_on: date) -> date:
    """Invoices are ready one week after the request (办理一周后带收据来领取发票)."""
    return _plain_date("requested_on", requested_on) + timedelta(days=INVOICE_READY_AFTER_DAYS)


def daily_close_is_late(day: date, closed_at: datetime) -> bool:
    """A daily close is late after 19:00 of its day (19:00 itself is on time), or any later day.

    ``closed_at`` is the local wall-clock time of the close (aware or naive).
    """
    day = _plain_date("day", day)
    if not isinstance(closed_at, datetime):
        raise ValueError(f"closed_at must be a datetime, got {closed_at!r}")
    if closed_at.date() != day:
        return closed_at.date() > day
    return closed_at.time() > time(DAILY_CLOSE_DEADLINE_HOUR, 0)
