"""Demo data of the counter: three weeks of a service center's days, made through the real
services (so receipts, serials, accounts, ledgers and status rows are all consistent).

Per service point and day: a few install orders (cash, WeChat, Alipay, card), renewals and
landline top-ups, now and then a voided receipt; the day's orders dispatched in the
evening, signed slips coming back over the next days, callbacks and archiving; a Telecom
fax now and then; and the clerk's daily close (one of them late, one with a difference).
Today is left open: orders waiting for dispatch, the day not yet closed, a few returns
overdue. Idempotent: a second ``load_demo`` finds the demo orders and adds nothing.
"""

from __future__ import annotations

import contextlib
import random
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_CLERKS, DEMO_INSTALLERS, POINTS, id_number, mobile, person_name
from accounts.models import (
    BroadbandAccount,
    BroadbandPlan,
    Carrier,
    LandlineAccount,
    LandlinePlan,
    Premises,
    Subscriber,
)
from billing import services as billing
from billing.models import DailyClose, Receipt, ReceiptBook
from servicedesk.models import ServicePoint, User
from tickets.models.workorders import WorkOrder, WorkOrderSource, WorkOrderState
from tickets.services import workorders as wo

DAYS = 21
METHODS = ["cash"] * 5 + ["wechat"] * 3 + ["alipay"] * 2 + ["card"]
SATISFACTION = ["very_satisfied"] * 5 + ["satisfied"] * 4 + ["neutral"] + ["dissatisfied"]
VOID_REASONS = ["金额写错, 重开", "客户改选套餐, 重开", "收款方式记错"]


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Counter:
    """One service point's counter during the demo."""

    def __init__(self, rng, point, clerk, installer, manager, plans, carriers, ll_plan):
        self.rng, self.point, self.clerk, self.installer = rng, point, clerk, installer
        self.manager, self.plans, self.carriers, self.ll_plan = manager, plans, carriers, ll_plan
        count, self.buildings, self.units = POINTS[point.code]
        self.taken = {
            (p.building, p.unit, p.room) for p in Premises.objects.filter(
                service_point=point, pk__in=BroadbandAccount.objects.open().values("premises"))}
        self.numbers = set(LandlineAccount.objects.values_list("phone_number", flat=True))
        self.backdate: list[tuple] = []

    def free_premises(self):
        while True:
            spot = (self.rng.randint(1, self.buildings), self.rng.randint(1, self.units),
                    self.rng.randint(1, 18) * 100 + self.rng.randint(1, 4))
            if spot not in self.taken:
                self.taken.add(spot)
                return spot

    def new_number(self, carrier):
        prefix = "6869" if carrier.code == "unicom" else "68" + self.rng.choice("0235")
        while True:
            number = prefix + f"{self.rng.randrange(10 ** (8 - len(prefix))):0{8 - len(prefix)}d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def install(self, moment: datetime):
        rng = self.rng
        name, male = person_name(rng)
        building, unit, room = self.free_premises()
        kwargs = {"broadband_plan": rng.choice(self.plans)}
        roll = rng.random()
        if kwargs["broadband_plan"].term == "package" or roll < 0.25:
            own = self.carriers["own"]
            kwargs.update(landline_carrier=own, landline_plan=self.ll_plan,
                          phone_number=self.new_number(own),
                          prepaid_credit=Decimal(rng.choice([0, 20, 50])))
        elif roll < 0.32 and self.point.code == "rq":
            unicom = self.carriers["unicom"]
            kwargs.update(broadband_plan=None, landline_carrier=unicom,
                          landline_plan=self.ll_plan, phone_number=self.new_number(unicom),
                          prepaid_credit=Decimal(rng.choice([50, 100])))
        seconds = rng.randint(50, 260)
        try:
            order = wo.install_order_open(
                user=self.clerk, service_point=self.point, building=building, unit=unit,
                room=room, payment_method=rng.choice(METHODS),
                new_subscriber={"kind": "person", "name": name, "id_number": id_number(rng, male),
                                "mobile": mobile(rng)},
                broadband_points=rng.choice([1, 1, 2, 3]),
                landline_points=rng.choice([1, 2]), router_setup=rng.random() < 0.2,
                opened_at=moment - timedelta(seconds=seconds), now=moment, **kwargs)
        except ValidationError:
            return None
        self.backdate.append((order, moment))
        return order

    def renew(self, moment: datetime):
        account = (BroadbandAccount.objects.filter(service_point=self.point, state="active",
                                                   plan__carrier__is_own=True)
                   .order_by("expires_on").first())
        if account is None:
            return
        with contextlib.suppress(ValidationError):
            billing.broadband_renewal_pay(user=self.clerk, account=account,
                                          payment_method=self.rng.choice(METHODS), now=moment)

    def top_up(self, moment: datetime):
        # Drawn by the seeded generator (the lines sorted by number), not ORDER BY random():
        # the demo is the same every run.
        lines = list(LandlineAccount.objects.filter(service_point=self.point, state="active"))
        if lines:
            line = self.rng.choice(lines)
            billing.landline_top_up(user=self.clerk, account=line, payment_method="cash",
                                    amount=Decimal(self.rng.choice([30, 50, 100])), now=moment)

    def close(self, day: date, *, late=False, short=False):
        summary_cash = sum(
            (r.total for r in Receipt.objects.filter(issued_by=self.clerk, issued_on=day,
                                                     status="issued", payment_method="cash")),
            Decimal("0"))
        short = short and summary_cash >= 10  # a day with too little cash cannot be short
        counted = summary_cash - (Decimal("10") if short else 0)
        closed_at = _at(day, 19, 25) if late else _at(day, 18, self.rng.randint(5, 55))
        billing.daily_close(user=self.clerk, day=day, counted_cash=counted,
                            explanation="找零时多找 10 元" if short else "", now=closed_at)


