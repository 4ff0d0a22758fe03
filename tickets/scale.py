"""Scale data of the counter's work orders and the call desk (``manage.py generate_scale_data``).

Read back from the register (``accounts.scale``), in the order things happened:

- **work orders**: an install order for every account, accepted on the account's day
  (a tenth of the carriers' lines arrive as carrier orders by fax); orders older than two
  weeks went the whole way (dispatched the next day on the day's dispatch log, returned
  signed, called back, archived), the recent ones stand anywhere on the way, some past
  the install time limit; 1% cancelled. A callback row for each one called back.
- **faults**: about one in three subscribers' accounts has had faults (≈0.5 a subscriber
  over the two years), at least 10 days apart; 8% from Telecom's desks. 90% were fixed
  within 12 hours; those of the last days are still open (one open fault an account).
  A callback row for each callback (5% failed once first).
- **complaints** (1 in 50 subscribers) with the first-answer status change and the
  callback; 5% merged into another; the recent ones still open, some past their clocks.
- **cases** (1 in 20 subscribers), answered within 3 days, rated.

Reference lists (fault causes, root causes, maintenance offices, carrier desks) come from
``fixtures/calldesk_reference.json``. Rows go out through COPY in streamed batches.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

from servicedesk.scale import ScaleContext, business_time, chinese_name, generator, mobile
from tickets.models import (
    CarrierDesk,
    Complaint,
    ComplaintCallback,
    ComplaintRootCause,
    ComplaintStatusChange,
    Dispatch,
    DispatchLine,
    Fault,
    FaultCallback,
    FaultCause,
    Inquiry,
    MaintenanceOffice,
    WorkOrder,
    WorkOrderCallback,
)

SATISFACTION = (("very_satisfied", 0.35), ("satisfied", 0.57), ("neutral", 0.05),
                ("dissatisfied", 0.03))
FAULT_TEXT = ("上不了网,光猫LOS灯红", "网速很慢", "电话无拨号音", "经常掉线", "电话杂音大",
              "路由器连不上", "来电显示不工作")
COMPLAINT_TEXT = ("报修两天了还没人来修", "营业员态度不好", "收费与宣传不符", "装机一直拖延",
                  "网络晚上很卡")
QUESTIONS = ("包年套餐怎么续费?", "能否改成50M?", "固话欠费怎么办?", "移机要多少钱?",
             "发票什么时候能取?")


def _blank_text(model, columns) -> tuple[list[str], tuple]:
    """The model's optional text columns a generator leaves empty (NOT NULL, no default)."""
    extra = [f.column for f in model._meta.concrete_fields
             if f.column not in columns and not f.null and getattr(f, "blank", False)
             and f.get_internal_type() in ("CharField", "TextField") and not f.has_default()]
    return list(columns) + extra, ("",) * len(extra)


def _register(loader, model, columns):
    columns, suffix = _blank_text(model, columns)
    add = loader.register(model, columns)
    return (lambda row: add(row + suffix)) if suffix else add


def _satisfaction(rng) -> str:
    u = rng.random()
    for value, share in SATISFACTION:
        if u < share:
            return value
        u -= share
    return SATISFACTION[-1][0]


def _reference(ctx: ScaleContext) -> dict:
    """Copy fixtures/calldesk_reference.json; return the ids the tickets need."""
    items = json.loads(Path(settings.BASE_DIR / "fixtures" / "calldesk_reference.json")
                       .read_text())
    models = {m._meta.label_lower: m for m in (FaultCause, ComplaintRootCause,
                                                MaintenanceOffice, CarrierDesk)}
    through = []
    for label, model in models.items():
        rows = [i for i in items if i["model"] == label]
        if not rows:
            continue
        names = [n for n in rows[0]["fields"] if n != "service_points"]
        columns = ["id"] + [model._meta.get_field(n).column for n in names]
        ctx.copy(model, columns, [(r["pk"], *(r["fields"][n] for n in names)) for r in rows])
        through += [(r["pk"], sp) for r in rows for sp in r["fields"].get("service_points", [])]
    ctx.copy(MaintenanceOffice.service_points.through, ["maintenanceoffice_id",
                                                        "servicepoint_id"], through)
    of = {label: [i["pk"] for i in items if i["model"] == label] for label in models}
    offices = {sp: i["pk"] for i in items if i["model"] == "tickets.maintenanceoffice"
               for sp in i["fields"].get("service_points", [])}
    return {"causes": of["tickets.faultcause"], "roots": of["tickets.complaintrootcause"],
            "offices": offices, "other_office": of["tickets.maintenanceoffice"][-1],
            "desks": {i["fields"]["source"]: i["pk"] for i in items
                      if i["model"] == "tickets.carrierdesk"}}


