"""Reads the appraisal pages share: the month ranking, a person's trend, the detail page."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import Rank

from appraisal.models import Scorecard, ScorecardState


def month_ranking(queryset, month: date):
    return (queryset.filter(month=month)
            .select_related("staff", "service_point")
            .annotate(rank=Window(Rank(), order_by=F("total").desc()))
            .order_by("-total", "staff__username"))


def scorecard_for_page(queryset):
    return queryset.select_related("staff", "service_point", "signed_by", "template")


def lines_by_category(card) -> list[dict]:
    groups: OrderedDict[str, dict] = OrderedDict()
    for line in card.lines.all():
        group = groups.setdefault(line.category_code, {
            "name": line.category_name, "weight": line.category_weight, "lines": [],
            "score": Decimal(0), "max": Decimal(0)})
        group["lines"].append(line)
    from appraisal.services import category_scores

    scores = category_scores(card.lines.all(), card.scheme)
    for code, group in groups.items():
        group["score"] = scores.get(code)
    return list(groups.values())


def trend(staff, *, until: date, months: int = 12, include_drafts: bool = False) -> dict:
    """The person's last ``months`` monthly totals (as % of the maximum) for the chart."""
    first = until.replace(day=1)
    y, m = first.year, first.month - (months - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    start = date(y, m, 1)
    qs = Scorecard.objects.filter(staff=staff, month__gte=start, month__lte=first)
    if not include_drafts:
        qs = qs.exclude(state=ScorecardState.DRAFT)
    values = {row["month"]: row for row in qs.values("month", "total", "max_total", "pk")}
    width, height, pad = 480, 140, 24
    step = (width - 2 * pad) / (months - 1)
    points, labels = [], []
    cur = start
    for i in range(months):
        x = pad + i * step
        row = values.get(cur)
        labels.append({"x": round(x, 1), "text": f"{cur.month}月"})
        if row:
            pct = row["total"] * 100 / row["max_total"] if row["max_total"] else Decimal(0)
            yv = height - pad - float(pct) / 100 * (height - 2 * pad)
            points.append({"x": round(x, 1), "y": round(yv, 1), "value": row["total"],
                           "month": cur, "pk": row["pk"]})
        cur = date(cur.year + 1, 1, 1) if cur.month == 12 else date(cur.year, cur.month + 1, 1)
    grid = [{"y": round(height - pad - p / 100 * (height - 2 * pad), 1), "label": p}
            for p in (0, 50, 100)]
    return {
        "width": width, "height": height, "points": points, "labels": labels, "grid": grid,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "label_y": height - 6,
    }
