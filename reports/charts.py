"""Horizontal bar charts for the briefing, drawn with matplotlib's object API.

``pyplot`` keeps global state and is not safe in a web process, so every chart is
a fresh ``Figure`` on an Agg canvas inside its own ``rc_context``. ``rc_context`` changes
matplotlib's process-wide settings for as long as it lasts, so every chart, wherever it is
drawn (analysis page, briefing page, PDF, command line), is drawn inside ``_drawing``, which
holds the one ``DRAWING`` lock: two requests drawing at once cannot spoil each other's charts.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from audit_tools.analysis import Prevalence, QuestionAnalysis, QuestionSummary
from audit_tools.briefing import Chart
from audit_tools.returns import ToolScores
from reports.colours import TEXT_DARK, parse_hex, readable_on_white

MUTED = "#505a5f"
NO_DATA = "No data"
_LABEL_WIDTH = 24  # characters per wrapped bar label line
_LABEL_LINES = 3
_LINE_IN = 8.5 * 1.2 / 72  # one line of a bar's label (8.5 pt type), in inches
_GAP = 0.4  # the least space between two bars' labels, in lines
_LEAST_STEP = 1.6  # the least distance between two bars, in lines (the bars are a line thick)
_MAX_HEIGHT_IN = 9.0
_DPI = 200
_BASE_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "text.parse_math": False,  # labels are typed by people: "$5" is not mathematics
    "svg.fonttype": "none",
    "axes.unicode_minus": False,
}
# matplotlib's settings are global to the process: held while any chart is drawn (the app also holds
# it around a whole briefing PDF, whose reportlab fonts and settings are process-wide). Re-entrant.
DRAWING = threading.RLock()


def bar_chart_png(
    chart: Chart,
    *,
    colour: str,
    width_in: float = 3.3,
    height_in: float | None = None,
    optimize: bool = True,
    compact: bool = False,
) -> bytes:
    """Draw ``chart`` as an opaque PNG at 200 dpi; ``height_in`` defaults to fit the bars (closer together
    when ``compact``, as in the printed briefing).

    ``optimize=False`` skips PIL's search for the smallest file, for a PNG that is only
    decoded again at once (the briefing PDF re-encodes every image anyway).
    """
    with _drawing(chart, colour):
        pairs = list(zip(chart.labels, chart.values, strict=False))
        height = height_in or (_fitting_height(pairs, compact=True) if compact else None)
        canvas = FigureCanvasAgg(_draw(chart, colour, width_in, height))
        canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's backend_agg is not annotated
    # Opaque RGB: no soft mask in the PDF, smaller files, same pixels on white paper (buffer_rgba: not annotated).
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")  # type: ignore[no-untyped-call]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(_DPI, _DPI), optimize=optimize)
    return buffer.getvalue()


def bar_chart_svg(chart: Chart, *, colour: str, unit: str = "") -> str:
    """Draw ``chart`` as inline-ready SVG text with a ``<title>`` giving its description.

    ``unit`` follows each bar's number, e.g. "%" for percentages.

    Element ids are salted with a digest of the chart, so two different charts can
    sit in one web page without id clashes and the same chart always gives the same
    text.
    """
    with _drawing(chart, colour):
        figure = _draw(chart, colour, 5.5, None, unit)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible_svg(buffer.getvalue(), alt_text(chart), chart_key(chart, colour))


def alt_text(chart: Chart) -> str:
    """The chart's text alternative, also when it has nothing to show."""
    if _is_empty(chart):
        return f"{chart.title}. {NO_DATA}."
    return chart.description


def chart_key(chart: Chart, colour: str) -> str:
    """A short stable digest of a chart, used to make its SVG ids unique."""
    text = repr((chart.title, chart.labels, chart.values, chart.value_label, colour))
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


@contextmanager
def _drawing(chart: Chart, colour: str) -> Iterator[None]:
    """The one way in to drawing a chart: under the ``DRAWING`` lock, with the chart's own settings."""
    key = chart_key(chart, colour)
    settings = dict(_BASE_RC, **{"svg.hashsalt": key, "svg.id": f"chart-{key}"})
    with DRAWING, matplotlib.rc_context(cast("dict[Any, Any]", settings)):  # its keys typed as a Literal of every name
        yield


def _is_empty(chart: Chart) -> bool:
    return not any(value for _, value in zip(chart.labels, chart.values, strict=False))


def _draw(chart: Chart, colour: str, width_in: float, height_in: float | None, unit: str = "") -> Figure:
    pairs = list(zip(chart.labels, chart.values, strict=False))
    height = height_in or _fitting_height(pairs)
    figure = Figure(figsize=(width_in, height), dpi=_DPI, layout="constrained")
    axes = figure.add_subplot()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        if _is_empty(chart):
            _draw_no_data(axes)
        else:
            _draw_bars(axes, pairs, readable_on_white(parse_hex(colour), 3.0), chart.value_label, unit)
    return figure


def _fitting_height(pairs: list[tuple[str, int]], *, compact: bool = False) -> float:
    lines = sum(_label_lines(label) for label, _ in pairs)
    if compact:  # the bars' span, each line of a label at its own height, and the axis below
        return min(_MAX_HEIGHT_IN, 0.55 + 1.05 * _LINE_IN * _span(pairs))
    return min(_MAX_HEIGHT_IN, 0.75 + 0.2 * lines + 0.12 * len(pairs))


