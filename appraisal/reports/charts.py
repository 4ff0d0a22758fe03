"""Small server-rendered SVG charts: horizontal bars, columns with a rate line, a line.

The page (and the PDF, through WeasyPrint) gets plain inline SVG: no script, no style
attribute (the Content-Security-Policy refuses both), colours as SVG presentation
attributes so a chart prints the same without the page's CSS. Every mark can link to the
list behind it (``href``), and the chart carries a ``<title>`` and an aria-label; the
numbers are printed on the marks, so a black-and-white print still reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

BLUE = "#2f6fb3"
GREEN = "#2e8b57"
RED = "#c0392b"
GREY = "#6c757d"
LIGHT = "#dee2e6"
FONT = "Noto Sans SC, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | Decimal | None
    href: str = ""
    display: str = ""  # the printed value (default: the number)


@dataclass(frozen=True)
class Point:
    label: str
    value: float | int | Decimal | None
    href: str = ""
    display: str = ""


def _num(value) -> float:
    return float(value or 0)


def _fmt(bar) -> str:
    if bar.display:
        return bar.display
    value = bar.value
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _link(href: str, inner: str, name: str = "") -> str:
    """``inner`` as a link; ``name`` is what a screen reader says for it (the mark's
    category and value, as a bar's label is printed outside its link)."""
    if not href:
        return inner
    if name:
        return format_html('<a href="{}" aria-label="{}">', href, name) + inner + "</a>"
    return format_html('<a href="{}">', href) + inner + "</a>"


def _text(x, y, text, *, anchor="start", size=11, fill="#212529", weight="normal",
          cls="label") -> str:
    # format_html's markup, escaped by the standard library (hundreds of labels a page:
    # Django's lazy-aware escape of nine arguments each cost more than the chart).
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{escape(str(anchor))}" '
            f'font-size="{escape(str(size))}" font-family="{escape(FONT)}" '
            f'fill="{escape(str(fill))}" font-weight="{escape(str(weight))}" '
            f'class="{escape(str(cls))}">{escape(str(text))}</text>')


def _svg(width: int, height: int, title: str, body: list[str], cls: str,
         links: bool = False) -> SafeString:
    """The chart: ``role="img"`` when it is only a picture; a chart whose marks are links
    is a labelled ``group`` instead, because an image's children are presentational and
    a link inside one is out of reach of keyboard and screen reader (axe's
    nested-interactive)."""
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="{r}" aria-label="{t}" class="sd-chart {c}">'
        "<title>{t}</title>", w=width, h=height, t=title, c=cls,
        r="group" if links else "img")
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (parts escaped above)


def _empty(title: str, message: str, width: int = 600) -> SafeString:
    return _svg(width, 40, title, [_text(8, 24, message, fill=GREY)], "sd-chart-empty")


def bar_chart(bars: Sequence[Bar], *, title: str, empty: str = "—", width: int = 600,
              colour: str = BLUE, label_width: int = 150) -> SafeString:
    """Horizontal bars, one row per category, biggest value = full width."""
    if not bars:
        return _empty(title, empty, width)
    row, top = 22, 6
    height = top + row * len(bars) + 6
    top_value = max(_num(b.value) for b in bars) or 1
    span = width - label_width - 70
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row
        length = max(0.0, _num(bar.value) / top_value * span)
        body.append(_text(label_width - 6, y + 15, bar.label[:18], anchor="end"))
        mark = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="bar"/>',
            label_width, f"{y + 3:.1f}", f"{max(length, 1):.1f}", row - 7, colour)
        body.append(_link(bar.href, mark + _text(label_width + length + 5, y + 15, _fmt(bar),
                                                 weight="bold", cls="value"),
                          f"{bar.label}: {_fmt(bar)}"))
    return _svg(width, height, title, body, "sd-chart-bars", any(b.href for b in bars))


