"""The report pages' figures, composed from each app's ``reports.py``.

The apps compute (in the database); this module only arranges: a figure is a
:class:`Cell` with its value, how to print it, and the link to the filtered list behind
it. Totals over service points add the apps' per-point numbers (a handful of dicts, not
rows), and every rate is computed from the added numerators and denominators.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts import reports as accounts_reports
from appraisal.reports import rollups
from billing import reports as billing_reports
from servicedesk.models import ServicePoint
from tickets import reports as tickets_reports

ZERO = Decimal("0.00")


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local days ``first``..``last`` and their instants [start, end)."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @classmethod
    def month(cls, month: date) -> Period:
        first = month.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day)

    def shift_months(self, months: int) -> Period:
        year, index = divmod(self.first.year * 12 + self.first.month - 1 + months, 12)
        return Period.month(date(year, index + 1, 1))


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


# --- cells and links ----------------------------------------------------------------------


@dataclass
class Cell:
    value: int | Decimal | float | None
    href: str = ""
    kind: str = "count"  # count | money | rate
    alert: bool = False  # shown in red: something is late or under target

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.kind == "money":
            return f"{self.value:,.2f}"
        if self.kind == "rate":
            return f"{self.value:.1f}%"
        return f"{self.value:,}"

    def __html__(self) -> str:
        """The cell as printed (``{{ cell }}``): a link to the list behind it, red when
        late or under target (a format string, not a template include per cell)."""
        # The same markup as format_html, escaped by the standard library's html.escape:
        # a report prints thousands of cells, and Django's lazy-aware escape per argument
        # was a third of the page's Python.
        if self.href:
            return (f'<a href="{escape(self.href)}" class="'
                    f'{"text-danger fw-bold" if self.alert else "link-body-emphasis"}">'
                    f"{escape(self.display)}</a>")
        return (f'<span class="{"text-danger fw-bold" if self.alert else ""}">'
                f"{escape(self.display)}</span>")

    def __str__(self) -> str:
        return self.__html__()


_PLAIN = re.compile(r"[A-Za-z0-9_.-]*")


@lru_cache(maxsize=64)
def _path(url_name: str, prefix: str) -> str:
    return reverse(url_name)


def link(url_name: str, **params) -> str:
    """The list's URL with its filters (a report page builds hundreds: reversed once)."""
    parts = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        text = str(value)  # ids, ISO dates and choice values need no quoting
        if isinstance(value, int | date) or _PLAIN.fullmatch(text):
            parts.append(f"{key}={text}")
        else:
            parts.append(urlencode({key: text}))
    path = _path(url_name, get_script_prefix())
    return path + ("?" + "&".join(parts) if parts else "")


def _point_param(point_id):
    return point_id if point_id is not None else ""


# --- the figures and where they link --------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Callable[[dict], object]  # from the point's merged numbers
    href: Callable[[object, Period], str] | None = None  # (point id, period) -> url
    kind: str = "count"
    alert: Callable[[object], bool] | None = None
    group: str = ""


def _get(name):
    return lambda row: row.get(name, 0) or 0


def _money(name):
    return lambda row: row.get(name) or ZERO


def _rate(part, whole):
    return lambda row: tickets_reports.rate(row.get(part, 0), row.get(whole, 0))


def _orders(**extra):
    return lambda p, period: link("tickets:workorder_list", service_point=_point_param(p),
                                  accepted_from=period.first, accepted_to=period.last, **extra)


def _faults(**extra):
    return lambda p, period: link("tickets:fault_list", service_point=_point_param(p),
                                  reported_from=period.first, reported_to=period.last, **extra)


def _complaints(**extra):
    return lambda p, period: link("tickets:complaint_list", service_point=_point_param(p),
                                  received_from=period.first, received_to=period.last,
                                  **extra)


def _receipts(**extra):
    return lambda p, period: link("billing:receipt_list", service_point=_point_param(p),
                                  day_from=period.first, day_to=period.last, **extra)


