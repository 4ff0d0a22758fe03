"""The monthly report's closed months, kept: a rollup of each month's figures per service
point, computed by the very aggregations of the live report and trusted only while fresh.

Why: the report compares a month with the previous one and the same month last year, and
draws 13 months of satisfaction. Counting those past months live reads every order,
fault, receipt and answer of them on each request; their figures hardly change.

What is kept (``MonthFigures``), per closed month:

- a row per service point (and one with ``service_point_id`` None: faults of a carrier
  desk with no compound on file) holding the numbers ``figures._merge_periods`` gives for
  that point: orders, callbacks, faults, complaints and their clocks, receipts, closes;
- the month's row (``service_point_id`` = :data:`MONTH_ROW`): the answers by source and
  satisfaction level, and the month's lists (faults by day, fault causes, complaint root
  causes, premises with repeated faults, with the names as they were when counted). It
  is always written, so an empty month is known to be empty.

The refresh rule (when a kept month is trusted):

1. **Only closed months**: a month is kept once it ended :data:`SETTLE` ago (a writing
   transaction begun before midnight has committed by then). The live month is always
   counted live.
2. **Any late change makes it stale**: triggers on every table the figures count
   (migration 0001) add one to the month's ``ReportMonth.version`` when a row of a closed
   month is inserted, updated or deleted (a callback or a complaint's history counts in
   its order's or complaint's month). A month is trusted only if it was computed at the
   current version; otherwise it is counted live again and the rollup replaced.
3. **Figures counted against "now"** (late faults, overdue orders, complaints past a
   clock) change when a deadline passes without any write: each month carries
   ``valid_until``, the first deadline of its records still to come; after it the month
   is counted live again and re-kept.
4. **Stored only if nothing changed meanwhile**: the version is read before counting and
   the rows are replaced under the ``ReportMonth`` row's lock only if the version is
   still the same (a concurrent writer's trigger holds that lock until it commits), so a
   change can never hide behind a rollup computed without it.
5. A ``TRUNCATE`` of a counted table (the scale generator, which loads with triggers off)
   deletes every kept month.

The live month uses the same rule a day at a time (``DayFigures``, ``ReportDay``): the
manager's home and the monthly report of this month add up its closed days, kept (their
figures by point summed in the database; each day's answers and lists kept in its own
row), and count the live rest (today, and yesterday for the first hour after midnight);
only the premises with repeated faults are counted over the whole month. A day is kept
once it ended :data:`SETTLE` ago; a write to a row of a day that has ended adds one to
that day's version (the same triggers, migration 0002); a day's figures counted against
"now" carry ``valid_until``. Writes to yesterday's records (a fault fixed today) make
yesterday stale, so the home counts it again now and then: a day's rows, not a month's.

Who: only for users who see every service point (managers); anyone restricted to a
point or to their own work gets live figures. ``manage.py refresh_report_rollups`` keeps
the past months at the start of each month (cron) and after a bulk load; a report also
keeps its own month when it had to count it live (missing or stale). Months not kept are
simply counted live: slower, never wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from appraisal.reports.models import DayFigures, MonthFigures, ReportDay, ReportMonth
from servicedesk.roles import Role

SETTLE = timedelta(hours=1)
MONTH_ROW = 0  # service_point_id of the month's own row (no service point has id 0)
MONEY_KEYS = ("takings", "void_total", "difference")

# Every service point, for counting a month to keep (not a user: nobody signs in as it).
EVERYONE = SimpleNamespace(is_authenticated=True, is_superuser=True, service_point_id=None,
                           role=None, pk=None)


def sees_all(user) -> bool:
    """Whether ``restrict(user)`` leaves every row of every subject the report counts."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or (user.service_point_id is None and user.role != Role.INSTALLER)


def is_closed(end: datetime, now: datetime) -> bool:
    """A month ending at ``end`` may be kept (and read from the rollup) at ``now``."""
    return end <= now - SETTLE


