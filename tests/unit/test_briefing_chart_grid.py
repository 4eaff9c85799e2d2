"""The at-a-glance charts: run down two columns when rows would leave a hole under a short chart, in the same
reading order; in rows otherwise."""

from audit_tools.briefing import Chart
from reports.charts import bar_chart_png
from reports.pdf_flowables import chart_grid
from reports.pdf_styles import Palette, make_styles

WIDTH = 230


def _charts(*bars: int) -> list[tuple[Chart, bytes]]:
    charts = [
        Chart(f"Chart {n}", tuple(f"Bar {i}" for i in range(count)), tuple(range(6, 6 + count)))
        for n, count in enumerate(bars)
    ]
    return [
        (chart, bar_chart_png(chart, colour="#1d70b8", width_in=WIDTH / 72, optimize=False, compact=True))
        for chart in charts
    ]


def _titles(cell) -> list[str]:
    return [part.text for part in cell if getattr(part, "text", "").startswith("Chart")]


def test_a_short_chart_beside_a_tall_one_runs_in_columns_in_reading_order():
    table = chart_grid(_charts(2, 8, 4, 6), make_styles(Palette.from_accent("#1d70b8")), WIDTH, 2)
    assert len(table._cellvalues) == 1  # one row: two columns of charts
    left, right = table._cellvalues[0]
    assert _titles(left) + _titles(right) == ["Chart 0", "Chart 1", "Chart 2", "Chart 3"]
    assert _titles(left) == ["Chart 0", "Chart 1"]  # 2 + 8 bars beside 4 + 6: the most even split


def test_charts_of_one_size_stay_in_rows():
    table = chart_grid(_charts(4, 4, 4, 4), make_styles(Palette.from_accent("#1d70b8")), WIDTH, 2)
    assert len(table._cellvalues) == 2
    assert [_titles(cell)[0] for row in table._cellvalues for cell in row] == [
        "Chart 0",
        "Chart 1",
        "Chart 2",
        "Chart 3",
    ]


def test_two_charts_make_one_row_and_an_odd_one_is_padded():
    styles = make_styles(Palette.from_accent("#1d70b8"))
    assert len(chart_grid(_charts(2, 8), styles, WIDTH, 2)._cellvalues) == 1
    assert chart_grid(_charts(3, 3, 3), styles, WIDTH, 2)._cellvalues[-1][-1] == ""
