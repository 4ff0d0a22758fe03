"""Identity and phone number checks, with the messages a clerk sees."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3-4 digits starting with 0) and a 7-8 digit local number, or a bare local one.
LANDLINE_RE = re.compile(r"^(0\d{2,3})?-?[2-9]\d{6,7}$")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    """An 18-digit PRC resident ID number with a valid birth date and check digit."""
    try:
        ric.validate(normalize_id_number(value))
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
