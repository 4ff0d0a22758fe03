"""The counter's own pure rules (billing/rules.py beyond the contract), table-driven."""

from datetime import date, datetime

import pytest

from billing import rules


@pytest.mark.parametrize(("receipt_date", "deadline"), [
    (date(2026, 3, 10), date(2026, 4, 10)),
    (date(2026, 1, 31), date(2026, 2, 28)),  # clamped to the month's end
    (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
    (date(2026, 12, 15), date(2027, 1, 15)),  # over the year end
])
def test_invoice_request_deadline_is_one_calendar_month(receipt_date, deadline):
    assert rules.invoice_request_deadline(receipt_date) == deadline


def test_invoice_is_ready_one_week_after_the_request():
    assert rules.invoice_ready_on(date(2026, 3, 28)) == date(2026, 4, 4)


@pytest.mark.parametrize(("closed_at", "late"), [
    (datetime(2026, 3, 10, 18, 59), False),
    (datetime(2026, 3, 10, 19, 0), False),  # "by 19:00"
    (datetime(2026, 3, 10, 19, 1), True),
    (datetime(2026, 3, 11, 9, 0), True),  # closed the next morning
    (datetime(2026, 3, 9, 23, 0), False),  # (a clock before the day: not late)
])
def test_daily_close_is_late_after_seven_pm(closed_at, late):
    assert rules.daily_close_is_late(date(2026, 3, 10), closed_at) is late


@pytest.mark.parametrize("bad", [datetime(2026, 3, 10, 10, 0), "2026-03-10", None])
def test_dates_must_be_dates(bad):
    with pytest.raises(ValueError):
        rules.invoice_request_deadline(bad)
    with pytest.raises(ValueError):
        rules.invoice_ready_on(bad)