def _closes(**extra):
    return lambda p, period: link("billing:dailyclose_list", service_point=_point_param(p),
                                  day_from=period.first, day_to=period.last, **extra)


def _positive(value) -> bool:
    return bool(value)


def _under(target):
    return lambda value: value is not None and value < target


ORDERS, FAULTS, COMPLAINTS, MONEY = _("Work orders"), _("Faults"), _("Complaints"), _("Money")

# The month's figures, in the monthly report's order (a cohort: what happened to the
# orders accepted, faults reported and complaints received in the month).
MONTH_FIGURES = [
    Figure("orders", _("Orders accepted"), _get("opened"), _orders(), group=ORDERS),
    Figure("orders_dispatched", _("of which dispatched"), _get("dispatched"),
           _orders(dispatched="true"), group=ORDERS),
    Figure("orders_returned", _("of which returned signed"), _get("returned"),
           _orders(returned="true"), group=ORDERS),
    Figure("orders_overdue", _("of which overdue with the installer"), _get("overdue"),
           _orders(overdue="true"), alert=_positive, group=ORDERS),
    Figure("order_callbacks", _("Order callbacks passed"), _rate("order_callbacks_passed",
                                                                 "order_callbacks"),
           _orders(satisfaction=""), kind="rate", group=ORDERS),
    Figure("faults", _("Faults reported"), _get("reported"), _faults(), group=FAULTS),
    Figure("faults_on_time", _("fixed within 12 hours"), _get("on_time"),
           _faults(deadline="on_time"), group=FAULTS),
    Figure("faults_late", _("late (not fixed within 12 hours)"), _get("late"),
           _faults(deadline="late"), alert=_positive, group=FAULTS),
    Figure("faults_on_time_rate", _("Faults fixed within 12 hours"),
           _rate("on_time", "reported"), _faults(deadline="on_time"), kind="rate",
           group=FAULTS),
    Figure("fault_callbacks", _("Fault callbacks passed"),
           _rate("fault_callbacks_passed", "fault_callbacks"), _faults(state="closed"),
           kind="rate", group=FAULTS),
    Figure("complaints", _("Complaints (same complaint counted once)"), _get("received"),
           _complaints(), group=COMPLAINTS),
    Figure("complainants", _("complainants"), _get("complainants"), _complaints(),
           group=COMPLAINTS),
    Figure("substantiated", _("substantiated"), _get("substantiated"), _complaints(),
           group=COMPLAINTS),
    Figure("contact_on_time", _("First contact within its clock"),
           _rate("contact_on_time", "contact_due_count"), _complaints(), kind="rate",
           alert=_under(100), group=COMPLAINTS),
    Figure("answer_on_time", _("Answered within 48 hours"),
           _rate("answer_on_time", "answer_due_count"), _complaints(), kind="rate",
           alert=_under(100), group=COMPLAINTS),
    Figure("callback_on_time", _("Complainant called back within 3 days"),
           _rate("callback_on_time", "callback_due_count"), _complaints(), kind="rate",
           alert=_under(100), group=COMPLAINTS),
    Figure("receipts", _("Receipts"), _get("receipts"), _receipts(status="issued"),
           group=MONEY),
    Figure("takings", _("Takings (yuan)"), _money("takings"), _receipts(status="issued"),
           kind="money", group=MONEY),
    Figure("voids", _("Voided receipts"), _get("voids"), _receipts(status="void"),
           group=MONEY),
    Figure("closes_late", _("Daily closes after 19:00"), _get("late_closes"),
           _closes(is_late="true"), alert=_positive, group=MONEY),
    Figure("closes_missing", _("Clerk days without a daily close"), _get("missing"),
           _closes(), alert=_positive, group=MONEY),
]


