"""Table-driven tests for accounts.rules (handbook §4.0.6, §4.0.7, §4.0.9, §4.1.5, §4.1.9)."""

import string
from datetime import date, datetime

import pytest

from accounts.rules import (
    activation_date,
    broadband_account_name,
    new_account_password,
    registration_serial,
    suspension_allowed,
)


@pytest.mark.parametrize(
    ("site_code", "building", "unit", "room", "expected"),
    [
        ("dw", 1, 2, 502, "dw0120502"),  # the handbook's example: 馨苑 1#-2-502
        ("qj", 12, 3, 1201, "qj1231201"),
        ("rq", 99, 9, 9999, "rq9999999"),
        ("rq", 1, 1, 1, "rq0110001"),
        ("DW", 5, 1, 101, "dw0510101"),  # codes are lowercased
    ],
)
def test_broadband_account_name(site_code, building, unit, room, expected):
    assert broadband_account_name(site_code, building, unit, room) == expected


@pytest.mark.parametrize(
    ("site_code", "building", "unit", "room"),
    [
        ("dw", 0, 1, 101),
        ("dw", 100, 1, 101),
        ("dw", 1, 0, 101),
        ("dw", 1, 10, 101),
        ("dw", 1, 1, 0),
        ("dw", 1, 1, 10000),
        ("dw", True, 1, 101),  # bool is not a building number
        ("dw", 1, True, 101),
        ("dw", 1, 1, False),
        ("dw", "1", 1, 101),
        ("dw", 1.0, 1, 101),
        ("", 1, 1, 101),
        ("abcde", 1, 1, 101),
        ("d1", 1, 1, 101),
        (" dw", 1, 1, 101),
        ("馨苑", 1, 1, 101),
        (None, 1, 1, 101),
    ],
)
def test_broadband_account_name_rejects(site_code, building, unit, room):
    with pytest.raises(ValueError):
        broadband_account_name(site_code, building, unit, room)


@pytest.mark.parametrize(
    ("service", "site_code", "day", "seq", "expected"),
    [
        ("broadband", "dw", date(2026, 11, 22), 1, "DW20261122001"),
        ("landline", "dw", date(2026, 11, 22), 1, "dw20261122001"),
        ("broadband", "qj", date(2026, 1, 5), 42, "QJ20260105042"),
        ("landline", "RQ", date(2027, 12, 31), 999, "rq20271231999"),
    ],
)
def test_registration_serial(service, site_code, day, seq, expected):
    assert registration_serial(service, site_code, day, seq) == expected


@pytest.mark.parametrize(
    ("service", "site_code", "day", "seq"),
    [
        ("tv", "dw", date(2026, 11, 22), 1),
        ("Broadband", "dw", date(2026, 11, 22), 1),
        ("broadband", "dw", date(2026, 11, 22), 0),
        ("broadband", "dw", date(2026, 11, 22), 1000),
        ("broadband", "dw", date(2026, 11, 22), -1),
        ("broadband", "dw", date(2026, 11, 22), True),
        ("broadband", "dw", "2026-11-22", 1),
        ("broadband", "dw", datetime(2026, 11, 22, 9, 0), 1),
        ("broadband", "dw1", date(2026, 11, 22), 1),
    ],
)
def test_registration_serial_rejects(service, site_code, day, seq):
    with pytest.raises(ValueError):
        registration_serial(service, site_code, day, seq)


@pytest.mark.parametrize(
    ("accepted_on", "expected"),
    [
        (date(2026, 11, 22), date(2026, 11, 29)),
        (date(2026, 11, 28), date(2026, 12, 5)),  # month end
        (date(2026, 12, 28), date(2027, 1, 4)),  # year end
        (date(2028, 2, 25), date(2028, 3, 3)),  # leap February
    ],
)
def test_activation_date(accepted_on, expected):
    assert activation_date(accepted_on) == expected


@pytest.mark.parametrize("accepted_on", ["2026-11-22", None, datetime(2026, 11, 22, 10, 0)])
def test_activation_date_rejects(accepted_on):
    with pytest.raises(ValueError):
        activation_date(accepted_on)


@pytest.mark.parametrize(
    ("term", "broadband_only", "today", "expires_on", "months", "expected"),
    [
        # Broadband-only annual account with plenty of time left: 3 or 6 months.
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 3, True),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 6, True),
        # Only whole quarters or half years.
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 1, False),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 4, False),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 12, False),
        # "More than six months left": today + 6 months must be before the expiry.
        ("annual", True, date(2026, 3, 15), date(2026, 9, 16), 3, True),
        ("annual", True, date(2026, 3, 15), date(2026, 9, 15), 3, False),  # exactly 6
        ("annual", True, date(2026, 3, 15), date(2026, 9, 14), 3, False),
        # Month-end clamping: 31 Aug + 6 months is 28 Feb.
        ("annual", True, date(2026, 8, 31), date(2027, 3, 1), 3, True),
        ("annual", True, date(2026, 8, 31), date(2027, 2, 28), 3, False),
        ("annual", True, date(2027, 8, 31), date(2028, 2, 29), 3, False),  # leap year
        ("annual", True, date(2027, 8, 31), date(2028, 3, 1), 6, True),
        # Already expired.
        ("annual", True, date(2026, 6, 1), date(2026, 5, 31), 3, False),
        # Landline in the bundle, or not an annual term.
        ("annual", False, date(2026, 1, 10), date(2026, 12, 31), 3, False),
        ("monthly", True, date(2026, 1, 10), date(2026, 12, 31), 3, False),
        ("package", True, date(2026, 1, 10), date(2026, 12, 31), 6, False),
    ],
)
def test_suspension_allowed(term, broadband_only, today, expires_on, months, expected):
    assert suspension_allowed(term, broadband_only, today, expires_on, months) is expected


@pytest.mark.parametrize(
    ("term", "broadband_only", "today", "expires_on", "months"),
    [
        ("yearly", True, date(2026, 1, 10), date(2026, 12, 31), 3),
        ("", True, date(2026, 1, 10), date(2026, 12, 31), 3),
        (None, True, date(2026, 1, 10), date(2026, 12, 31), 3),
        ("annual", 1, date(2026, 1, 10), date(2026, 12, 31), 3),
        ("annual", True, "2026-01-10", date(2026, 12, 31), 3),
        ("annual", True, date(2026, 1, 10), None, 3),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 0),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), -3),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), True),
        ("annual", True, date(2026, 1, 10), date(2026, 12, 31), 3.0),
    ],
)
def test_suspension_allowed_rejects(term, broadband_only, today, expires_on, months):
    with pytest.raises(ValueError):
        suspension_allowed(term, broadband_only, today, expires_on, months)


def test_new_account_password_invariant():
    allowed = set(string.ascii_lowercase + string.digits)
    passwords = [new_account_password() for _ in range(2000)]
    for password in passwords:
        assert len(password) == 8
        assert set(password) <= allowed
        assert any(ch.isalpha() for ch in password)
        assert any(ch.isdigit() for ch in password)
    # Random, not a fixed default such as the handbook's old "a123456".
    assert len(set(passwords)) > 1990
