"""The call desk's own deadlines, beside the fixed contract in ``tickets/rules.py``.

- complaint_callback_due: complaint handling (002) and DOMAIN §5, 投诉人须在 3 天内回访.
- complaint_settles_at: complaint handling (002), 对于无须回访的投诉, 以处理完毕后一周内无再次
  投诉作为投诉关闭的判断依据.
- inquiry_answer_due: call-desk duties (003), 若无法及时答复, 为其建立个案 (时间、地点、人物、
  事件、联系电话), 最多不超过三日回复客户.

Like ``tickets.rules``: timezone-aware datetimes in, the deadline in the same timezone out,
computed in absolute time (a day is 24 hours, also across midnight and month ends).
Pure: standard library only.
"""

from datetime import UTC, datetime, timedelta

COMPLAINT_CALLBACK_WITHIN = timedelta(days=3)
COMPLAINT_SETTLES_AFTER = timedelta(days=7)
INQUIRY_ANSWER_WITHIN = timedelta(days=3)


def _after(name: str, moment: datetime, delta: timedelta) -> datetime:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def complaint_callback_due(handled_at: datetime) -> datetime:
    """A complainant is called back within 3 days of the answer."""
    return _after("handled_at", handled_at, COMPLAINT_CALLBACK_WITHIN)


def complaint_settles_at(handled_at: datetime) -> datetime:
    """A handled complaint with no repeat closes by itself one week after handling."""
    return _after("handled_at", handled_at, COMPLAINT_SETTLES_AFTER)


def inquiry_answer_due(received_at: datetime) -> datetime:
    """A case (an inquiry not answered at once) is answered within 3 days."""
    return _after("received_at", received_at, INQUIRY_ANSWER_WITHIN)