def _merge_periods(user, periods: list[Period], now: datetime, today: date) -> list[dict]:
    """Every app's numbers of each of ``periods`` by service point, one dict per point:
    one query per subject for all the periods together (grouped by period)."""
    merged: list[dict] = [{} for _p in periods]

    def add(results: list[dict], rename: dict | None = None):
        for period, rows in zip(merged, results, strict=True):
            for point, values in rows.items():
                target = period.setdefault(point, {})
                for key, value in values.items():
                    target[(rename or {}).get(key, key)] = value

    instants = [(p.start, p.end) for p in periods]
    days = [(p.first, p.last) for p in periods]
    add(tickets_reports.order_figures_periods(user, periods=instants, now=now),
        {"callbacks": "order_callbacks", "callbacks_passed": "order_callbacks_passed"})
    add(tickets_reports.fault_figures_periods(user, periods=instants, now=now),
        {"callbacks": "fault_callbacks", "callbacks_passed": "fault_callbacks_passed"})
    add(tickets_reports.complaint_figures_periods(user, periods=instants, now=now),
        {"closed": "complaints_closed"})
    add(billing_reports.takings_periods(user, periods=days))
    add(billing_reports.daily_close_figures_periods(user, periods=days, today=today),
        {"late": "late_closes"})
    return merged


def _merge_period(user, period: Period, now: datetime, today: date) -> dict:
    """Every app's numbers of ``period`` by service point, in one dict per point."""
    return _merge_periods(user, [period], now, today)[0]


def _details(user, period: Period, now: datetime) -> dict:
    """The monthly report's lists of one month: faults by day, fault causes, complaint
    root causes, premises with repeated faults (2-3 queries)."""
    kwargs = {"start": period.start, "end": period.end}
    days, causes, repeats = tickets_reports.fault_lists(user, now=now, **kwargs)
    return {"fault_days": days, "fault_causes": causes, "repeat_premises": repeats,
            "root_causes": tickets_reports.complaint_root_causes(user, **kwargs)}


def _months(user, periods: list[Period], now: datetime,
            today: date) -> tuple[list[dict], dict[date, dict], dict]:
    """The figures by point of ``periods`` (this month, the previous one, the same month
    last year), the answers of the 13 months from the third to the first, and the first
    month's lists (:func:`_details`).

    Closed months come from the rollup while it is fresh (``rollups.py``: 1 query); the
    others are counted live (one query per subject for them all, one ``UNION ALL`` for
    the answers). The report's own month, when closed and counted live, is kept for the
    next time (its lists are at hand: ~10 queries more, once); the other months are kept
    by ``manage.py refresh_report_rollups`` or when their own report is first opened."""
    this = periods[0]
    months = [this.shift_months(-i) for i in range(12, -1, -1)]  # oldest first
    everyone = rollups.sees_all(user)
    kept = (rollups.read([m.first for m in months], with_points=[p.first for p in periods],
                         with_details=this.first, now=now) if everyone else None)
    to_date = _month_to_date(this, now, today) if everyone else None
    if to_date is not None:  # the live month, from its kept days and the live rest
        points, answers, details = to_date
        kept.points[this.first], kept.satisfaction[this.first] = points, answers
        kept.details = details
    recount = [m for m in months if kept is None or m.first not in kept.satisfaction]
    counted = [p for p in periods if p in recount]  # figures by point, live
    merged_counted = dict(zip(counted, _merge_periods(user, counted, now, today),
                              strict=True)) if counted else {}
    by_month = dict(kept.satisfaction) if kept else {}
    if recount:
        answers = tickets_reports.satisfaction_by_month(user, start=recount[0].start,
                                                        end=recount[-1].end)
        by_month.update({m.first: answers.get(m.first, {}) for m in recount})
    merged = [kept.points[p.first] if p not in merged_counted else merged_counted[p]
              for p in periods]
    details = {this: kept.details} if kept and kept.details is not None else {}
    if this not in details:
        details[this] = _details(user, this, now)
    if everyone and this in merged_counted and rollups.is_closed(this.end, now):
        valid_until = tickets_reports.next_deadlines(periods=[(this.start, this.end)],
                                                     now=now)[0]
        rollups.store(this.first, version=kept.versions[this.first],
                      points=merged_counted[this], satisfaction=by_month[this.first],
                      details=details[this], valid_until=valid_until, now=now)
    return merged, by_month, details[this]


