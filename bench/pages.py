"""The pages the benchmark measures: one list, appended to as the product grows.

Each :class:`Page` names a URL (reversed; a name that does not exist yet is reported as
"n/a"), the role that uses it (the bench signs in as that role's demo user: ``clerk``
works at 馨苑, ``agent`` and ``manager`` see every service point), the model whose rows
the page reads (the "rows" column), and how to vary the request: ``args`` and ``query``
are callables taking a :class:`Sample`, called once per request (before the timing), so
each of the ~30 timed requests opens another subscriber, searches another name, etc.

To add pages (orders, receipts, faults, scorecards, PDFs, reports), append to ``PAGES``
in the section of your app, e.g.::

    Page("receipts p1", "billing:receipt_list", "clerk", "billing.Receipt"),
    Page("receipt PDF", "billing:receipt_pdf", "clerk", "billing.Receipt",
         args=lambda s: [s.pk("billing.Receipt")], pdf=True),
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection

DEEP_PAGE = 200  # ?page=200: rows 9,951-10,000 of a list (LazyPaginator, 50 a page)


@dataclass(frozen=True)
class Page:
    name: str
    url_name: str
    role: str  # clerk | agent | installer | manager
    table: str | None = None  # "app.Model" the page reads (for the rows column)
    args: Callable[[Sample], list] | None = None
    query: Callable[[Sample], dict] | dict | None = None
    pdf: bool = False  # PDFs have their own budget (not the 50 ms of HTML pages)
    # A deep page (?page=200) may lie past the end of a small dataset: its query count
    # is not compared between sizes.
    deep: bool = False


class Sample:
    """Random rows the signed-in user may see, for varied request parameters."""

    def __init__(self, user, rng: random.Random):
        self.user = user
        self.rng = rng
        self._bounds: dict[str, tuple[int, int]] = {}

    def _scope(self, model) -> tuple[str, list]:
        path = getattr(model, "service_point_path", None)
        if path == "service_point" and self.user.service_point_id and not (
                self.user.is_superuser):
            return " AND service_point_id = %s", [self.user.service_point_id]
        return "", []

    def row(self, label: str, columns: str = "id", where: str = "", params=()) -> tuple:
        """One random row of ``label`` visible to the user (optionally filtered)."""
        model = apps.get_model(label)
        table = connection.ops.quote_name(model._meta.db_table)
        if label not in self._bounds:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT min(id), max(id) FROM {table}")
                low, high = cursor.fetchone()
            self._bounds[label] = (low or 0, high or 0)
        low, high = self._bounds[label]
        scope, scope_params = self._scope(model)
        extra = f" AND ({where})" if where else ""
        sql = (f"SELECT {columns} FROM {table} WHERE id >= %s{scope}{extra} "
               f"ORDER BY id LIMIT 1")
        with connection.cursor() as cursor:
            for start in (low + int(self.rng.random() * (high - low + 1)), low):
                cursor.execute(sql, [start, *scope_params, *params])
                found = cursor.fetchone()
                if found:
                    return found
        raise LookupError(f"no {label} row visible to {self.user} ({where or 'any'})")

    def pk(self, label: str, where: str = "", params=()) -> int:
        return self.row(label, "id", where, params)[0]

    def value(self, label: str, column: str, where: str = "", params=()) -> Any:
        return self.row(label, column, where, params)[0]

    def choice(self, values):
        return values[int(self.rng.random() * len(values))]


def _name_part(s: Sample) -> str:
    name = s.value("accounts.Subscriber", "name", "kind = 'person'")
    return name[:2] if s.rng.random() < 0.6 else name  # "王芳…" prefix, or the full name


def _premises(s: Sample) -> str:
    building, unit, room = s.row("accounts.Premises", "building, unit, room")
    return f"{building}-{unit}-{room}"


def _month(s: Sample) -> str:
    """This month or one of the 11 before it."""
    from django.utils import timezone

    today = timezone.localdate()
    back = int(s.rng.random() * 12)
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{year}-{month + 1:02d}"


def _month_range(s: Sample, prefix: str, **extra) -> dict:
    from datetime import date, timedelta

    year, month = (int(x) for x in _month(s).split("-"))
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {f"{prefix}_from": first.isoformat(), f"{prefix}_to": last.isoformat(), **extra}


def _point(s: Sample) -> int:
    return s.pk("servicedesk.ServicePoint")


SUB, BB, LL = "accounts.Subscriber", "accounts.BroadbandAccount", "accounts.LandlineAccount"

PAGES: list[Page] = [
    # --- core ---------------------------------------------------------------------------
    Page("home (clerk)", "home", "clerk"),
    Page("home (agent)", "home", "agent"),
    Page("home (installer)", "home", "installer"),
    Page("home (manager)", "home", "manager"),
    Page("service points", "servicepoint_list", "manager", "servicedesk.ServicePoint"),
    Page("service point", "servicepoint_detail", "manager", "servicedesk.ServicePoint",
         args=lambda s: [_point(s)]),
    Page("staff", "staff_list", "manager", "servicedesk.User"),
    Page("staff ?role=clerk", "staff_list", "manager", "servicedesk.User",
         query={"role": "clerk"}),
    Page("staff ?service_point", "staff_list", "manager", "servicedesk.User",
         query=lambda s: {"service_point": _point(s)}),
    Page("roster PDF", "servicepoint_roster_pdf", "manager", "servicedesk.User",
         args=lambda s: [_point(s)], pdf=True),
    # --- header search (accounts) -----------------------------------------------------
    Page("search: name part", "accounts:search", "agent", SUB,
         query=lambda s: {"q": _name_part(s)}),
    Page("search: name (clerk)", "accounts:search", "clerk", SUB,
         query=lambda s: {"q": _name_part(s)}),
    Page("search: phone tail", "accounts:search", "agent", SUB,
         query=lambda s: {"q": s.value(SUB, "mobile", "mobile <> ''")[-4:]}),
    Page("search: account name", "accounts:search", "agent", BB,
         query=lambda s: {"q": s.value(BB, "account_name")}),
    Page("search: premises", "accounts:search", "agent", "accounts.Premises",
         query=lambda s: {"q": _premises(s)}),
    Page("search: ID number", "accounts:search", "agent", SUB,
         query=lambda s: {"q": s.value(SUB, "id_number", "id_number <> ''")}),
    # --- subscribers and accounts ---------------------------------------------------------
    Page("subscriber", "accounts:subscriber_detail", "clerk", SUB,
         args=lambda s: [s.pk(SUB)]),
    Page("subscriber (agent)", "accounts:subscriber_detail", "agent", SUB,
         args=lambda s: [s.pk(SUB)]),
    Page("subscriber edit", "accounts:subscriber_edit", "clerk", SUB,
         args=lambda s: [s.pk(SUB)]),
    Page("broadband account", "accounts:broadband_detail", "clerk", BB,
         args=lambda s: [s.pk(BB)]),
    Page("landline account", "accounts:landline_detail", "clerk", LL,
         args=lambda s: [s.pk(LL)]),
    Page("subscribers p1", "accounts:subscriber_list", "clerk", SUB),
    Page(f"subscribers p{DEEP_PAGE}", "accounts:subscriber_list", "clerk", SUB,
         query={"page": DEEP_PAGE}, deep=True),
    Page("subscribers all p1", "accounts:subscriber_list", "manager", SUB),
    Page(f"subscribers all p{DEEP_PAGE}", "accounts:subscriber_list", "manager", SUB,
         query={"page": DEEP_PAGE}, deep=True),
    Page("subscribers ?kind=org", "accounts:subscriber_list", "manager", SUB,
         query={"kind": "organization"}),
    Page("subscribers ?q=name", "accounts:subscriber_list", "agent", SUB,
         query=lambda s: {"q": _name_part(s)}),
    Page("broadband p1", "accounts:broadband_list", "clerk", BB),
    Page(f"broadband p{DEEP_PAGE}", "accounts:broadband_list", "clerk", BB,
         query={"page": DEEP_PAGE}, deep=True),
    Page("broadband ?state=expired", "accounts:broadband_list", "clerk", BB,
         query={"state": "expired"}),
    Page("broadband ?expiring_within", "accounts:broadband_list", "clerk", BB,
         query=lambda s: {"expiring_within": s.choice([7, 30, 90])}),
    Page("broadband all p1", "accounts:broadband_list", "manager", BB),
    Page(f"broadband all p{DEEP_PAGE}", "accounts:broadband_list", "manager", BB,
         query={"page": DEEP_PAGE}, deep=True),
    Page("broadband all ?state", "accounts:broadband_list", "manager", BB,
         query=lambda s: {"state": s.choice(["pending", "suspended", "expired"])}),
    Page("broadband all ?carrier+plan", "accounts:broadband_list", "manager", BB,
         query=lambda s: {"carrier": 2, "plan": s.choice([7, 8])}),
    Page("landline p1", "accounts:landline_list", "clerk", LL),
    Page(f"landline p{DEEP_PAGE}", "accounts:landline_list", "clerk", LL,
         query={"page": DEEP_PAGE}, deep=True),
    Page("landline ?state=barred", "accounts:landline_list", "clerk", LL,
         query={"state": "barred"}),
    Page("landline all ?low_balance", "accounts:landline_list", "manager", LL,
         query={"low_balance": "on"}),
    Page("landline all ?q=digits", "accounts:landline_list", "agent", LL,
         query=lambda s: {"q": s.value(LL, "phone_number")[-4:]}),
    Page("broadband plans", "accounts:broadbandplan_list", "manager", "accounts.BroadbandPlan"),
    # --- billing (counter) ----------------------------------------------------------------
    # --- tickets (work orders, call desk) ------------------------------------------------
    Page("call desk queue", "tickets:desk_queue", "agent", "tickets.Fault"),
    Page("call desk lookup: phone", "tickets:subscriber_lookup", "agent", SUB,
         query=lambda s: {"q": s.value(SUB, "mobile", "mobile <> ''")[-4:]}),
    Page("fault report form", "tickets:fault_add", "agent", "tickets.Fault"),
    Page("faults p1", "tickets:fault_list", "agent", "tickets.Fault"),
    Page("complaints p1", "tickets:complaint_list", "agent", "tickets.Complaint"),
    Page("cases p1", "tickets:inquiry_list", "agent", "tickets.Inquiry"),
    # --- reports (manager: appraisal/reports, figures from each app's reports.py) ------
    Page("reports: manager overview", "reports:manager_home", "manager", "tickets.Fault"),
    Page("reports: monthly", "reports:monthly", "manager", "tickets.Fault",
         query=lambda s: {"month": _month(s)}),
    Page("reports: monthly PDF", "reports:monthly_pdf", "manager", "tickets.Fault",
         query=lambda s: {"month": _month(s)}, pdf=True),
    Page("reports: retention broadband", "reports:retention_broadband", "manager", BB),
    Page("reports: retention broadband (clerk)", "reports:retention_broadband", "clerk", BB),
    Page("reports: retention landline", "reports:retention_landline", "manager", LL),
    Page("report link: faults late in a month", "tickets:fault_list", "manager",
         "tickets.Fault", query=lambda s: _month_range(s, "reported", deadline="late")),
    Page("report link: receipts of a month", "billing:receipt_list", "manager",
         "billing.Receipt", query=lambda s: _month_range(s, "day", status="issued")),
    Page("report link: orders returned", "tickets:workorder_list", "manager",
         "tickets.WorkOrder", query=lambda s: _month_range(s, "accepted", returned="true")),
    # --- appraisal ------------------------------------------------------------------------
    Page("appraisal: month ranking", "appraisal:month", "manager", "appraisal.Scorecard"),
    Page("appraisal: month ranking xlsx", "appraisal:month", "manager",
         "appraisal.Scorecard", query={"_export": "xlsx"}),
    Page("appraisal: scorecard", "appraisal:scorecard_detail", "manager",
         "appraisal.Scorecard", args=lambda s: [s.pk("appraisal.Scorecard")]),
    Page("appraisal: my scorecards (clerk)", "appraisal:scorecard_list", "clerk",
         "appraisal.Scorecard"),
    Page("appraisal: scorecard PDF", "appraisal:scorecard_pdf", "manager",
         "appraisal.Scorecard", args=lambda s: [s.pk("appraisal.Scorecard")], pdf=True),
]
