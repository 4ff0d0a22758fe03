"""Demo data of the call desk: five weeks of faults, complaints and cases in every state.

The reference lists come from ``fixtures/calldesk_reference.json`` (fault causes,
complaint root causes, maintenance offices, the Telecom 180 and test desks with their
reply numbers); on a real installation load them once with
``manage.py loaddata calldesk_reference`` and let a manager keep them.

Every ticket goes through the real services, each step run at its simulated moment (the
clock is set with ``_clock``), so the status-change rows, callbacks, hand-overs and
deadlines look as in real use. Deterministic (``random.Random(seed)``) and idempotent:
when the desk already has faults, only the reference lists are refreshed.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import BroadbandAccount, Carrier, LandlineAccount
from servicedesk.models import User
from tickets.models.calldesk import (
    CallbackOutcome,
    CarrierDesk,
    ComplaintChannel,
    ComplaintKind,
    ComplaintRootCause,
    Fault,
    FaultCause,
    FaultServiceType,
    FaultSource,
    MaintenanceOffice,
    Satisfaction,
    Urgency,
)
from tickets.services import calldesk as services

DAYS = 35
FAULT_TEXTS = {
    "broadband": ["上不了网,光猫 LOS 灯红", "网速很慢,晚上经常掉线", "无线路由器连不上",
                  "拨号提示 691 错误", "网线口灯不亮", "看视频卡顿,测速只有 1M"],
    "landline": ["电话无拨号音", "打出去对方听不见", "电话有杂音", "来电不响铃",
                 "拨外地号码打不通", "话机显示线路故障"],
}
COMPLAINTS = [
    (ComplaintKind.SERVICE_QUALITY, "报修两天了还没人来修,耽误工作"),
    (ComplaintKind.STAFF_ATTITUDE, "营业员办理业务时态度冷淡,解释不耐烦"),
    (ComplaintKind.EQUIPMENT, "楼道里的光交箱门坏了,线缆裸露"),
    (ComplaintKind.SERVICE_QUALITY, "宽带到期没有提前通知就停了"),
    (ComplaintKind.INCIDENT, "施工把小区绿化带挖坏了没有恢复"),
    (ComplaintKind.STAFF_ATTITUDE, "装维师傅上门迟到一个多小时,也没有打电话"),
    (ComplaintKind.SERVICE_QUALITY, "话费扣得比套餐说明的多"),
]
QUESTIONS = [
    "包年宽带到期后能否改成 50M", "固话能不能开通国际长途", "搬到同小区另一栋楼怎么办理",
    "发票什么时候可以开", "联通固话余额怎么查询", "路由器设置能不能上门",
]
CALLERS = ["王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士", "赵先生", "周女士"]


@contextmanager
def _clock(moment: datetime):
    """Run the services as if it were ``moment`` (their checks and defaults read now())."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class _Desk:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.agents = list(User.objects.filter(username__in=["agent", "agent2"]))
        self.manager = User.objects.filter(username="manager").first()
        self.installers = list(User.objects.filter(groups__name="installer", is_active=True))
        self.staff = list(User.objects.filter(username__in=["clerk", "clerk_qj", "installer"]))
        self.offices = list(MaintenanceOffice.objects.filter(is_active=True)
                            .prefetch_related("service_points"))
        self.causes = list(FaultCause.objects.filter(is_active=True))
        self.root_causes = list(ComplaintRootCause.objects.filter(is_active=True))
        self.broadband = list(BroadbandAccount.objects.filter(state="active")
                              .select_related("subscriber", "premises__service_point",
                                              "service_point", "carrier"))
        self.landlines = list(LandlineAccount.objects.filter(state="active")
                              .select_related("subscriber", "premises__service_point",
                                              "service_point", "carrier"))
        self.busy: set[tuple[str, int]] = set()  # accounts with an open fault
        self.counts = {"faults": 0, "complaints": 0, "cases": 0}

    def agent(self):
        return self.rng.choice(self.agents)

    def later(self, moment, low_minutes, high_minutes):
        step = timedelta(minutes=self.rng.randint(low_minutes, high_minutes))
        return min(moment + step, self.now - timedelta(minutes=1))

    # --- faults ---------------------------------------------------------------------

    def account(self, telecom_only=False):
        for _attempt in range(20):
            pool = self.broadband if self.rng.random() < 0.65 else self.landlines
            if telecom_only:
                pool = [a for a in pool if a.carrier.code == "telecom"] or pool
            account = self.rng.choice(pool)
            key = (account.service, account.pk)
            if key not in self.busy:
                return account
        return None

    def office_for(self, fault):
        for office in self.offices:
            if any(sp.pk == fault.service_point_id for sp in office.service_points.all()):
                return office
        return self.offices[-1]

    def fault(self, reported_at: datetime):
        rng = self.rng
        roll = rng.random()
        source = (FaultSource.CUSTOMER if roll < 0.7 else
                  FaultSource.TELECOM_180 if roll < 0.9 else FaultSource.TELECOM_TEST_DESK)
        agent = self.agent()
        typed = source != FaultSource.CUSTOMER and rng.random() < 0.4
        account = None if typed else self.account(telecom_only=source != FaultSource.CUSTOMER)
        if account is None and not typed:
            return
        kind = account.service if account else FaultServiceType.LANDLINE
        with _clock(reported_at):
            fault = services.fault_report(
                user=agent, source=source, account=account,
                description=rng.choice(FAULT_TEXTS[kind]),
                service_type=kind,
                service_number="" if account else f"8883{rng.randrange(10**4):04d}",
                address="" if account else f"金辉社区 {rng.randint(1, 30)}#-{rng.randint(1, 4)}-"
                                           f"{rng.randint(1, 30)}0{rng.randint(1, 4)}",
                contact_phone="" if account else f"139{rng.randrange(10**8):08d}",
                reported_by=rng.choice(["", "用户本人", "家属"]) if not typed
                else rng.choice(["180 王工", "测量台 刘工", "180 赵工"]),
            )
        self.counts["faults"] += 1
        if account is not None:
            self.busy.add((account.service, account.pk))
        age = self.now - reported_at
        self.run_fault(fault, age)
        if fault.state in ("closed", "cancelled") and account is not None:
            self.busy.discard((account.service, account.pk))

    def run_fault(self, fault, age):
        rng = self.rng
        agent = fault.received_by
        if rng.random() < 0.02:
            with _clock(self.later(fault.reported_at, 2, 20)):
                services.fault_cancel(user=agent, fault=fault, reason="用户重复报修,已合并处理")
            fault.state = "cancelled"
            return
        # Recent ones stop part-way, so every state shows up on the desk.
        stop = rng.random()
        if age < timedelta(hours=4) and stop < 0.6:
            return
        at = self.later(fault.reported_at, 5, 60)
        fault = self.dispatch(fault, at)
        if age < timedelta(hours=40) and stop < 0.5:  # some run past the 12 hours
            self.maybe_hand_over(fault, at, 3)
            return
        late = rng.random() < 0.12  # some repairs miss the 12 hours
        at = self.later(at, 60 * 12 + 30 if late else 40, 60 * 20 if late else 60 * 10)
        if at >= self.now - timedelta(minutes=2):
            return
        fault = self.fix(fault, at)
        if age < timedelta(hours=40) and stop < 0.65:
            return
        at = self.later(at, 30, 60 * 5)
        if rng.random() < 0.15:  # × the customer says it still does not work
            with _clock(at):
                fault = services.fault_callback_record(
                    user=self.agent(), fault=fault, passed=False,
                    note=rng.choice(["还是上不了网", "仍然有杂音", "修了半天又断了"]))
            if age < timedelta(hours=36) and stop < 0.8:
                return
            at = self.later(at, 10, 90)
            fault = self.dispatch(fault, at)
            at = self.later(at, 60, 60 * 6)
            fault = self.fix(fault, at)
            at = self.later(at, 30, 60 * 3)
        if age < timedelta(hours=30) and stop < 0.75:
            return
        with _clock(at):
            fault = services.fault_callback_record(
                user=self.agent(), fault=fault, passed=True,
                satisfaction=rng.choices(Satisfaction.values, [40, 45, 10, 5])[0],
                note=rng.choice(["", "用户表示已正常", "已恢复,用户满意"]))
        if fault.is_carrier_fault and not (age < timedelta(days=2) and stop < 0.9):
            with _clock(self.later(at, 5, 90)):
                fault = services.fault_carrier_reply(user=self.agent(), fault=fault,
                                                     note="已告知值班员")

    def maybe_hand_over(self, matter, at, every):
        """首问负责制: now and then (every n-th time) the owner hands an open matter over."""
        self.counts["hand_over_chances"] = self.counts.get("hand_over_chances", 0) + 1
        others = [a for a in self.agents if a.pk != matter.owner_id]
        if others and self.counts["hand_over_chances"] % every == 0:
            with _clock(self.later(at, 1, 30)):
                services.matter_hand_over(user=matter.owner, matter=matter,
                                          to_user=others[0], note="下班交接,请继续跟进")

    def dispatch(self, fault, at):
        rng = self.rng
        installer = next((i for i in self.installers
                          if i.service_point_id == fault.service_point_id), None)
        with _clock(at):
            return services.fault_dispatch(
                user=fault.owner, fault=fault, maintenance_office=self.office_for(fault),
                repairer=installer if installer and rng.random() < 0.8 else None,
                repairer_name="" if installer else rng.choice(["电信 马师傅", "李工"]))

    def fix(self, fault, at):
        with _clock(at):
            return services.fault_fix(user=fault.repairer or fault.owner, fault=fault,
                                      cause=self.rng.choice(self.causes),
                                      note=self.rng.choice(["", "更换水晶头", "重启光猫",
                                                            "重新熔接"]))

    # --- complaints and cases ---------------------------------------------------------

    def complaint(self, received_at, primary=None):
        rng = self.rng
        kind, text = (primary.kind, primary.description) if primary else rng.choice(COMPLAINTS)
        account = rng.choice(self.broadband + self.landlines)
        subscriber = account.subscriber
        against = rng.choice(self.staff) if kind == ComplaintKind.STAFF_ATTITUDE else None
        agent = self.agent()
        with _clock(received_at):
            complaint = services.complaint_register(
                user=agent, channel=rng.choice(ComplaintChannel.values), kind=kind,
                urgency=rng.choices(Urgency.values, [1, 3, 8, 4])[0], description=text,
                complainant_name="", complainant_phone="", subscriber=subscriber,
                against_staff=against)
        self.counts["complaints"] += 1
        if primary is not None:
            with _clock(self.later(received_at, 5, 30)):
                return services.complaint_merge(user=agent, complaint=complaint, into=primary,
                                                 note="同一事项")
        age = self.now - received_at
        stop = rng.random()
        if age < timedelta(hours=6) and stop < 0.6:
            return complaint
        late_contact = rng.random() < 0.15
        at = self.later(received_at, 70 if late_contact else 5, 180 if late_contact else 40)
        with _clock(at):
            complaint = services.complaint_contact(user=agent, complaint=complaint,
                                                   note="已电话联系用户,说明处理安排")
        if rng.random() < 0.1:
            with _clock(self.later(at, 10, 60)):
                complaint = services.complaint_reschedule(
                    user=agent, complaint=complaint,
                    new_due=complaint.answer_due + timedelta(days=2),
                    reason="需要电信配合排查,与用户约定延期两天")
        if age < timedelta(days=3) and stop < 0.6:
            self.maybe_hand_over(complaint, at, 4)
            return complaint
        at = self.later(at, 60, 60 * (60 if rng.random() < 0.15 else 40))
        substantiated = rng.random() < 0.5
        with _clock(at):
            complaint = services.complaint_handle(
                user=agent, complaint=complaint, substantiated=substantiated,
                root_cause=rng.choice(self.root_causes),
                result=("经核实已处理,并向用户致歉" if substantiated
                        else "经核实非我方原因,已向用户解释"))
        if age < timedelta(days=5) and stop < 0.7:
            return complaint
        at = self.later(at, 60, 60 * 70)
        outcome = rng.choices(CallbackOutcome.values, [70, 10, 20])[0]
        with _clock(at):
            complaint = services.complaint_callback_record(
                user=agent, complaint=complaint, outcome=outcome,
                satisfaction=rng.choice(["very_satisfied", "satisfied", "neutral"])
                if outcome == CallbackOutcome.SATISFIED else "",
                note="用户仍希望上级领导回复" if outcome == CallbackOutcome.DISSATISFIED else "")
        if outcome == CallbackOutcome.DISSATISFIED and age > timedelta(days=8):
            # the manager called back; the customer accepted the second answer
            at = self.later(at, 60 * 4, 60 * 30)
            with _clock(at):
                complaint = services.complaint_handle(
                    user=agent, complaint=complaint, substantiated=substantiated,
                    root_cause=complaint.root_cause, result="经理回电说明并致歉")
            with _clock(self.later(at, 60, 60 * 24)):
                complaint = services.complaint_callback_record(
                    user=agent, complaint=complaint, outcome=CallbackOutcome.SATISFIED,
                    satisfaction="satisfied")
        return complaint

    def inquiry(self, received_at):
        rng = self.rng
        # The service points take turns (by code), so each point's staff has cases to open.
        accounts = self.broadband + self.landlines
        codes = sorted({a.service_point.code for a in accounts})
        code = codes[self.counts["cases"] % len(codes)]
        account = rng.choice([a for a in accounts if a.service_point.code == code])
        with _clock(received_at):
            inquiry = services.inquiry_open(
                user=self.agent(), caller_name="", phone="", subscriber=account.subscriber,
                question=rng.choice(QUESTIONS))
        self.counts["cases"] += 1
        answer_after = timedelta(hours=rng.randint(2, 90))
        if received_at + answer_after < self.now - timedelta(hours=1):
            with _clock(received_at + answer_after):
                services.inquiry_answer(user=inquiry.owner, inquiry=inquiry,
                                        answer="已回电答复用户,用户表示明白",
                                        satisfaction=rng.choice(["", "satisfied"]))