class Desk:
    """Shared lookups: staff by role and point, fault marks, the clock."""

    def __init__(self, ctx: ScaleContext, rng):
        self.ctx, self.rng = ctx, rng
        staff = ctx.data["staff"]
        self.agents = staff["agent"] or staff["manager"]
        self.clerks, self.installers = staff["clerk"], staff["installer"]
        self.managers = staff["manager"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, fault_mark FROM servicedesk_servicepoint")
            self.marks = dict(cursor.fetchall())
        self.end = datetime.combine(ctx.as_of, datetime.min.time(), ctx.start.tzinfo) \
            + timedelta(hours=16)  # "now" of the generated history: 16:00 on as_of

    def pick(self, ids):
        return ids[int(self.rng.random() * len(ids))] if ids else None

    def agent(self):
        return self.pick(self.agents)

    def clerk(self, point):
        return self.pick(self.clerks.get(point) or self.managers)

    def installer(self, point):
        return self.pick(self.installers.get(point) or [])

    def moment(self, day: date) -> datetime:
        return business_time(day, self.rng.random())


# --- work orders ----------------------------------------------------------------------


ACCOUNTS_SQL = """
    SELECT * FROM (
        SELECT 'bb' AS service, a.id, a.subscriber_id, a.premises_id, a.service_point_id,
               a.carrier_id, a.accepted_on, a.created_at, s.name, s.mobile, c.is_own
          FROM accounts_broadbandaccount a JOIN accounts_subscriber s ON s.id = a.subscriber_id
          JOIN accounts_carrier c ON c.id = a.carrier_id
        UNION ALL
        SELECT 'll', a.id, a.subscriber_id, a.premises_id, a.service_point_id, a.carrier_id,
               a.accepted_on, a.created_at, s.name, s.mobile, c.is_own
          FROM accounts_landlineaccount a JOIN accounts_subscriber s ON s.id = a.subscriber_id
          JOIN accounts_carrier c ON c.id = a.carrier_id
    ) accounts ORDER BY accepted_on, service, id
"""


def _work_orders(ctx: ScaleContext, rng, desk: Desk) -> int:
    progress = ctx.progress("work orders", ctx.n, "accounts")
    limit = timedelta(days=settings.INSTALL_TIME_LIMIT_DAYS)
    end = desk.end
    order_id = dispatch_id = 0
    dispatches: dict[tuple[int, date, int | None], tuple[int, int]] = {}
    with ctx.loader() as loader:
        add_order = _register(loader, WorkOrder, [
            "id", "kind", "source", "state", "service_point_id", "subscriber_id",
            "customer_name", "contact_phone", "premises_id", "description", "broadband_id",
            "landline_id", "carrier_id", "carrier_ref", "accepted_at", "accepted_by_id",
            "transaction_seconds", "installer_id", "dispatched_at", "due_at",
            "slip_received_at", "slip_received_by_id", "installed_on", "called_back_at",
            "satisfaction", "reported_at", "archived_at"])
        add_dispatch = _register(loader, Dispatch, [
            "id", "service_point_id", "dispatched_at", "dispatched_by_id", "installer_id",
            "installer_name", "due_at"])
        add_line = _register(loader, DispatchLine, ["dispatch_id", "order_id", "position"])
        add_callback = _register(loader, WorkOrderCallback, [
            "order_id", "at", "by_id", "result", "satisfaction"])
        for done, (service, account, subscriber, premises, point, carrier, accepted_on,
                   created, name, phone, is_own) in enumerate(ctx.stream(ACCOUNTS_SQL), 1):
            accepted = created if created.date() == accepted_on else desk.moment(accepted_on)
            if accepted >= end:
                continue
            order_id += 1
            clerk = desk.clerk(point)
            carrier_order = not is_own and rng.random() < 0.1
            age = end - accepted
            u = rng.random()
            state = "archived"
            if u < 0.01:
                state = "cancelled"
            elif age < timedelta(days=1):
                state = "accepted"
            elif age < timedelta(days=14):
                state = ("dispatched" if u < 0.45 else "returned" if u < 0.65
                         else "called_back" if u < 0.8 else "archived")
            dispatched = due = returned = installed = called = archived = reported = None
            satisfaction, installer = "", None
            if state not in ("accepted", "cancelled"):
                day = accepted.date() + timedelta(days=1)
                dispatched = min(desk.moment(day), end - timedelta(minutes=5))
                due = dispatched + limit
                installer = desk.installer(point)
                key = (point, dispatched.date(), installer)
                if key not in dispatches:
                    if len(dispatches) > 500:
                        dispatches.clear()
                    dispatch_id += 1
                    dispatches[key] = (dispatch_id, 0)
                    add_dispatch((dispatch_id, point, dispatched, clerk, installer,
                                  "" if installer else "外包装维", due))
                did, position = dispatches[key]
                dispatches[key] = (did, position + 1)
                add_line((did, order_id, position + 1))
            if state in ("returned", "called_back", "archived"):
                returned = min(dispatched + timedelta(days=1 + rng.random() * 5),
                               end - timedelta(minutes=3))
                installed = returned.date()
            if state in ("called_back", "archived"):
                called = min(returned + timedelta(hours=2 + rng.random() * 40),
                             end - timedelta(minutes=2))
                satisfaction = _satisfaction(rng)
                add_callback((order_id, called, clerk, "confirmed", satisfaction))
                if carrier_order:
                    reported = called
            if state == "archived":
                archived = min(called + timedelta(days=1), end - timedelta(minutes=1))
            if state == "dispatched" and rng.random() < 0.3:
                due = min(due, end - timedelta(hours=1 + rng.random() * 48))  # overdue
                dispatched = min(dispatched, due - timedelta(hours=1))
            add_order((
                order_id, "install", "carrier" if carrier_order else "counter", state, point,
                subscriber, name, phone, premises,
                "新装宽带" if service == "bb" else "新装固话",
                account if service == "bb" else None, account if service == "ll" else None,
                carrier if carrier_order else None,
                f"DX{order_id:08d}" if carrier_order else "", accepted, clerk,
                60 + int(rng.random() * 240), installer, dispatched, due, returned,
                clerk if returned else None, installed, called, satisfaction, reported,
                archived))
            if loader.full():
                progress.advance(0, loader.flush())
            if done % 10000 == 0:
                progress.advance(10000)
    progress.finish()
    ctx.ids["tickets.WorkOrder"] = range(1, order_id + 1)
    return order_id


# --- faults ---------------------------------------------------------------------------


FAULT_ACCOUNTS_SQL = """
    SELECT 'bb', a.id, a.subscriber_id, a.premises_id, a.service_point_id, a.starts_on,
           a.state, a.account_name, s.name, s.mobile, c.code
      FROM accounts_broadbandaccount a JOIN accounts_subscriber s ON s.id = a.subscriber_id
      JOIN accounts_carrier c ON c.id = a.carrier_id
     WHERE a.starts_on IS NOT NULL
    UNION ALL
    SELECT 'll', a.id, a.subscriber_id, a.premises_id, a.service_point_id, a.starts_on,
           a.state, a.phone_number, s.name, s.mobile, c.code
      FROM accounts_landlineaccount a JOIN accounts_subscriber s ON s.id = a.subscriber_id
      JOIN accounts_carrier c ON c.id = a.carrier_id
     WHERE a.starts_on IS NOT NULL
"""


def _faults(ctx: ScaleContext, rng, desk: Desk, ref: dict) -> int:
    progress = ctx.progress("faults", ctx.n, "accounts")
    end = desk.end
    fault_id = 0
    causes = ref["causes"]
    with ctx.loader() as loader:
        add = _register(loader, Fault, [
            "id", "source", "mark", "service_type", "state", "service_point_id",
            "subscriber_id", "broadband_account_id", "landline_account_id", "premises_id",
            "service_number", "contact_name", "contact_phone", "description", "reported_at",
            "due_at", "received_by_id", "owner_id", "maintenance_office_id", "repairer_id",
            "dispatched_at", "dispatch_count", "cause_id", "fixed_at", "first_fixed_at",
            "failed_callbacks", "called_back_at", "satisfaction", "carrier_desk_id",
            "replied_at", "replied_to", "closed_at"])
        add_callback = _register(loader, FaultCallback, [
            "fault_id", "at", "by_id", "passed", "satisfaction", "note"])
        for done, (service, account, subscriber, premises, point, starts, acct_state, number,
                   name, phone, carrier) in enumerate(ctx.stream(FAULT_ACCOUNTS_SQL), 1):
            if done % 10000 == 0:
                progress.advance(10000)
            if rng.random() >= 0.30:
                continue
            first = datetime.combine(starts, datetime.min.time(), end.tzinfo)
            if first >= end - timedelta(days=1):
                continue
            span = (end - first).total_seconds()
            times, k = [], 1 + int(rng.random() * 2.2)
            for _i in range(k):
                times.append(first + timedelta(seconds=rng.random() * span))
            times.sort()
            kept = []
            for moment in times:  # at least 10 days apart
                if not kept or moment - kept[-1] >= timedelta(days=10):
                    kept.append(moment)
            for index, reported in enumerate(kept):
                fault_id += 1
                last = index == len(kept) - 1
                agent = desk.agent()
                source, desk_id, mark = "customer", None, desk.marks.get(point, "X")
                if carrier == "telecom" and rng.random() < 0.5:
                    source = "telecom_180" if rng.random() < 0.7 else "telecom_test_desk"
                    desk_id = ref["desks"].get(source)
                    mark = "D180" if source == "telecom_180" else "DC"
                age = end - reported
                due = reported + timedelta(hours=12)
                repairer = desk.installer(point)
                office = ref["offices"].get(point, ref["other_office"])
                dispatched = reported + timedelta(minutes=10 + rng.random() * 60)
                f_state, fixed = "closed", None
                on_time = rng.random() < 0.9
                fix_after = timedelta(hours=(0.5 + rng.random() * 11) if on_time
                                      else (12.5 + rng.random() * 36))
                if last and acct_state == "active" and age < fix_after + timedelta(hours=2):
                    f_state = "new" if age < timedelta(minutes=40) else "dispatched"
                else:
                    fixed = min(reported + fix_after, end - timedelta(minutes=30))
                if f_state == "new":
                    dispatched = None
                failed = 1 if fixed and rng.random() < 0.05 else 0
                called = satisfaction = replied = closed = None
                callbacks = []
                if fixed:
                    called = fixed + timedelta(hours=1 + rng.random() * 20)
                    if called >= end:
                        f_state, called = "fixed", None
                    else:
                        satisfaction = _satisfaction(rng)
                        if failed:
                            callbacks.append((fault_id, fixed + timedelta(minutes=30), agent,
                                              False, "", "还是不通"))
                        callbacks.append((fault_id, called, agent, True, satisfaction, ""))
                        if source != "customer":
                            replied = called + timedelta(minutes=20)
                            if replied >= end:
                                f_state, replied = "reply_owed", None
                        closed = replied or called
                if f_state != "closed":
                    closed = None
                if f_state in ("new", "dispatched", "fixed", "reply_owed") and not last:
                    continue  # one open fault an account: only the latest may be open
                for callback in callbacks:
                    add_callback(callback)
                add((fault_id, source, mark, "broadband" if service == "bb" else "landline",
                     f_state, point, subscriber, account if service == "bb" else None,
                     account if service == "ll" else None, premises, number, name, phone,
                     FAULT_TEXT[int(rng.random() * len(FAULT_TEXT))], reported, due, agent,
                     agent, office if dispatched else None,
                     repairer if dispatched else None, dispatched, 1 + failed if dispatched
                     else 0, causes[int(rng.random() * len(causes))] if fixed else None,
                     fixed, fixed, failed, called, satisfaction or "", desk_id, replied,
                     "88217901" if replied else "", closed))
            if loader.full():
                progress.advance(0, loader.flush())
    progress.finish()
    ctx.ids["tickets.Fault"] = range(1, fault_id + 1)
    return fault_id


# --- complaints and cases ---------------------------------------------------------------


URGENCY = (("critical", 15, 0.05), ("high", 30, 0.15), ("normal", 60, 0.6), ("low", 120, 0.2))


def _complaints(ctx: ScaleContext, rng, desk: Desk, ref: dict) -> int:
    n = ctx.scaled(1 / 50, minimum=5)
    end, start = desk.end, ctx.start
    span = (end - start).total_seconds()
    primaries: list[int] = []
    with ctx.loader() as loader:
        add = _register(loader, Complaint, [
            "id", "channel", "kind", "urgency", "state", "service_point_id", "subscriber_id",
            "complainant_name", "complainant_phone", "against_staff_id", "description",
            "received_at", "contact_due", "answer_due", "contacted_at", "handled_at",
            "callback_due", "substantiated", "root_cause_id", "result", "received_by_id",
            "owner_id", "primary_id", "complainant_count", "satisfaction", "closed_at",
            "close_reason"])
        add_change = _register(loader, ComplaintStatusChange, [
            "complaint_id", "from_state", "to_state", "at", "by_id", "note"])
        add_callback = _register(loader, ComplaintCallback, [
            "complaint_id", "at", "by_id", "outcome", "satisfaction", "note"])
        points = [p.id for p in ctx.data["service_points"]]
        for cid in range(1, n + 1):
            received = start + timedelta(seconds=span * (cid - 0.5) / n)
            received = business_time(received.date(), rng.random())
            if received >= end:
                received = end - timedelta(hours=1)
            agent = desk.agent()
            u = rng.random()
            urgency, minutes = "normal", 60
            for value, mins, share in URGENCY:
                if u < share:
                    urgency, minutes = value, mins
                    break
                u -= share
            contact_due = received + timedelta(minutes=minutes)
            answer_due = received + timedelta(hours=48)
            point = points[int(rng.random() * len(points))]
            age = end - received
            contacted = received + timedelta(minutes=minutes * (0.3 + rng.random() * 0.9))
            handled = received + timedelta(hours=2 + rng.random() * 50)
            callback = handled + timedelta(hours=4 + rng.random() * 70)
            state, primary, count = "closed", None, 1 + (rng.random() < 0.1)
            if primaries and rng.random() < 0.05:
                state, primary = "merged", primaries[int(rng.random() * len(primaries))]
            elif contacted >= end:
                state = "received"
            elif handled >= end:
                state = "contacted"
            elif callback >= end or age < timedelta(days=1):
                state = "handled"
            if state not in ("merged",):
                primaries.append(cid)
                if len(primaries) > 50:
                    primaries.pop(0)
            is_handled = state in ("handled", "closed")
            satisfaction = _satisfaction(rng) if state == "closed" else ""
            add((cid, "phone", ("equipment", "staff_attitude", "service_quality", "incident")[
                int(rng.random() * 4)], urgency, state, point, None, chinese_name(rng),
                mobile(rng), None, COMPLAINT_TEXT[int(rng.random() * len(COMPLAINT_TEXT))],
                received, contact_due, answer_due,
                contacted if state not in ("received",) else None,
                handled if is_handled else None,
                handled + timedelta(days=3) if state == "handled" else None,
                (rng.random() < 0.4) if is_handled else None,
                ref["roots"][int(rng.random() * len(ref["roots"]))] if is_handled else None,
                "已核实并答复客户" if is_handled else "", agent, agent, primary,
                1 if state == "merged" else count, satisfaction,
                callback if state == "closed" else None,
                "callback" if state == "closed" else ""))
            if is_handled:
                add_change((cid, "contacted", "handled", handled, agent, ""))
            if state == "closed":
                add_callback((cid, callback, agent, "satisfied", satisfaction, ""))
            if loader.full():
                loader.flush()
    ctx.ids["tickets.Complaint"] = range(1, n + 1)
    return n


def _inquiries(ctx: ScaleContext, rng, desk: Desk) -> int:
    n = ctx.scaled(1 / 20, minimum=5)
    end, start = desk.end, ctx.start
    span = (end - start).total_seconds()
    points = [p.id for p in ctx.data["service_points"]]

    def rows():
        for iid in range(1, n + 1):
            received = business_time((start + timedelta(seconds=span * (iid - 0.5) / n)).date(),
                                     rng.random())
            received = min(received, end - timedelta(hours=1))
            answered = received + timedelta(hours=1 + rng.random() * 60)
            open_ = answered >= end
            agent = desk.agent()
            yield (iid, "open" if open_ else "answered", chinese_name(rng),
                   QUESTIONS[int(rng.random() * len(QUESTIONS))], mobile(rng),
                   points[int(rng.random() * len(points))], received,
                   received + timedelta(days=3), "" if open_ else "已电话答复",
                   None if open_ else answered, "" if open_ else _satisfaction(rng), agent,
                   agent)

    columns, suffix = _blank_text(Inquiry, [
        "id", "state", "caller_name", "question", "phone", "service_point_id", "received_at",
        "due_at", "answer", "answered_at", "satisfaction", "received_by_id", "owner_id"])
    ctx.copy(Inquiry, columns, (row + suffix for row in rows()))
    ctx.ids["tickets.Inquiry"] = range(1, n + 1)
    return n


@generator(fills=[FaultCause, ComplaintRootCause, MaintenanceOffice,
                  MaintenanceOffice.service_points.through, CarrierDesk, WorkOrder, Dispatch,
                  DispatchLine, WorkOrderCallback, Fault, FaultCallback, Complaint,
                  ComplaintStatusChange, ComplaintCallback, Inquiry])
def generate(ctx: ScaleContext) -> str:
    rng = ctx.random("tickets")
    ref = _reference(ctx)
    desk = Desk(ctx, rng)
    orders = _work_orders(ctx, rng, desk)
    faults = _faults(ctx, rng, desk, ref)
    complaints = _complaints(ctx, rng, desk, ref)
    cases = _inquiries(ctx, rng, desk)
    return (f"{orders:,} work orders, {faults:,} faults, {complaints:,} complaints, "
            f"{cases:,} cases")
