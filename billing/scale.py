"""Scale data of the counter's money (``manage.py generate_scale_data``).

Every payment the register implies, in date order: the first payment of each account on
its acceptance day (no service before payment), a broadband renewal at each term (a
monthly plan is paid three months at a time at the counter), a landline top-up every four
months; ≈3.3 receipts a subscriber over the two years. Receipts are numbered without gaps
per service point's book in that order, one line each, 0.5% voided with a reason. Then
the clerks' daily closes are made from the receipts in one ``INSERT … SELECT`` (per clerk
and day, by payment method; 5% after 19:00, 1% of clerk days never closed, today not yet).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from billing.models import DailyClose, Receipt, ReceiptBook, ReceiptLine
from servicedesk.scale import ScaleContext, business_time, generator

METHODS = (("cash", 0.45), ("wechat", 0.30), ("alipay", 0.15), ("card", 0.10))
VOID_REASONS = ("金额填错", "客户改主意换套餐", "重复收款", "账号填错")

PAYMENTS_SQL = """
    SELECT day, service_point_id, subscriber_id, name, service, reference, amount,
           day = accepted_on AS first_payment
      FROM (
        SELECT gs::date AS day, a.service_point_id, a.subscriber_id, s.name, 'bb' AS service,
               a.account_name AS reference,
               round(p.price * GREATEST(p.months, 3) / p.months, 2) AS amount, a.accepted_on,
               a.id
          FROM accounts_broadbandaccount a
          JOIN accounts_broadbandplan p ON p.id = a.plan_id
          JOIN accounts_subscriber s ON s.id = a.subscriber_id
         CROSS JOIN LATERAL generate_series(
               a.accepted_on,
               LEAST(COALESCE(a.expires_on, %(as_of)s), %(as_of)s) - 1,
               make_interval(months => GREATEST(p.months, 3))) gs
        UNION ALL
        SELECT gs::date, l.service_point_id, l.subscriber_id, s.name, 'll', l.phone_number,
               CASE WHEN l.id %% 3 = 0 THEN 100 ELSE 50 END, l.accepted_on, l.id
          FROM accounts_landlineaccount l
          JOIN accounts_subscriber s ON s.id = l.subscriber_id
         CROSS JOIN LATERAL generate_series(l.accepted_on, %(as_of)s - 1,
                                            interval '4 months') gs
      ) payments
     WHERE amount > 0
     ORDER BY day, service_point_id, service, id
"""

CLOSES_SQL = """
    INSERT INTO billing_dailyclose (
        service_point_id, clerk_id, day, closed_at, receipt_count, cash_total, card_total,
        wechat_total, alipay_total, total, void_count, void_total, stubs, expected_cash,
        counted_cash, difference, explanation, is_late)
    SELECT min(r.service_point_id), r.issued_by_id, r.issued_on,
           (r.issued_on + CASE WHEN (r.issued_by_id * 31 + extract(doy FROM r.issued_on)::int)
                                    %% 20 = 0
                               THEN time '19:25' ELSE time '18:40' END)
               AT TIME ZONE 'Asia/Shanghai',
           count(*) FILTER (WHERE r.status = 'issued'),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'
                                         AND r.payment_method = 'cash'), 0),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'
                                         AND r.payment_method = 'card'), 0),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'
                                         AND r.payment_method = 'wechat'), 0),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'
                                         AND r.payment_method = 'alipay'), 0),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'), 0),
           count(*) FILTER (WHERE r.status = 'void'),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'void'), 0),
           min(r.number)::text || '–' || max(r.number)::text,
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'
                                         AND r.payment_method = 'cash'), 0),
           coalesce(sum(r.total) FILTER (WHERE r.status = 'issued'
                                         AND r.payment_method = 'cash'), 0),
           0, '',
           (r.issued_by_id * 31 + extract(doy FROM r.issued_on)::int) %% 20 = 0
      FROM billing_receipt r
     WHERE r.issued_on < %(as_of)s
     GROUP BY r.issued_by_id, r.issued_on
    HAVING (r.issued_by_id * 7 + extract(doy FROM r.issued_on)::int) %% 100 <> 0
"""


def _method(rng) -> str:
    u = rng.random()
    for value, share in METHODS:
        if u < share:
            return value
        u -= share
    return METHODS[0][0]


@generator(fills=[ReceiptBook, Receipt, ReceiptLine, DailyClose])
def generate(ctx: ScaleContext) -> str:
    rng = ctx.random("billing")
    staff = ctx.data["staff"]
    clerks, managers = staff["clerk"], staff["manager"]
    points = {p.id: p for p in ctx.data["service_points"]}
    numbers: dict[int, int] = {}
    receipt_id = 0
    progress = ctx.progress("receipts", ctx.scaled(3.3, minimum=1), "receipts")
    with ctx.loader() as loader:
        add_receipt = loader.register(Receipt, [
            "id", "book_id", "number", "service_point_id", "issued_on", "issued_at",
            "issued_by_id", "subscriber_id", "payer_name", "purpose", "reference",
            "payment_method", "payment_reference", "total", "status", "voided_at",
            "voided_by_id", "void_reason"])
        add_line = loader.register(ReceiptLine, [
            "receipt_id", "position", "code", "description", "quantity", "unit_price",
            "amount"])
        for (day, point, subscriber, name, service, reference, amount,
             first) in ctx.stream(PAYMENTS_SQL, {"as_of": ctx.as_of}):
            receipt_id += 1
            number = numbers[point] = numbers.get(point, 0) + 1
            ids = clerks.get(point) or managers
            clerk = ids[int(rng.random() * len(ids))]
            issued = business_time(day, rng.random())
            void = rng.random() < 0.005
            if service == "bb":
                purpose = "install" if first else "renewal"
                text = "宽带新装" if first else "宽带续费"
            else:
                purpose = "install" if first else "top_up"
                text = "固话开户预存" if first else "固话话费充值"
            amount = Decimal(amount)
            add_receipt((
                receipt_id, point, number, point, day, issued, clerk, subscriber, name,
                purpose, reference, _method(rng), "", amount, "void" if void else "issued",
                issued + timedelta(minutes=8) if void else None, clerk if void else None,
                VOID_REASONS[int(rng.random() * len(VOID_REASONS))] if void else ""))
            add_line((receipt_id, 1, purpose, text, 1, amount, amount))
            if loader.full():
                rows = loader.flush()
                progress.advance(rows // 2, rows)
    progress.finish()
    # One open book per service point (book id = service point id), numbered as used.
    ctx.copy(ReceiptBook, ["id", "service_point_id", "series", "first_number", "last_number",
                           "next_number", "opened_at", "opened_by_id", "close_note"],
             [(pid, pid, f"{p.code.upper()}{ctx.start:%y}A", 1, 9_999_999,
               numbers.get(pid, 0) + 1, ctx.start, (managers or [None])[0], "")
              for pid, p in points.items()])
    with ctx.connection.cursor() as cursor:
        cursor.execute(CLOSES_SQL, {"as_of": ctx.as_of})
        closes = cursor.rowcount
    ctx.record(DailyClose, closes)
    ctx.ids["billing.Receipt"] = range(1, receipt_id + 1)
    return f"{receipt_id:,} receipts, {closes:,} daily closes"