def _moment(rng, day, now):
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 20),
                                                            rng.randint(0, 59))))
    return min(moment, now - timedelta(minutes=rng.randint(5, 120)))


def load(*, seed: int, stdout=None) -> str:
    call_command("loaddata", "calldesk_reference", verbosity=0)
    telecom = Carrier.objects.filter(code="telecom").first()
    if telecom:
        CarrierDesk.objects.filter(carrier__isnull=True).update(carrier=telecom)
    if Fault.objects.exists():
        return f"reference lists; {Fault.objects.count()} faults already on file"
    rng = random.Random(seed)
    now = timezone.now()
    desk = _Desk(rng, now)
    if not desk.agents or not desk.causes or not (desk.broadband or desk.landlines):
        return "reference lists only (agents or accounts missing)"
    today = timezone.localdate()
    skipped = 0
    for days_ago in range(DAYS, -1, -1):
        day = today - timedelta(days=days_ago)
        if days_ago:
            moments = sorted(_moment(rng, day, now) for _ in range(rng.randint(4, 8)))
        else:  # the last hours before now, whatever the time of day: a desk in progress
            moments = sorted(now - timedelta(minutes=rng.randint(5, 360))
                             for _ in range(rng.randint(6, 9)))
        for moment in moments:
            try:
                desk.fault(moment)
            except ValidationError:
                skipped += 1
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            try:
                complaint = desk.complaint(_moment(rng, day, now))
                # now and then the same complaint comes from a neighbour too
                if complaint.state != "closed" and desk.counts["complaints"] % 5 == 0:
                    desk.complaint(desk.later(complaint.received_at, 30, 240),
                                   primary=complaint)
            except ValidationError:
                skipped += 1
        if rng.random() < 0.7:
            desk.inquiry(_moment(rng, day, now))
    settled = services.close_settled_complaints(now=now)
    counts = desk.counts
    return (f"{counts['faults']} faults, {counts['complaints']} complaints "
            f"({settled} closed a week after handling), {counts['cases']} cases"
            + (f", {skipped} skipped" if skipped else ""))
