"""Table-driven tests of the call desk's own deadlines (tickets/calldesk_rules.py)."""

from datetime import UTC, datetime

import pytest
from django.utils.translation import override

from tests.calldesk.conftest import sh
from tickets.calldesk_rules import (
    complaint_callback_due,
    complaint_settles_at,
    inquiry_answer_due,
)
from tickets.templatetags.calldesk import countdown_text, duration_text


@pytest.mark.parametrize(("rule", "start", "expected"), [
    (complaint_callback_due, sh(2026, 11, 22, 9, 30), sh(2026, 11, 25, 9, 30)),
    (complaint_callback_due, sh(2026, 2, 27, 23, 59), sh(2026, 3, 2, 23, 59)),
    (complaint_callback_due, sh(2028, 2, 27, 23, 59), sh(2028, 3, 1, 23, 59)),  # leap year
    (complaint_settles_at, sh(2026, 12, 28, 0, 0), sh(2027, 1, 4, 0, 0)),
    (inquiry_answer_due, sh(2026, 4, 30, 18, 0), sh(2026, 5, 3, 18, 0)),
    (inquiry_answer_due, datetime(2026, 4, 30, 16, 0, tzinfo=UTC), sh(2026, 5, 4, 0, 0)),
])
def test_deadlines(rule, start, expected):
    due = rule(start)
    assert due == expected
    assert due.tzinfo is start.tzinfo  # in the caller's timezone


@pytest.mark.parametrize("bad", [datetime(2026, 11, 22, 9, 0), "2026-11-22", None])
@pytest.mark.parametrize("rule", [complaint_callback_due, complaint_settles_at,
                                  inquiry_answer_due])
def test_naive_or_wrong_times_are_refused(rule, bad):
    with pytest.raises(ValueError):
        rule(bad)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00"), (59, "0:00"), (60, "0:01"), (3 * 3600 + 7 * 60 + 30, "3:07"),
    (-45 * 60, "0:45"), (50 * 3600, "50:00"),
])
def test_countdowns_read_hours_and_minutes(seconds, text):
    assert duration_text(seconds) == text


def test_countdown_says_left_or_overdue():
    due = sh(2026, 1, 31, 23, 0)
    with override("zh-hans"):
        assert countdown_text(due, sh(2026, 1, 31, 21, 30)) == "剩余 1:30"
        assert countdown_text(due, sh(2026, 2, 1, 0, 15)) == "超时 1:15"