def load(*, seed: int, stdout=None) -> str:
    points = {p.code: p for p in ServicePoint.objects.filter(code__in=DEMO_CLERKS)}
    users = {u.username: u for u in User.objects.filter(
        username__in=[*DEMO_CLERKS.values(), *DEMO_INSTALLERS.values(), "manager"])}
    plans = list(BroadbandPlan.objects.filter(is_active=True, carrier__is_own=True))
    carriers = {c.code: c for c in Carrier.objects.all()}
    ll_plan = LandlinePlan.objects.filter(is_default=True).first()
    if len(points) < 3 or "manager" not in users or not plans or ll_plan is None:
        return "skipped (service points, staff or tariffs missing)"
    manager = users["manager"]
    today = timezone.localdate()
    books = 0
    for code, point in points.items():
        if not ReceiptBook.objects.filter(service_point=point, closed_at__isnull=True).exists():
            billing.receipt_book_open(user=manager, service_point=point,
                                      series=f"{code.upper()}{today:%Y}A", first_number=1,
                                      last_number=2000,
                                      now=_at(today - timedelta(days=DAYS + 1), 9, 0))
            books += 1
    clerks = [users.get(name) for name in DEMO_CLERKS.values()]
    if WorkOrder.objects.filter(accepted_by__in=[c for c in clerks if c]).exists():
        return f"{books} receipt book(s) opened; counter activity already loaded"

    rng = random.Random(seed + 41)
    counters = [
        _Counter(rng, points[code], users[DEMO_CLERKS[code]],
                 users.get(DEMO_INSTALLERS[code]), manager, plans, carriers, ll_plan)
        for code in ("dw", "qj", "rq") if DEMO_CLERKS[code] in users
    ]
    orders = 0
    late_day = today - timedelta(days=rng.randint(3, 10))
    short_day = today - timedelta(days=rng.randint(3, 10))
    for back in range(DAYS, -1, -1):
        day = today - timedelta(days=back)
        for counter in counters:
            # The day's counter events in time order, so receipt numbers follow the clock.
            events = [(_at(day, rng.randint(9, 16), rng.randint(0, 59)), "install")
                      for _n in range(rng.choice([1, 2, 2, 3]))]
            if rng.random() < 0.5:
                events.append((_at(day, rng.randint(9, 16), rng.randint(0, 59)), "renew"))
            if rng.random() < 0.6:
                events.append((_at(day, rng.randint(9, 16), rng.randint(0, 59)), "top_up"))
            if back == 0:  # today: only what has happened by now (nothing before opening)
                cutoff = timezone.now() - timedelta(minutes=5)
                events = [(moment, what) for moment, what in events if moment <= cutoff]
            todays = []
            for moment, what in sorted(events, key=lambda event: event[0]):
                if what == "renew":
                    counter.renew(moment)
                elif what == "top_up":
                    counter.top_up(moment)
                else:
                    order = counter.install(moment)
                    if order is not None:
                        todays.append(order)
                        orders += 1
            if todays and rng.random() < 0.15:
                receipt = todays[-1].receipt
                billing.receipt_void(user=counter.clerk, receipt=receipt,
                                     reason=rng.choice(VOID_REASONS),
                                     now=receipt.issued_at + timedelta(minutes=3))
            if back == 0:
                continue  # today: nothing dispatched, the day still open
            if counter.point.code == "dw" and back % 6 == 2:
                _carrier_fax(counter, carriers["telecom"], day)
            waiting = list(WorkOrder.objects.filter(service_point=counter.point,
                                                    state=WorkOrderState.ACCEPTED))
            if waiting:
                installer = counter.installer
                wo.workorders_dispatch(
                    user=counter.clerk, orders=waiting, installer=installer,
                    installer_name="" if installer else "王师傅", now=_at(day, 17, 40))
            counter.close(day, late=day == late_day and counter.point.code == "qj",
                          short=day == short_day and counter.point.code == "dw")
        _returns(rng, counters, day, today)
    _backdate(counters)
    closes = DailyClose.objects.count()
    return (f"{books} receipt book(s), {orders} install orders over {DAYS} days, "
            f"{Receipt.objects.count()} receipts, {closes} daily closes")