def _month_to_date(month: Period, now: datetime,
                   today: date) -> tuple[dict, dict, dict] | None:
    """The live ``month`` so far, for a user who sees every point: its closed days from
    the day rollup (``keep_days``) and the rest (today) counted live, added up: the
    figures by point, the answers, the lists. Premises with repeated faults are counted
    over the whole month (a day's list cannot tell). None before a day of it closed."""
    days = closed_days(month, now)
    if not days or rollups.is_closed(month.end, now):
        return None
    kept = keep_days(days, now=now, keys=None, with_details=True)
    rest = Period(days[-1] + timedelta(days=1), month.last)
    points = kept.summed
    _add(points, _merge_periods(rollups.EVERYONE, [rest], now, today)[0], None)
    live = {"satisfaction": tickets_reports.satisfaction_by_month(
        rollups.EVERYONE, start=rest.start, end=rest.end).get(month.first, {}),
        **_details(rollups.EVERYONE, rest, now)}
    parts = [kept.details[day] for day in days] + [live]
    answers: dict = {}
    for part in parts:
        for source, levels in part["satisfaction"].items():
            target = answers.setdefault(source, {})
            for level, count in levels.items():
                target[level] = target.get(level, 0) + count
    details = {
        "fault_days": sorted((row for part in parts for row in part["fault_days"]),
                             key=lambda row: row["day"]),
        "fault_causes": _summed_rows(parts, "fault_causes", ("cause", "cause__name"),
                                     ("total", "late")),
        "root_causes": _summed_rows(parts, "root_causes", ("root_cause", "root_cause__name"),
                                    ("total", "complainants", "substantiated")),
        "repeat_premises": tickets_reports.repeat_fault_premises(
            rollups.EVERYONE, start=month.start, end=month.end),
    }
    return points, answers, details


def _summed_rows(parts: list[dict], name: str, key: tuple[str, str],
                 counts: tuple[str, ...]) -> list[dict]:
    """The rows ``name`` of every part added up by ``key`` (an id and its label), the
    biggest first, then by label, as the database lists them (codepoint order: the
    embedded server's C.UTF-8 collation)."""
    rows: dict = {}
    for part in parts:
        for row in part[name]:
            target = rows.setdefault(row[key[0]], {key[0]: row[key[0]], key[1]: row[key[1]],
                                                   **dict.fromkeys(counts, 0)})
            for count in counts:
                target[count] += row[count] or 0
    return sorted(rows.values(), key=lambda row: (-row["total"], row[key[1]] is None,
                                                  row[key[1]] or ""))  # NULLS LAST


def keep_months(months: list[date], *, now: datetime | None = None,
                force: bool = False) -> list[date]:
    """Count and keep the closed ``months`` whose rollup is missing or stale (all of
    them with ``force``): ``manage.py refresh_report_rollups``. Returns those kept."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    periods = [Period.month(m) for m in months]
    periods = [p for p in periods if rollups.is_closed(p.end, now)]
    if not periods:
        return []
    kept = rollups.read([p.first for p in periods], with_points=[], with_details=None,
                        now=now)
    if not force:
        periods = [p for p in periods if p.first not in kept.satisfaction]
    done = []
    for p in periods:  # a month at a time: one month's rows in memory
        merged = _merge_periods(rollups.EVERYONE, [p], now, today)[0]
        answers = tickets_reports.satisfaction_by_month(rollups.EVERYONE, start=p.start,
                                                        end=p.end).get(p.first, {})
        valid_until = tickets_reports.next_deadlines(periods=[(p.start, p.end)], now=now)[0]
        if rollups.store(p.first, version=kept.versions[p.first], points=merged,
                         satisfaction=answers,
                         details=_details(rollups.EVERYONE, p, now),
                         valid_until=valid_until, now=now):
            done.append(p.first)
    return done


def _total(merged: dict) -> dict:
    total: dict = {}
    for values in merged.values():
        for key, value in values.items():
            total[key] = total.get(key, 0) + (value or 0)
    return total


def _cell(figure: Figure, row: dict, point, period: Period) -> Cell:
    value = figure.value(row)
    return Cell(value=value, href=figure.href(point, period) if figure.href else "",
                kind=figure.kind, alert=bool(figure.alert and figure.alert(value)))


# --- the monthly report ---------------------------------------------------------------


@dataclass
class ComparisonRow:
    figure: Figure
    cells: list[Cell]  # this month, previous month, same month last year

    @property
    def tds(self) -> SafeString:
        return _tds(self.cells)


@dataclass
class PointRow:
    point: ServicePoint | None
    cells: list[Cell]

    @property
    def tds(self) -> SafeString:
        return _tds(self.cells)


def _tds(cells: list[Cell]) -> SafeString:
    """The row's cells as table cells, in one string (each cell escapes its own parts):
    a template loop per cell was most of the pages' rendering."""
    return mark_safe("".join(f'<td class="text-end">{cell.__html__()}</td>'  # noqa: S308
                             for cell in cells))