def month_end(month: date) -> datetime:
    """The first instant after the local month starting on ``month``."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return timezone.make_aware(datetime.combine(following, time.min))


@dataclass
class Kept:
    """What the rollup holds for the months asked: the figures by point of the fresh ones
    (only those asked with points), the answers of every fresh month, and the version of
    each month read (to store a recount at)."""

    points: dict[date, dict]
    satisfaction: dict[date, dict]
    versions: dict[date, int]
    details: dict | None = None  # the lists of the month asked ``with_details``


def _decode(figures: dict) -> dict:
    return {key: Decimal(value) if key in MONEY_KEYS and value is not None else value
            for key, value in figures.items()}


def _encode(figures: dict) -> dict:
    return {key: str(value) if isinstance(value, Decimal) else value
            for key, value in figures.items()}


def _encode_details(details: dict) -> dict:
    return {**details, "fault_days": [{**row, "day": row["day"].isoformat()}
                                      for row in details["fault_days"]]}


def _encode_marker(details: dict, points: dict) -> dict:
    """A kept day's own row: its answers, its lists, and the figures its points have."""
    lists = {key: value for key, value in details.items() if key != "satisfaction"}
    return {"satisfaction": details["satisfaction"], "details": _encode_details(lists),
            "keys": sorted({key for values in points.values() for key in values})}


def _decode_details(details: dict) -> dict:
    return {**details, "fault_days": [{**row, "day": date.fromisoformat(row["day"])}
                                      for row in details["fault_days"]]}


def read(months: list[date], *, with_points: list[date], with_details: date | None,
         now: datetime) -> Kept:
    """The fresh kept months among ``months`` (one query): their answers, their figures
    by point for the months of ``with_points`` and the lists of ``with_details``."""
    table, state = MonthFigures._meta.db_table, ReportMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.month, coalesce(r.version, 0), f.service_point_id, f.version, "
            f"f.valid_until, CASE WHEN f.service_point_id = %s AND m.month <> %s "
            f"THEN jsonb_build_object('satisfaction', f.figures -> 'satisfaction') "
            f"ELSE f.figures END "
            f"FROM unnest(%s::date[]) AS m(month) "
            f"LEFT JOIN {state} r ON r.month = m.month "
            f"LEFT JOIN {table} f ON f.month = m.month "
            f"AND (f.service_point_id = %s OR m.month = ANY(%s::date[]))",
            [MONTH_ROW, with_details or date.min, months, MONTH_ROW, with_points])
        rows = cursor.fetchall()
    versions: dict[date, int] = {}
    found: dict[date, dict] = {}
    stale: set[date] = set()
    closed = {month: is_closed(month_end(month), now) for month in months}
    for month, version, point, kept_at, valid_until, figures in rows:
        versions[month] = version
        if kept_at is None or not closed[month]:
            continue
        if kept_at != version or (valid_until is not None and valid_until <= now):
            stale.add(month)
            continue
        if isinstance(figures, str):  # a raw cursor may leave jsonb undecoded
            figures = json.loads(figures)
        found.setdefault(month, {})[point] = figures
    kept = Kept(points={}, satisfaction={}, versions=versions)
    for month, rows_by_point in found.items():
        if month in stale or MONTH_ROW not in rows_by_point:
            continue
        month_row = rows_by_point.pop(MONTH_ROW)
        kept.satisfaction[month] = month_row["satisfaction"]
        if month == with_details:
            kept.details = _decode_details(month_row["details"])
        if month in with_points:
            kept.points[month] = {point: _decode(values)
                                  for point, values in rows_by_point.items()}
    return kept


def store(month: date, *, version: int, points: dict, satisfaction: dict, details: dict,
          valid_until: datetime | None, now: datetime) -> bool:
    """Keep ``month``'s figures counted at ``version``: replaced under the month's lock,
    and only if no write changed the month since (False then: it stays live)."""
    with transaction.atomic():
        ReportMonth.objects.get_or_create(month=month)  # waits for a writer's new row
        current = (ReportMonth.objects.select_for_update().filter(month=month)
                   .values_list("version", flat=True).get())
        if current != version:
            return False
        MonthFigures.objects.filter(month=month).delete()
        common = {"month": month, "version": version, "computed_at": now,
                  "valid_until": valid_until}
        MonthFigures.objects.bulk_create(
            [MonthFigures(service_point_id=MONTH_ROW,
                          figures={"satisfaction": satisfaction,
                                   "details": _encode_details(details)}, **common)]
            + [MonthFigures(service_point_id=point, figures=_encode(values), **common)
               for point, values in points.items()])
    return True