def _label_lines(label: str) -> int:
    return min(_LABEL_LINES, len(_wrap(label).splitlines()) or 1)


def _bar_positions(pairs: list[tuple[str, int]]) -> list[float]:
    """Where each bar sits, in lines of label text from the first: each step holds half of each neighbour's
    label and a clear gap, so a three-line label never runs into the labels beside it, and short labels do not
    take the room of the longest."""
    positions = [0.0]
    for (above, _), (below, _) in zip(pairs, pairs[1:], strict=False):
        positions.append(positions[-1] + max(_LEAST_STEP, (_label_lines(above) + _label_lines(below)) / 2 + _GAP))
    return positions


def _span(pairs: list[tuple[str, int]]) -> float:
    """The height the bars and their labels take, in lines: the steps, and half a label and a margin at each end."""
    if not pairs:
        return 1.0
    ends = (max(_label_lines(pairs[0][0]), 1) + max(_label_lines(pairs[-1][0]), 1)) / 2
    return _bar_positions(pairs)[-1] + ends + 2 * _GAP


def _wrap(label: str) -> str:
    lines = textwrap.wrap(_printable(label), _LABEL_WIDTH) or [""]
    if len(lines) > _LABEL_LINES:
        lines = lines[: _LABEL_LINES - 1] + [lines[_LABEL_LINES - 1][: _LABEL_WIDTH - 1] + "…"]
    return "\n".join(lines)


def _printable(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return cleaned.encode("utf-8", "replace").decode("utf-8")


def _draw_no_data(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=10, color=MUTED, transform=axes.transAxes)


def _draw_bars(axes: Axes, pairs: list[tuple[str, int]], colour: str, value_label: str, unit: str = "") -> None:
    positions = _bar_positions(pairs)
    values = [value for _, value in pairs]
    bars = axes.barh(positions, values, color=colour, height=1.0)
    axes.bar_label(bars, labels=[f"{v}{unit}" for v in values], padding=3, color=TEXT_DARK, fontsize=8.5)
    axes.set_yticks(positions, [_wrap(label) for label, _ in pairs], color=TEXT_DARK)
    margin = (_span(pairs) - positions[-1]) / 2
    axes.set_ylim(positions[-1] + margin, -margin)  # first label at the top, as it reads in the table
    largest = 100 if unit == "%" else max(values + [0])  # percentages are seen against the whole scale
    _tidy_axes(axes, largest, min(values + [0]), value_label)


def _tidy_axes(axes: Axes, largest: int, smallest: int, value_label: str) -> None:
    axes.set_xlim(min(0, smallest * 1.18), max(1, largest) * 1.18)  # room for end labels
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axes.set_xlabel(_wrap(value_label).replace("\n", " "), color=MUTED)
    axes.tick_params(axis="x", colors=MUTED, length=3)
    axes.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#b1b4b6")


def _accessible_svg(svg: str, description: str, key: str) -> str:
    """Drop the XML prologue and give the root ``<svg>`` a title and an image role."""
    svg = svg[svg.index("<svg") :]
    title_id = f"chart-title-{key}"
    opening_end = svg.index(">") + 1
    opening = svg[: opening_end - 1] + f' role="img" aria-labelledby="{title_id}">'
    title = f'<title id="{title_id}">{escape(_printable(description))}</title>'
    return opening + title + _prefix_ids(svg[opening_end:], key)


def _prefix_ids(svg: str, key: str) -> str:
    """Prefix every id and its references: matplotlib names groups "axes_1" in every chart."""
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    pattern = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')

    def rename(match: re.Match[str]) -> str:
        name = match.group(2)
        return match.group(1) + (f"c{key}-{name}" if name in ids else name)

    # Only inside tags: a bar label that happens to read id="x" is left as typed.
    return re.sub(r"<[^>]+>", lambda tag: pattern.sub(rename, tag.group(0)), svg)


# The analysis page's charts, as data: each is drawn by bar_chart_svg and tabled beside it.


def question_chart(summary: QuestionSummary) -> Chart:
    """A bar for each answer to a choice question, counting returns."""
    return Chart(
        summary.question.chart_title or summary.question.text,
        tuple(o.label for o in summary.options),
        tuple(o.count for o in summary.options),
    )


def prevalence_chart(found: Prevalence) -> Chart:
    """A bar for each answer, counting the cases where at least one agency gave it."""
    return Chart(
        found.question.chart_title or found.question.text,
        tuple(o.label for o in found.options),
        tuple(o.count for o in found.options),
        "Number of cases",
    )


def analysis_chart(found: QuestionAnalysis) -> Chart:
    """A question's chart: by case for a charted multiple choice, by return otherwise."""
    return prevalence_chart(found.prevalence) if found.prevalence else question_chart(found.summary)


def compliance_chart(tool_scores: ToolScores) -> Chart:
    """A bar for each scored section: the percentage of the best possible score recorded."""
    scored = [
        (title, compliance)
        for _key, title, score in tool_scores.sections
        if (compliance := score.compliance) is not None
    ]  # None: nothing possible to score
    return Chart(
        "Compliance by section",
        tuple(title for title, _ in scored),
        tuple(round(100 * compliance) for _, compliance in scored),
        "Percentage of the best possible score",
    )