@dataclass
class MonthlyReport:
    month: date
    periods: list[Period]  # this month, previous month, same month last year
    comparison: list[ComparisonRow]
    figures: list[Figure]
    by_point: list[PointRow]
    fault_days: list[dict]
    fault_causes: list[dict]
    root_causes: list[dict]
    satisfaction: dict
    satisfaction_total: dict
    satisfaction_trend: list[dict]
    repeat_premises: list[dict]
    takings_by_point: list[tuple]
    sla: list[tuple]
    extra: dict = field(default_factory=dict)


POINT_FIGURES = ["orders", "orders_overdue", "faults", "faults_on_time_rate",
                 "fault_callbacks", "complaints", "contact_on_time", "answer_on_time",
                 "callback_on_time", "receipts", "takings", "closes_late", "closes_missing"]


def monthly_report(user, month: date, *, now: datetime | None = None) -> MonthlyReport:
    now = now or timezone.now()
    today = timezone.localdate(now)
    this = Period.month(month)
    periods = [this, this.shift_months(-1), this.shift_months(-12)]
    merged, by_month, details = _months(user, periods, now, today)
    totals = [_total(m) for m in merged]
    satisfaction = [{source.key: by_month.get(p.first, {}).get(source.key, {})
                     for source in tickets_reports.satisfaction_sources()} for p in periods]
    for total, dist in zip(totals, satisfaction, strict=True):
        total["satisfaction_rate"] = tickets_reports.rate(
            *tickets_reports.satisfied_share(*dist.values()))
    figures = [*MONTH_FIGURES[:16], Figure(
        "satisfaction", _("Satisfied customers (target 90%)"),
        lambda row: row.get("satisfaction_rate"), None, kind="rate",
        alert=_under(tickets_reports.SATISFACTION_TARGET), group=COMPLAINTS),
        *MONTH_FIGURES[16:]]
    comparison = [ComparisonRow(f, [_cell(f, t, None, p) for t, p in
                                    zip(totals, periods, strict=True)]) for f in figures]
    points = list(ServicePoint.objects.restrict(user).order_by("code"))
    by_key = {f.key: f for f in MONTH_FIGURES}
    point_figures = [by_key[k] for k in POINT_FIGURES]
    by_point = [PointRow(p, [_cell(f, merged[0].get(p.pk, {}), p.pk, this)
                             for f in point_figures])
                for p in points if p.pk in merged[0] or p.is_active]
    if None in merged[0]:  # carrier desks' faults with no compound on file
        by_point.append(PointRow(None, [_cell(f, merged[0][None], None, this)
                                        for f in point_figures]))
    takings_by_point = sorted(
        ((p, merged[0].get(p.pk, {}).get("takings") or ZERO) for p in points),
        key=lambda item: (-item[1], item[0].code))
    total = totals[0]
    sla = [
        (_("Faults fixed within 12 hours"), total.get("on_time", 0), total.get("reported", 0)),
        (_("Complaints: first contact within its clock"), total.get("contact_on_time", 0),
         total.get("contact_due_count", 0)),
        (_("Complaints: answered within 48 hours"), total.get("answer_on_time", 0),
         total.get("answer_due_count", 0)),
        (_("Complainants called back within 3 days"), total.get("callback_on_time", 0),
         total.get("callback_due_count", 0)),
    ]
    return MonthlyReport(
        month=this.first, periods=periods, comparison=comparison,
        figures=point_figures, by_point=by_point,
        satisfaction=satisfaction[0],
        satisfaction_total=total,
        satisfaction_trend=tickets_reports.trend_from_months(by_month, months=12,
                                                            end=this.end),
        **details,
        takings_by_point=takings_by_point,
        sla=[(label, part, whole, tickets_reports.rate(part, whole))
             for label, part, whole in sla],
    )