def versions(months: list[date]) -> dict[date, int]:
    """The current version of each of ``months`` (0: never changed since it closed)."""
    found = dict(ReportMonth.objects.filter(month__in=months).values_list("month", "version"))
    return {month: found.get(month, 0) for month in months}


def day_end(day: date) -> datetime:
    """The first instant after the local ``day``."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@dataclass
class KeptDays:
    """Of the days asked: the fresh kept ones, their figures summed by point, the
    answers and lists of each (when asked ``with_details``), and every asked day's
    version (to store a recount at)."""

    fresh: list[date]
    summed: dict
    versions: dict[date, int]
    details: dict[date, dict] = field(default_factory=dict)


def read_days(days: list[date], *, keys: tuple[str, ...] | None, now: datetime,
              with_details: bool = False) -> KeptDays:
    """The fresh kept days among the closed ``days`` and the sum of their figures by
    point, added up in the database: ``keys`` only, or every figure (None: the keys each
    day's own row lists). 2 queries: the days' state (with their answers and lists
    ``with_details``), then the sums."""
    table, state = DayFigures._meta.db_table, ReportDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.day, coalesce(r.version, 0), f.version, f.valid_until, "
            f"f.figures -> 'keys', CASE WHEN %s THEN f.figures END "
            f"FROM unnest(%s::date[]) AS d(day) "
            f"LEFT JOIN {state} r ON r.day = d.day "
            f"LEFT JOIN {table} f ON f.day = d.day AND f.service_point_id = %s",
            [with_details, days, MONTH_ROW])
        rows = cursor.fetchall()
    kept = KeptDays(fresh=[], summed={}, versions={})
    every_key: set[str] = set()
    for day, version, kept_at, valid_until, day_keys, marker in rows:
        kept.versions[day] = version
        if (kept_at != version or not is_closed(day_end(day), now)
                or (valid_until is not None and valid_until <= now)):
            continue
        day_keys = json.loads(day_keys) if isinstance(day_keys, str) else day_keys
        if day_keys is None:  # kept before the rows listed their keys: counted again
            continue
        if with_details:
            marker = json.loads(marker) if isinstance(marker, str) else marker
            kept.details[day] = {"satisfaction": marker["satisfaction"],
                                 **_decode_details(marker["details"])}
        every_key.update(day_keys)
        kept.fresh.append(day)
    keys = tuple(sorted(every_key)) if keys is None else keys
    if not kept.fresh or not keys:
        return kept
    sums = ", ".join(["sum((f.figures ->> %s)::numeric)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.service_point_id, {sums} FROM {table} f "
            f"WHERE f.day = ANY(%s::date[]) AND f.service_point_id IS DISTINCT FROM %s "
            f"GROUP BY 1", [*keys, kept.fresh, MONTH_ROW])
        for point, *totals in cursor.fetchall():
            kept.summed[point] = {key: total if key in MONEY_KEYS else int(total)
                                  for key, total in zip(keys, totals, strict=True)
                                  if total is not None}
    return kept


def store_days(counted: dict[date, dict], *, details: dict[date, dict],
               versions: dict[date, int], valid_until: dict[date, datetime | None],
               now: datetime) -> list[date]:
    """Keep each day's figures by point (``counted``) and its answers and lists
    (``details``: ``satisfaction`` and :func:`figures._details`'s) counted at
    ``versions``, in one transaction under the days' locks: only the days no write
    changed since. Returns the days kept."""
    days = sorted(counted)
    with transaction.atomic():
        with connection.cursor() as cursor:  # the days' rows, made if missing, then locked
            cursor.execute(
                f"INSERT INTO {ReportDay._meta.db_table} (day, version) "
                f"SELECT unnest(%s::date[]), 0 ON CONFLICT (day) DO NOTHING", [days])
        current = dict(ReportDay.objects.select_for_update().filter(day__in=days)
                       .order_by("day").values_list("day", "version"))
        fresh = [day for day in days if current[day] == versions.get(day, 0)]
        DayFigures.objects.filter(day__in=fresh).delete()
        DayFigures.objects.bulk_create([
            DayFigures(day=day, service_point_id=point, figures=values, version=current[day],
                       computed_at=now, valid_until=valid_until[day])
            for day in fresh
            for point, values in [(MONTH_ROW, _encode_marker(details[day], counted[day])),
                                  *((p, _encode(v)) for p, v in counted[day].items())]])
    return fresh
