"""Table-driven tests for tickets.rules (handbook §2.0.7, 12-hour faults; seed 002 deadlines)."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tickets.rules import (
    complaint_answer_due,
    complaint_contact_due,
    fault_due_at,
    fault_source_mark,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(*args):
    return datetime(*args, tzinfo=SHANGHAI)


NAIVE_OR_WRONG = [
    datetime(2026, 11, 22, 9, 0),  # naive
    "2026-11-22T09:00:00+08:00",
    None,
]


@pytest.mark.parametrize(
    ("reported_at", "expected"),
    [
        (sh(2026, 11, 22, 9, 0), sh(2026, 11, 22, 21, 0)),
        (sh(2026, 11, 22, 18, 30), sh(2026, 11, 23, 6, 30)),  # crosses midnight
        (sh(2026, 11, 30, 20, 0), sh(2026, 12, 1, 8, 0)),  # crosses month end
        (sh(2026, 12, 31, 23, 59), sh(2027, 1, 1, 11, 59)),  # crosses year end
        (sh(2028, 2, 28, 15, 0), sh(2028, 2, 29, 3, 0)),  # leap day
    ],
)
def test_fault_due_at(reported_at, expected):
    due = fault_due_at(reported_at)
    assert due == expected
    assert due.tzinfo is SHANGHAI


def test_fault_due_at_keeps_other_timezones_and_absolute_time():
    reported = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert fault_due_at(reported) == datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    assert fault_due_at(reported).utcoffset() == timedelta(0)
    # Across a DST change the deadline is 12 real hours, not 12 wall-clock hours.
    berlin = ZoneInfo("Europe/Berlin")
    before_change = datetime(2026, 3, 29, 0, 0, tzinfo=berlin)  # clocks jump 02:00 -> 03:00
    due = fault_due_at(before_change)
    # Same-tzinfo subtraction is wall-clock in Python, so compare in UTC.
    assert due.astimezone(UTC) - before_change.astimezone(UTC) == timedelta(hours=12)
    assert (due.hour, due.tzinfo) == (13, berlin)


@pytest.mark.parametrize("reported_at", NAIVE_OR_WRONG)
def test_fault_due_at_rejects(reported_at):
    with pytest.raises(ValueError):
        fault_due_at(reported_at)


@pytest.mark.parametrize(
    ("source", "site_code", "expected"),
    [
        ("customer", "dw", "X"),  # 馨苑
        ("customer", "qj", "Q"),  # 曲江观邸
        ("customer", "rq", "R"),  # 融侨城
        ("customer", "DW", "X"),
        ("telecom_180", None, "D180"),
        ("telecom_180", "dw", "D180"),  # site code is irrelevant for carrier desks
        ("telecom_test_desk", None, "DC"),
        ("telecom_test_desk", "rq", "DC"),
    ],
)
def test_fault_source_mark(source, site_code, expected):
    assert fault_source_mark(source, site_code) == expected


@pytest.mark.parametrize(
    ("source", "site_code"),
    [
        ("customer", None),
        ("customer", ""),
        ("customer", "zz"),  # unknown service point
        ("customer", "X"),  # the mark is not a site code
        ("telecom", None),
        ("180", None),
        ("Customer", "dw"),
        (None, "dw"),
    ],
)
def test_fault_source_mark_rejects(source, site_code):
    with pytest.raises(ValueError):
        fault_source_mark(source, site_code)


@pytest.mark.parametrize(
    ("received_at", "urgency", "expected"),
    [
        (sh(2026, 11, 22, 10, 0), "critical", sh(2026, 11, 22, 10, 15)),
        (sh(2026, 11, 22, 10, 0), "high", sh(2026, 11, 22, 10, 30)),
        (sh(2026, 11, 22, 10, 0), "normal", sh(2026, 11, 22, 11, 0)),
        (sh(2026, 11, 22, 10, 0), "low", sh(2026, 11, 22, 12, 0)),
        (sh(2026, 11, 22, 23, 50), "critical", sh(2026, 11, 23, 0, 5)),  # midnight
        (sh(2026, 11, 22, 23, 45), "high", sh(2026, 11, 23, 0, 15)),
        (sh(2026, 11, 30, 23, 30), "normal", sh(2026, 12, 1, 0, 30)),  # month end
        (sh(2026, 12, 31, 22, 30), "low", sh(2027, 1, 1, 0, 30)),  # year end
        (sh(2027, 2, 28, 23, 59), "critical", sh(2027, 3, 1, 0, 14)),  # non-leap February
    ],
)
def test_complaint_contact_due(received_at, urgency, expected):
    due = complaint_contact_due(received_at, urgency)
    assert due == expected
    assert due.tzinfo is SHANGHAI


@pytest.mark.parametrize(
    ("received_at", "urgency"),
    [
        (sh(2026, 11, 22, 10, 0), "urgent"),
        (sh(2026, 11, 22, 10, 0), "Critical"),
        (sh(2026, 11, 22, 10, 0), None),
        (sh(2026, 11, 22, 10, 0), ["low"]),
        (datetime(2026, 11, 22, 10, 0), "low"),
        ("2026-11-22 10:00", "low"),
    ],
)
def test_complaint_contact_due_rejects(received_at, urgency):
    with pytest.raises(ValueError):
        complaint_contact_due(received_at, urgency)


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (sh(2026, 11, 22, 10, 0), sh(2026, 11, 24, 10, 0)),
        (sh(2026, 11, 29, 23, 30), sh(2026, 12, 1, 23, 30)),  # month end
        (sh(2028, 2, 28, 12, 0), sh(2028, 3, 1, 12, 0)),  # over the leap day
        (sh(2026, 12, 31, 0, 0), sh(2027, 1, 2, 0, 0)),  # midnight, year end
        (
            datetime(2026, 11, 22, 2, 0, tzinfo=timezone(timedelta(hours=8))),
            datetime(2026, 11, 24, 2, 0, tzinfo=timezone(timedelta(hours=8))),
        ),
    ],
)
def test_complaint_answer_due(received_at, expected):
    due = complaint_answer_due(received_at)
    assert due == expected
    assert due.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("received_at", NAIVE_OR_WRONG)
def test_complaint_answer_due_rejects(received_at):
    with pytest.raises(ValueError):
        complaint_answer_due(received_at)