# --- the manager's home ---------------------------------------------------------------


HOME_COLUMNS = [
    # (group, key, label, kind, alert)
    (_("Today"), "opened_today", _("orders opened"), "count", None),
    (_("Today"), "dispatched_today", _("orders dispatched"), "count", None),
    (_("Today"), "reported_today", _("faults reported"), "count", None),
    (_("Today"), "receipts_today", _("receipts"), "count", None),
    (_("Today"), "takings_today", _("takings"), "money", None),
    (_("Now"), "awaiting_dispatch_now", _("orders awaiting dispatch"), "count", None),
    (_("Now"), "orders_overdue_now", _("orders overdue"), "count", _positive),
    (_("Now"), "faults_open_now", _("faults open"), "count", None),
    (_("Now"), "faults_overdue_now", _("faults past 12 h"), "count", _positive),
    (_("Now"), "complaints_open_now", _("complaints open"), "count", None),
    (_("Now"), "complaints_late_now", _("complaints past a clock"), "count", _positive),
    (_("This month"), "opened", _("orders accepted"), "count", None),
    (_("This month"), "returned", _("returned signed"), "count", None),
    (_("This month"), "reported", _("faults"), "count", None),
    (_("This month"), "on_time_rate", _("fixed within 12 h"), "rate", _under(100)),
    (_("This month"), "callback_rate", _("callbacks passed"), "rate", None),
    (_("This month"), "receipts", _("receipts"), "count", None),
    (_("This month"), "takings", _("takings"), "money", None),
    (_("This month"), "late_closes", _("closes late"), "count", _positive),
    (_("This month"), "missing", _("closes missing"), "count", _positive),
    (_("Retention"), "expiring", _("broadband expiring in 30 days"), "count", None),
    (_("Retention"), "low_balance", _("landlines under threshold"), "count", None),
]


def _home_links(point, today: date, month: Period) -> dict[str, str]:
    sp = _point_param(point)
    day = Period.day(today)
    return {
        "opened_today": _orders()(point, day),
        "dispatched_today": link("tickets:dispatch_list", service_point=sp, day_from=today,
                                 day_to=today),
        "reported_today": _faults()(point, day),
        "receipts_today": _receipts(status="issued")(point, day),
        "takings_today": _receipts(status="issued")(point, day),
        "awaiting_dispatch_now": link("tickets:workorder_list", service_point=sp,
                                      state="accepted"),
        "orders_overdue_now": link("tickets:workorder_list", service_point=sp, overdue="true"),
        "faults_open_now": link("tickets:fault_list", service_point=sp, state="open"),
        "faults_overdue_now": link("tickets:fault_list", service_point=sp, overdue="true"),
        "complaints_open_now": link("tickets:complaint_list", service_point=sp, state="open"),
        "complaints_late_now": link("tickets:complaint_list", service_point=sp,
                                    overdue="true"),
        "opened": _orders()(point, month),
        "returned": _orders(returned="true")(point, month),
        "reported": _faults()(point, month),
        "on_time_rate": _faults(deadline="on_time")(point, month),
        "callback_rate": _faults(state="closed")(point, month),
        "receipts": _receipts(status="issued")(point, month),
        "takings": _receipts(status="issued")(point, month),
        "late_closes": _closes(is_late="true")(point, month),
        "missing": _closes()(point, month),
        "expiring": link("reports:retention_broadband", service_point=sp),
        "low_balance": link("reports:retention_landline", service_point=sp),
    }