def _carrier_fax(counter: _Counter, telecom: Carrier, day: date) -> None:
    rng = counter.rng
    batch_orders = []
    for _n in range(rng.randint(2, 4)):
        name, _male = person_name(rng)
        building, unit, room = counter.free_premises()
        batch_orders.append({
            "customer_name": name, "contact_phone": mobile(rng), "building": building,
            "unit": unit, "room": room, "services": rng.choice([["broadband"],
                                                                ["broadband", "landline"]]),
            "carrier_ref": f"XA{day:%Y%m%d}{rng.randint(100, 999)}"})
    batch = wo.carrier_batch_register(user=counter.clerk, service_point=counter.point,
                                      carrier=telecom, orders=batch_orders,
                                      fax_ref=f"电信 {day:%m%d}-{rng.randint(1, 9)}",
                                      now=_at(day, 9, 5))
    wo.carrier_batch_acknowledge(user=counter.clerk, batch=batch, now=_at(day, 9, 20))


def _returns(rng, counters, day: date, today: date) -> None:
    """Signed slips come back 1-5 days after dispatch; callbacks follow; then archiving.
    A few orders of the first week never come back (overdue on the clerk's home page).
    Today, only what the clock has reached."""
    now = timezone.now()
    if _at(day, 10, 0) > now:
        return
    for counter in counters:
        dispatched = WorkOrder.objects.filter(service_point=counter.point,
                                              state=WorkOrderState.DISPATCHED,
                                              dispatched_at__lt=_at(day, 0, 0))
        for order in dispatched:
            age = (day - timezone.localtime(order.dispatched_at).date()).days
            if zlib.crc32(f"{order.customer_name} {order.accepted_at}".encode()) % 13 == 0:
                continue  # never returned: overdue (not by pk: sequences differ run to run)
            if age >= rng.randint(1, 5):
                wo.workorder_return(user=counter.clerk, order=order,
                                    installed_on=day - timedelta(days=rng.randint(0, 1)) if age > 1
                                    else day, now=min(_at(day, 10, rng.randint(0, 59)), now))
        returned = WorkOrder.objects.filter(service_point=counter.point,
                                            state=WorkOrderState.RETURNED,
                                            slip_received_at__lt=_at(day, 0, 0))
        if _at(day, 15, 0) > now:
            continue
        for order in returned:
            if rng.random() < 0.15:
                wo.workorder_callback_record(user=counter.clerk, order=order,
                                             result="not_reached", now=_at(day, 14, 0))
                continue
            wo.workorder_callback_record(user=counter.clerk, order=order, result="confirmed",
                                         satisfaction=rng.choice(SATISFACTION),
                                         now=_at(day, 14, rng.randint(0, 59)))
            if order.source == WorkOrderSource.CARRIER:
                wo.workorder_report_to_carrier(user=counter.clerk, order=order,
                                               now=_at(day, 15, 0))
            if (today - day).days > 2:  # never today: archiving needs days
                wo.workorder_archive(user=counter.clerk, order=order, now=_at(day, 16, 30))


@transaction.atomic
def _backdate(counters) -> None:
    """Registration times as they were (the services stamp "now" on subscribers/accounts)."""
    for counter in counters:
        for order, moment in counter.backdate:
            Subscriber.objects.filter(pk=order.subscriber_id, created_at__gt=moment).update(
                created_at=moment)
            for model, pk in ((BroadbandAccount, order.broadband_id),
                              (LandlineAccount, order.landline_id)):
                if pk:
                    model.objects.filter(pk=pk).update(created_at=moment)
