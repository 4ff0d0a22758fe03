"""Shared table pieces written this session without templates (servicedesk/tables.py):
an empty date shows the column default as django-tables2's own columns do; an export
never carries a cell's HTML."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import django_tables2 as tables

from servicedesk.tables import DateColumn, DateTimeColumn
from tickets.tables.workorders import WorkOrderTable


class _Dates(tables.Table):
    day = DateColumn(format="Y-m-d")
    at = DateTimeColumn(format="m-d H:i")


def test_an_empty_date_shows_the_default_not_today():
    table = _Dates([{"day": None, "at": None},
                    {"day": date(2026, 11, 3),
                     "at": datetime(2026, 11, 3, 1, 30, tzinfo=ZoneInfo("UTC"))}])
    rows = [[row.get_cell(name) for name in ("day", "at")] for row in table.rows]
    assert rows == [["—", "—"], ["2026-11-03", "11-03 09:30"]]  # local time (+08)


def test_a_work_orders_exported_state_is_text():
    table = WorkOrderTable([])
    overdue = SimpleNamespace(is_overdue=lambda: True, get_state_display=lambda: "已派单")
    on_time = SimpleNamespace(is_overdue=lambda: False, get_state_display=lambda: "已派单")
    assert table.value_state(overdue) == "已派单 (超时)"
    assert table.value_state(on_time) == "已派单"


def test_an_exported_time_is_local_to_the_second():
    table = _Dates([{"day": date(2026, 12, 2),
                     "at": datetime(2026, 12, 1, 18, 41, 43, 48091, tzinfo=ZoneInfo("UTC"))}])
    row = next(iter(table.rows))
    assert row.get_cell_value("at") == "2026-12-02 02:41:43"  # not UTC, no microseconds
    assert row.get_cell_value("day") == "2026-12-02"