_POINT_STAND_IN = "POINTSTANDIN"  # passes link()'s plain-value check: never quoted


@dataclass
class ManagerHome:
    today: date
    month: Period
    groups: list[tuple[str, int]]
    columns: list[tuple]
    rows: list[PointRow]
    total: PointRow


# The home's "this month" figures that add up day by day (the rates are made from them).
MONTH_SUMS = ("opened", "returned", "reported", "on_time", "fault_callbacks",
              "fault_callbacks_passed", "order_callbacks", "order_callbacks_passed",
              "receipts", "takings", "late_closes", "missing")


def closed_days(month: Period, now: datetime) -> list[date]:
    """The days of ``month`` that may be kept at ``now`` (``rollups.is_closed``)."""
    days = []
    day = month.first
    while day <= month.last and rollups.is_closed(rollups.day_end(day), now):
        days.append(day)
        day += timedelta(days=1)
    return days


def _add(summed: dict, points: dict, keys: tuple[str, ...] | None) -> None:
    """Add figures by point into ``summed`` (only ``keys``, or all when None)."""
    for point, values in points.items():
        target = summed.setdefault(point, {})
        for key, value in values.items():
            if value is not None and (keys is None or key in keys):
                target[key] = target.get(key, 0) + value


def _day_details(day: Period, now: datetime) -> dict:
    """A day's answers and lists, kept with its figures for the monthly report (4-5
    queries)."""
    answers = tickets_reports.satisfaction_by_month(rollups.EVERYONE, start=day.start,
                                                    end=day.end)
    return {"satisfaction": answers.get(day.first.replace(day=1), {}),
            **_details(rollups.EVERYONE, day, now)}


def keep_days(days: list[date], *, now: datetime, keys: tuple[str, ...] | None = MONTH_SUMS,
              with_details: bool = False, force: bool = False) -> rollups.KeptDays:
    """This month's closed ``days`` added up by point (``keys``; every figure when None)
    and, ``with_details``, each day's answers and lists: the fresh days from the day
    rollup (2 queries), the others (all with ``force``) counted and kept now (one query
    per subject for them all, 3 for their deadlines, ~5 a day for the lists, ~4 to
    store)."""
    kept = rollups.read_days(days, keys=keys, now=now, with_details=with_details)
    if force:
        kept = rollups.KeptDays(fresh=[], summed={}, versions=kept.versions)
    missing = [Period.day(day) for day in days if day not in kept.fresh]
    if not missing:
        return kept
    counted = _merge_periods(rollups.EVERYONE, missing, now, timezone.localdate(now))
    deadlines = tickets_reports.next_deadlines(periods=[(p.start, p.end) for p in missing],
                                               now=now)
    details = {p.first: _day_details(p, now) for p in missing}
    rollups.store_days({p.first: points for p, points in zip(missing, counted, strict=True)},
                       details=details, versions=kept.versions, now=now,
                       valid_until={p.first: d for p, d in zip(missing, deadlines, strict=True)})
    for points in counted:
        _add(kept.summed, points, keys)
    if with_details:
        kept.details.update(details)
    return kept


def _month_so_far(user, month: Period, now: datetime) -> tuple[dict, Period]:
    """This month's closed days added up by point (:data:`MONTH_SUMS`, from the day
    rollup for a user who sees every point) and the period still to count live: today
    (and yesterday in the hour after midnight) to the month's end."""
    days = closed_days(month, now) if rollups.sees_all(user) else []
    if not days:
        return {}, month
    return keep_days(days, now=now).summed, Period(days[-1] + timedelta(days=1), month.last)


