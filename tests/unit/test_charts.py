"""Bar charts for the briefing: PNG for the PDF, accessible SVG for the web page."""

import ast
import inspect
import io
import re
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from audit_tools.briefing import Chart
from reports import charts
from reports.charts import bar_chart_png, bar_chart_svg
from reports.colours import contrast_ratio, parse_hex, readable_on_white, text_on

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JUDGEMENTS = Chart(
    "Panel judgement of overall practice",
    ("Outstanding", "Good", "Requires improvement", "Inadequate"),
    (0, 3, 2, 1),
    "Number of cases",
)
THEMES = Chart("Most frequent themes", ("Domestic abuse", "Drift and delay"), (7, 4))


def svg_ids(svg: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', svg))


def test_png_has_signature_and_requested_width():
    png = bar_chart_png(JUDGEMENTS, colour="#1d70b8", width_in=3.0)

    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.width == 600  # 3 inches at 200 dpi
    assert image.mode == "RGB"  # opaque: no soft mask in the PDF


def test_png_draws_bars_in_the_given_colour():
    png = bar_chart_png(JUDGEMENTS, colour="#d4351c")

    colours = {colour for _, colour in Image.open(io.BytesIO(png)).getcolors(maxcolors=1_000_000)}
    assert (0xD4, 0x35, 0x1C) in colours


def test_png_height_grows_with_bars_but_is_capped():
    few = Image.open(io.BytesIO(bar_chart_png(THEMES, colour="#1d70b8")))
    many_chart = Chart("Many", tuple(f"Question {i}" for i in range(40)), tuple(range(40)))
    many = Image.open(io.BytesIO(bar_chart_png(many_chart, colour="#1d70b8")))

    assert many.height > few.height
    assert many.height <= 9 * 200


def test_svg_has_title_with_description_and_image_role():
    svg = bar_chart_svg(JUDGEMENTS, colour="#1d70b8")

    assert svg.startswith("<svg")  # no XML prologue: ready to inline in a page
    assert f">{JUDGEMENTS.description}</title>" in svg
    title_id = re.search(r'<title id="([^"]+)"', svg).group(1)
    assert f'aria-labelledby="{title_id}"' in svg
    assert 'role="img"' in svg


def test_svg_is_deterministic_and_ids_do_not_clash_between_charts():
    first = bar_chart_svg(JUDGEMENTS, colour="#1d70b8")
    second = bar_chart_svg(THEMES, colour="#1d70b8")

    assert first == bar_chart_svg(JUDGEMENTS, colour="#1d70b8")
    assert svg_ids(first) and svg_ids(second)
    assert not svg_ids(first) & svg_ids(second)


def test_svg_references_point_at_ids_that_exist():
    svg = bar_chart_svg(JUDGEMENTS, colour="#1d70b8")

    references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
    assert references
    assert references <= svg_ids(svg)


def test_svg_escapes_typed_text_and_does_not_treat_dollars_as_maths():
    chart = Chart("<script>alert(1)</script> & co", ("$5 and $10 vouchers", "a_b^c"), (2, 1))

    svg = bar_chart_svg(chart, colour="#1d70b8")

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert "$5 and $10 vouchers" in svg  # drawn as typed, not as mathtext


@pytest.mark.parametrize("chart", [Chart("Nothing yet", (), ()), Chart("All zero", ("Yes", "No"), (0, 0))])
def test_empty_chart_says_no_data(chart):
    png = bar_chart_png(chart, colour="#1d70b8")
    svg = bar_chart_svg(chart, colour="#1d70b8")

    assert png.startswith(PNG_SIGNATURE)
    assert f'<title id="chart-title-{charts.chart_key(chart, "#1d70b8")}">{chart.title}. No data.</title>' in svg
    assert ">No data<" in svg


def test_mismatched_labels_and_values_and_long_labels_do_not_crash():
    chart = Chart("Odd", ("A" * 5000, "B", "C"), (4, 2))

    assert bar_chart_png(chart, colour="#1d70b8").startswith(PNG_SIGNATURE)


def test_invalid_colour_falls_back_instead_of_raising():
    assert bar_chart_png(THEMES, colour="red; <script>").startswith(PNG_SIGNATURE)


def test_charts_module_never_imports_pyplot():
    source = inspect.getsource(charts)

    assert not re.search(r"^\s*(import matplotlib\.pyplot|from matplotlib(\.pyplot)? import pyplot)", source, re.M)
    assert "FigureCanvasAgg" in source


@pytest.mark.parametrize(
    ("value", "expected"),
    [("#1D70B8", "#1d70b8"), ("fff", "#ffffff"), ("#abc", "#aabbcc"), ("blue", "#1d70b8"), ("", "#1d70b8")],
)
def test_parse_hex(value, expected):
    assert parse_hex(value) == expected


def test_pale_accent_is_darkened_for_text_and_gets_dark_text_on_it():
    pale = "#ffdd00"

    assert contrast_ratio(readable_on_white(pale), "#ffffff") >= 4.5
    assert text_on(pale) != "#ffffff"
    assert text_on("#0b0c0c") == "#ffffff"


# ---------------------------------------------------------------- one lock, one way in to drawing


class RecordingLock:
    """Stands in for charts.DRAWING and says whether it is held."""

    def __init__(self):
        self.held = 0
        self.taken = 0

    def __enter__(self):
        self.held += 1
        self.taken += 1

    def __exit__(self, *exc):
        self.held -= 1


@pytest.mark.parametrize(
    "draw",
    [
        lambda chart: bar_chart_png(chart, colour="#1d70b8"),
        lambda chart: bar_chart_svg(chart, colour="#1d70b8", unit="%"),
    ],
    ids=["png", "svg"],
)
def test_every_chart_is_drawn_under_the_one_lock(monkeypatch, draw):
    lock, drawn_under = RecordingLock(), []
    real_draw = charts._draw

    def watched(*args, **kwargs):
        drawn_under.append(lock.held)
        return real_draw(*args, **kwargs)

    monkeypatch.setattr(charts, "DRAWING", lock)
    monkeypatch.setattr(charts, "_draw", watched)
    draw(JUDGEMENTS)
    assert drawn_under == [1] and lock.taken == 1 and lock.held == 0


def _source_files():
    root = Path(charts.__file__).resolve().parents[1]
    for folder in ("audit_app", "audit_tools", "reports"):
        yield from (root / folder).rglob("*.py")


def test_only_reports_charts_draws_with_matplotlib():
    """Every chart (analysis page, briefing page, PDF, command line) goes through reports/charts.py's
    _drawing: no other module sets matplotlib's settings or draws a figure."""
    drawing = re.compile(r"rc_context|rcParams|matplotlib\.use|\bFigure\(|FigureCanvas|savefig|pyplot")
    elsewhere = [
        str(path)
        for path in _source_files()
        if path.name != "charts.py" and drawing.search(path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call) and getattr(item.context_expr.func, "id", "") == "_drawing"
            for item in node.items
        ):
            inside.update(id(child) for child in ast.walk(node))
    draws = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", "") == "_draw" or getattr(node.func, "attr", "") in ("draw", "savefig"))
    ]
    assert draws and all(id(node) in inside for node in draws)


