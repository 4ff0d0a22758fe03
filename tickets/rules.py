"""Call-desk rules from the seeds.

- fault_due_at: handbook (001) §4.1.5 客户须知 and 客服规范, 障碍 12 小时内处理.
- fault_source_mark: handbook (001) §2.0.6-2.0.7, 用户报修记所属区域 馨苑 X / 曲江观邸 Q /
  融侨城 R; 电信180 "D180"; 电信测量台 "DC".
- complaint_contact_due: complaint handling (002), 升级时限 15 分钟 / 30 分钟 / 1 小时 / 2 小时.
- complaint_answer_due: complaint handling (002), 客户投诉答复时间不超过 48 小时.

Datetimes must be timezone-aware; deadlines are computed in absolute (UTC) time and
returned in the caller's timezone. Pure: standard library only.
"""

from datetime import UTC, datetime, timedelta

CUSTOMER = "customer"
TELECOM_180 = "telecom_180"
TELECOM_TEST_DESK = "telecom_test_desk"
FAULT_SOURCES = (CUSTOMER, TELECOM_180, TELECOM_TEST_DESK)

# The handbook's area marks for faults reported by customers, keyed by account code
# (馨苑 dw -> X, 曲江观邸 qj -> Q, 融侨城 rq -> R).
CUSTOMER_AREA_MARKS = {"dw": "X", "qj": "Q", "rq": "R"}
CARRIER_SOURCE_MARKS = {TELECOM_180: "D180", TELECOM_TEST_DESK: "DC"}

FAULT_FIX_WITHIN = timedelta(hours=12)

COMPLAINT_CONTACT_WITHIN = {
    "critical": timedelta(minutes=15),
    "high": timedelta(minutes=30),
    "normal": timedelta(hours=1),
    "low": timedelta(hours=2),
}
COMPLAINT_ANSWER_WITHIN = timedelta(hours=48)


def _after(name: str, moment: datetime, delta: timedelta) -> datetime:
    """moment + delta in absolute time, in moment's timezone; moment must be aware."""
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def fault_due_at(reported_at: datetime) -> datetime:
    """A fault must be fixed within 12 hours of the report."""
    return _after("reported_at", reported_at, FAULT_FIX_WITHIN)


def fault_source_mark(source: str, site_code: str | None) -> str:
    """Mark written on a fault: area X/Q/R for customers, D180 or DC for Telecom desks.

    site_code is required (and case-insensitive) for customer reports, ignored otherwise.
    """
    if source not in FAULT_SOURCES:
        raise ValueError(f"source must be one of {FAULT_SOURCES}, got {source!r}")
    if source != CUSTOMER:
        return CARRIER_SOURCE_MARKS[source]
    if not isinstance(site_code, str):
        raise ValueError(f"a customer fault needs a site code, got {site_code!r}")
    mark = CUSTOMER_AREA_MARKS.get(site_code.lower())
    if mark is None:
        raise ValueError(f"no area mark for site code {site_code!r}")
    return mark


def complaint_contact_due(received_at: datetime, urgency: str) -> datetime:
    """Deadline to first contact a complainant.

    critical 15 min, high 30 min, normal 1 h, low 2 h after receipt.
    """
    if not isinstance(urgency, str) or urgency not in COMPLAINT_CONTACT_WITHIN:
        raise ValueError(
            f"urgency must be one of {tuple(COMPLAINT_CONTACT_WITHIN)}, got {urgency!r}"
        )
    return _after("received_at", received_at, COMPLAINT_CONTACT_WITHIN[urgency])


def complaint_answer_due(received_at: datetime) -> datetime:
    """A complaint must be answered within 48 hours of receipt."""
    return _after("received_at", received_at, COMPLAINT_ANSWER_WITHIN)