def manager_home(user, *, now: datetime | None = None) -> ManagerHome:
    """Today, now and this month, by service point, with a total row. This month's closed
    days come from the day rollup (``rollups.py``); the rest is counted live."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day, month = Period.day(today), Period.month(today)
    kept_days, live = _month_so_far(user, month, now)
    merged: dict = {}

    def add(rows: dict, rename: dict | None = None):
        for point, values in rows.items():
            target = merged.setdefault(point, {})
            for key, value in values.items():
                target[(rename or {}).get(key, key)] = value

    add(tickets_reports.order_home(user, day_start=day.start, start=live.start,
                                   end=live.end, now=now),
        {"overdue_now": "orders_overdue_now", "overdue": "orders_overdue",
         "callbacks": "order_callbacks", "callbacks_passed": "order_callbacks_passed"})
    add(tickets_reports.fault_home(user, day_start=day.start, start=live.start,
                                   end=live.end, now=now),
        {"open_now": "faults_open_now", "overdue_now": "faults_overdue_now",
         "callbacks": "fault_callbacks", "callbacks_passed": "fault_callbacks_passed",
         "late": "faults_late"})
    add(tickets_reports.complaint_live(user, now=now),
        {"open_now": "complaints_open_now", "past_clock_now": "complaints_late_now"})
    takings_today, takings_month = billing_reports.takings_periods(
        user, periods=[(today, today), (live.first, live.last)])
    add(takings_today, {"receipts": "receipts_today", "takings": "takings_today",
                        "voids": "voids_today", "void_total": "void_total_today"})
    add(takings_month)
    add(billing_reports.daily_close_figures(user, first=live.first, last=live.last,
                                            today=today), {"late": "late_closes"})
    add(accounts_reports.retention_counts(user, today=today))
    _add(merged, kept_days, MONTH_SUMS)  # the month's closed days (only the sums shown)

    def derive(row: dict) -> dict:
        row = dict(row)
        row["on_time_rate"] = tickets_reports.rate(row.get("on_time"), row.get("reported"))
        row["callback_rate"] = tickets_reports.rate(
            (row.get("fault_callbacks_passed") or 0) + (row.get("order_callbacks_passed") or 0),
            (row.get("fault_callbacks") or 0) + (row.get("order_callbacks") or 0))
        return row

    # The 22 links of a compound's row differ only in its id: built once with a stand-in
    # id, then the id put in (~900 links a page). The row without a compound (carrier
    # desks) and the total leave the parameter out, so they are built as they are.
    template = _home_links(_POINT_STAND_IN, today, month)

    def point_links(point) -> dict[str, str]:
        if point is None:
            return _home_links(None, today, month)
        return {key: href.replace(_POINT_STAND_IN, str(point))
                for key, href in template.items()}

    def cells(point, row) -> list[Cell]:
        links = point_links(point)
        row = derive(row)
        out = []
        for _group, key, _label, kind, alert in HOME_COLUMNS:
            value = row.get(key)
            if value is None and kind != "rate":
                value = ZERO if kind == "money" else 0
            out.append(Cell(value=value, href=links[key], kind=kind,
                            alert=bool(alert and alert(value))))
        return out

    points = list(ServicePoint.objects.restrict(user).order_by("code"))
    rows = [PointRow(p, cells(p.pk, merged.get(p.pk, {})))
            for p in points if p.pk in merged or p.is_active]
    if None in merged:
        rows.append(PointRow(None, cells(None, merged[None])))
    total = PointRow(None, cells(None, _total(merged)))
    groups: list[tuple[str, int]] = []
    for group, *_rest in HOME_COLUMNS:
        if groups and groups[-1][0] == group:
            groups[-1] = (group, groups[-1][1] + 1)
        else:
            groups.append((group, 1))
    return ManagerHome(today=today, month=month, groups=groups, columns=HOME_COLUMNS,
                       rows=rows, total=total)
