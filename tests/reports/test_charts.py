"""The SVG charts: readable without CSS or script, labels escaped, links kept."""

from decimal import Decimal

from appraisal.reports import charts


def test_bars_print_their_values_and_escape_labels():
    svg = charts.bar_chart([charts.Bar("<b>入户线路</b>", 12, "/tickets/faults/?cause=1"),
                            charts.Bar("光猫", Decimal("3.50"))], title="Causes & more")
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'href="/tickets/faults/?cause=1"' in svg and ">12</text>" in svg and ">3.50<" in svg
    assert "style=" not in svg and "<script" not in svg
    assert "<title>Causes &amp; more</title>" in svg


def test_columns_break_the_rate_line_on_days_without_data():
    svg = charts.column_chart([charts.Bar("1", 2), charts.Bar("2", 0), charts.Bar("3", 4)],
                              rates=[50.0, None, 100.0], target=100, title="Faults")
    assert svg.count("<polyline") == 0  # two one-point segments: dots, no line across
    assert svg.count('class="dot"') == 2 and 'class="target"' in svg


def test_line_and_empty_charts():
    svg = charts.line_chart([charts.Point("10", None), charts.Point("11", 71.4)],
                            title="Satisfaction", target=90)
    assert ">71.4</text>" in svg and 'stroke-dasharray="4 3"' in svg
    empty = charts.bar_chart([], title="Takings", empty="No takings.")
    assert "No takings." in empty and "<rect" not in empty
