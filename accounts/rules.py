"""Account rules from the operations handbook (营业部服务手册, seed 001).

- broadband_account_name: §4.0.6 上网账号 = 代码 + 楼号(2位) + 单元(1位) + 房间号(4位).
- registration_serial: §4.0.9 登记表流水号, landline lowercase code, broadband uppercase.
- activation_date: §4.0.7 开通日期 = 受理日期 + 7 天.
- suspension_allowed: §4.1.5 客户须知, 单装宽带包年, 剩余超过六个月, 暂停 3 或 6 个月.
- new_account_password: §4.1.9 密码全部为小写英文字母加数字.

Pure functions: standard library only, no Django, no database.
"""

import calendar
import secrets
import string
from datetime import date, datetime, timedelta

BROADBAND = "broadband"
LANDLINE = "landline"
SERVICES = (BROADBAND, LANDLINE)

MONTHLY = "monthly"
ANNUAL = "annual"
PACKAGE = "package"
TERMS = (MONTHLY, ANNUAL, PACKAGE)

ACTIVATION_DELAY = timedelta(days=7)
SUSPENSION_BLOCKS_MONTHS = (3, 6)
SUSPENSION_MIN_REMAINING_MONTHS = 6

PASSWORD_LENGTH = 8
PASSWORD_ALPHABET = string.ascii_lowercase + string.digits

_SITE_CODE_MAX_LENGTH = 4


def _site_code(site_code: str) -> str:
    """Return the site code lowercased; it must be 1-4 ASCII letters."""
    if not isinstance(site_code, str):
        raise ValueError(f"site code must be a string, got {site_code!r}")
    if not (
        1 <= len(site_code) <= _SITE_CODE_MAX_LENGTH and site_code.isascii() and site_code.isalpha()
    ):
        raise ValueError(f"site code must be 1-4 ASCII letters, got {site_code!r}")
    return site_code.lower()


def _int_in_range(name: str, value: int, low: int, high: int) -> int:
    """Return value if it is a real int (not bool) within low..high."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _date(name: str, value: date) -> date:
    """Return value if it is a date (a datetime is refused)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return value


def _bool(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return value


def _add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the last day of the target month."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def broadband_account_name(site_code: str, building: int, unit: int, room: int) -> str:
    """Broadband login name, e.g. ("dw", 1, 2, 502) -> "dw0120502" (handbook §4.0.6).

    building 1-99 (2 digits), unit 1-9 (1 digit), room 1-9999 (4 digits), zero-padded.
    """
    code = _site_code(site_code)
    building = _int_in_range("building", building, 1, 99)
    unit = _int_in_range("unit", unit, 1, 9)
    room = _int_in_range("room", room, 1, 9999)
    return f"{code}{building:02d}{unit:d}{room:04d}"


def registration_serial(service: str, site_code: str, day: date, seq: int) -> str:
    """Registration form serial: code + YYYYMMDD + 3-digit sequence (handbook §4.0.9).

    Broadband uses the uppercase code (DW20261122001), landline the lowercase one
    (dw20261122001); seq is 1-999 per service point, service and day.
    """
    if service not in SERVICES:
        raise ValueError(f"service must be one of {SERVICES}, got {service!r}")
    code = _site_code(site_code)
    day = _date("day", day)
    seq = _int_in_range("seq", seq, 1, 999)
    if service == BROADBAND:
        code = code.upper()
    return f"{code}{day:%Y%m%d}{seq:03d}"


def activation_date(accepted_on: date) -> date:
    """New service starts 7 days after acceptance (handbook §4.0.7)."""
    return _date("accepted_on", accepted_on) + ACTIVATION_DELAY


def suspension_allowed(
    term: str, broadband_only: bool, today: date, expires_on: date, months: int
) -> bool:
    """Whether a broadband suspension may be accepted (handbook §4.1.5 客户须知).

    Only broadband-only accounts on an annual term, in blocks of 3 or 6 months, with
    more than 6 months left: today + 6 calendar months (clamped to month end) must
    fall strictly before expires_on. Refusals return False; malformed input raises.
    """
    if term not in TERMS:
        raise ValueError(f"term must be one of {TERMS}, got {term!r}")
    broadband_only = _bool("broadband_only", broadband_only)
    today = _date("today", today)
    expires_on = _date("expires_on", expires_on)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be a positive integer, got {months!r}")
    if term != ANNUAL or not broadband_only:
        return False
    if months not in SUSPENSION_BLOCKS_MONTHS:
        return False
    return _add_months(today, SUSPENSION_MIN_REMAINING_MONTHS) < expires_on


def new_account_password() -> str:
    """Random 8-character password of lowercase letters and digits, at least one of each.

    Uses `secrets`; draws are repeated until both kinds are present, so every valid
    password is equally likely (handbook §4.1.9).
    """
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        has_letter = any(ch in string.ascii_lowercase for ch in password)
        has_digit = any(ch in string.digits for ch in password)
        if has_letter and has_digit:
            return password
