"""Identity and phone number checks, with the messages a clerk sees."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3-4 digits starting with 0) and a 7-8 digit local number, or a bare local one.
LANDLINE_RE = re.compile(r"^(0\d{2,3})?-?[2-9]\d{6,7}$")
# 17 ASCII digits and a check character. str.isdigit() and \d (without re.ASCII) also take
# superscripts and other scripts' digits, which int() then refuses.
ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    """An 18-digit PRC resident ID number: province code, birth date and check digit.

    python-stdnum's ``ric.validate`` also insists that the county code already existed
    in the birth year; Xi'an's district codes date from 1983, yet everyone born earlier
    holds one (cards were first issued in 1984). So we check the parts ourselves:
    the check digit, a real birth date not in the future, a known province.
    """
    number = normalize_id_number(value)
    try:
        if not ID_NUMBER_RE.fullmatch(number):
            raise StdnumError
        if number[-1] != ric.calc_check_digit(number):
            raise StdnumError
        born = ric.get_birth_date(number)
        if born.year < 1900 or born > date.today():
            raise StdnumError
        places = numdb.get("cn/loc").info(number[:6])[0][1]
        if "province" not in places:
            raise StdnumError
    except StdnumError as exc:
        raise ValidationError(
            _("Not a valid resident ID number (18 digits with a correct check digit)."),
            code="invalid_id_number",
        ) from exc


def mask_id_number(value: str) -> str:
    """Keep the first 4 and last 4 characters: ``6101**********1234``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value or "")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_phone(value)):
        raise ValidationError(_("A mobile number has 11 digits and starts with 1."),
                              code="invalid_mobile")


def validate_contact_phone(value: str) -> None:
    """A mobile number, or an area code and local number such as 029-86860001."""
    phone = normalize_phone(value)
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline such as 029-86860001."),
            code="invalid_phone",
        )