@pytest.mark.parametrize("compact", [True, False])
def test_wrapped_bar_labels_never_overlap_their_neighbours(compact):
    """Regression: in the printed briefing (compact), a three-line label ran into the two-line labels beside it
    ("… the whole family" touched "Planning, progress and drift", reading as one sentence): between two labels
    there must be a clear gap, a third of a line at least."""
    labels = (
        "Recognising and assessing neglect",
        "The child's lived experience and voice",
        "Family circumstances and contributory factors",
        "Working with parents, fathers and the whole family",
        "Planning, progress and drift",
        "Working together",
        "Housing problems (poor condition, overcrowding, insecure tenancy)",
        "Parental drug or alcohol misuse",
    )
    chart = Chart("Practice by section", labels, tuple(range(71, 55, -2)), "Per cent of the best score")
    pairs = list(zip(chart.labels, chart.values, strict=True))
    with charts._drawing(chart, "#1d70b8"):
        figure = charts._draw(chart, "#1d70b8", 3.3, charts._fitting_height(pairs, compact=compact))
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        boxes = [label.get_window_extent(renderer) for label in figure.axes[0].get_yticklabels()]
    assert len(boxes) == len(labels)
    line = 8.5 * 1.2 / 72 * 200  # one line of a label at 8.5 pt, in pixels at 200 dpi
    for upper, lower in zip(boxes, boxes[1:], strict=False):  # y inverted: each label sits above the next
        assert upper.y0 - lower.y1 >= line / 3, (upper, lower)