def column_chart(columns: Sequence[Bar], *, title: str, rates: Sequence[float | None] = (),
                 target: float | None = None, empty: str = "—", width: int = 720,
                 height: int = 220, colour: str = BLUE, rate_label: str = "%") -> SafeString:
    """Vertical columns (counts, left scale) with an optional line of rates in percent
    (right scale 0–100) and a dashed target line on the rate scale."""
    if not columns:
        return _empty(title, empty, width)
    left, right, top, bottom = 34, 40, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(_num(c.value) for c in columns) or 1
    step = plot_w / len(columns)
    body = [
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" class="axis"/>',
                    left, top + plot_h, left + plot_w, top + plot_h, GREY),
        _text(left - 4, top + 8, _fmt(Bar("", top_value)), anchor="end", size=9, fill=GREY),
        _text(left - 4, top + plot_h, "0", anchor="end", size=9, fill=GREY),
    ]
    label_every = max(1, round(len(columns) / 16))
    for i, column in enumerate(columns):
        x = left + i * step
        h = _num(column.value) / top_value * plot_h
        mark = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="bar"/>',
            f"{x + step * 0.15:.1f}", f"{top + plot_h - h:.1f}", f"{step * 0.7:.1f}",
            f"{h:.1f}", colour)
        if column.value and step >= 14:
            mark += _text(x + step / 2, top + plot_h - h - 2, _fmt(column), anchor="middle",
                          size=8, cls="value")
        body.append(_link(column.href, mark, f"{column.label}: {_fmt(column)}"))
        if i % label_every == 0:
            body.append(_text(x + step / 2, height - 10, column.label, anchor="middle", size=9))
    if rates:
        body.append(_text(width - right + 4, top + 8, "100" + rate_label, size=9, fill=GREEN))
        body.append(_text(width - right + 4, top + plot_h, "0", size=9, fill=GREEN))
        if target is not None:
            y = top + plot_h * (1 - target / 100)
            body.append(format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3" '
                'class="target"/>', left, f"{y:.1f}", left + plot_w, f"{y:.1f}", RED))
        # A day without faults has no rate: the line breaks there instead of bridging it.
        segments, segment = [], []
        for i, r in enumerate(rates):
            if r is None:
                segments.append(segment)
                segment = []
                continue
            point = (left + i * step + step / 2, top + plot_h * (1 - _num(r) / 100))
            segment.append(point)
            body.append(format_html('<circle cx="{}" cy="{}" r="2.5" fill="{}" class="dot"/>',
                                    f"{point[0]:.1f}", f"{point[1]:.1f}", GREEN))
        segments.append(segment)
        body.extend(format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" class="line"/>',
            " ".join(f"{x:.1f},{y:.1f}" for x, y in seg), GREEN)
            for seg in segments if len(seg) > 1)
    return _svg(width, height, title, body, "sd-chart-columns",
                any(c.href for c in columns))


def line_chart(points: Sequence[Point], *, title: str, target: float | None = None,
               empty: str = "—", width: int = 720, height: int = 200, low: float = 0,
               high: float = 100, unit: str = "%") -> SafeString:
    """A line over time (a rate in percent by default) with a dashed target line; months
    without data leave a gap."""
    if not points or all(p.value is None for p in points):
        return _empty(title, empty, width)
    left, right, top, bottom = 40, 16, 14, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points), 1)

    def y_of(value) -> float:
        share = (min(max(_num(value), low), high) - low) / ((high - low) or 1)
        return top + plot_h * (1 - share)

    body = [
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" class="axis"/>',
                    left, top + plot_h, left + plot_w, top + plot_h, GREY),
        _text(left - 4, top + 4, f"{high:g}{unit}", anchor="end", size=9, fill=GREY),
        _text(left - 4, top + plot_h, f"{low:g}{unit}", anchor="end", size=9, fill=GREY),
    ]
    if target is not None:
        y = y_of(target)
        body.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3" '
            'class="target"/>', left, f"{y:.1f}", left + plot_w, f"{y:.1f}", RED))
        body.append(_text(left + plot_w, y - 3, f"{target:g}{unit}", anchor="end", size=9,
                          fill=RED))
    segment: list[str] = []
    segments = []
    for i, point in enumerate(points):
        x = left + i * step + step / 2
        body.append(_text(x, height - 10, point.label, anchor="middle", size=9))
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = y_of(point.value)
        segment.append(f"{x:.1f},{y:.1f}")
        mark = format_html('<circle cx="{}" cy="{}" r="3" fill="{}" class="dot"/>',
                           f"{x:.1f}", f"{y:.1f}", BLUE)
        mark += _text(x, y - 6, _fmt(point), anchor="middle", size=8, cls="value")
        body.append(_link(point.href, mark, f"{point.label}: {_fmt(point)}"))
    if segment:
        segments.append(segment)
    lines = [format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
                         'class="line"/>', " ".join(s), BLUE) for s in segments if len(s) > 1]
    return _svg(width, height, title, lines + body, "sd-chart-line",
                any(p.href for p in points))


__all__ = ["Bar", "Point", "bar_chart", "column_chart", "line_chart"]
