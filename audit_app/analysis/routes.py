"""Analysis of an audit's returns, its charts and answer spreadsheets, and its learning briefing."""

import base64
from functools import lru_cache

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from audit_app.analysis.forms import CaseFilterForm, CompareForm
from audit_app.data import comparison as comparison_data
from audit_app.data import moderation as moderation_data
from audit_app.data.analysis import analysis_data, audit_scores, case_filter_choices, question_analysis
from audit_app.data.briefings import audit_name, suppression_threshold
from audit_app.data.exports import record_export, returns_for_export
from audit_app.data.settings import get_setting
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit
from audit_app.results_access import results_audit_or_404 as _audit_or_404
from audit_app.security import roles_required
from audit_tools.analysis import (
    Analysis,
    CaseFilters,
    QuestionAnalysis,
    csv_chunks,
    is_suppressed,
    long_sheet,
    wide_sheet,
    xlsx_chunks,
)
from audit_tools.analysis.comparison import NothingShared, compare_audits
from audit_tools.briefing import Chart
from audit_tools.states import Role
from audit_tools.tools import Question, ToolDefinition
from reports.charts import analysis_chart, bar_chart_svg, compliance_chart, prevalence_chart, question_chart

bp = Blueprint("analysis", __name__, url_prefix="/audits")

RESULTS_READERS = (Role.COORDINATOR, Role.PANEL, Role.EDITOR)
# Spreadsheets take case-level answers and evidence notes out of the workbench: only the people who
# run the audit and write up its findings may take them. The panel works from the pages.
EXPORTERS = (Role.COORDINATOR, Role.EDITOR)
LAYOUTS = {"long": long_sheet, "wide": wide_sheet}
FORMATS = {
    "csv": ("text/csv", csv_chunks),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_chunks),
}


class FilterNotOffered(BadRequest):
    """400 for a download asked for with a filter value the audit does not have; the error page shows ``page``."""

    page = (
        "No file was made: a filter is not one of this audit's values",
        "The address asked for cases with a locality, age band or plan type that no case in this audit has. "
        "Choose the cases with the filters on the analysis page and download the answers from there.",
    )


def _filtered(audit: Audit) -> tuple[CaseFilterForm, CaseFilters]:
    """The filter form read from the address and the cases it chooses."""
    form = CaseFilterForm(request.args, case_filter_choices(audit))
    return form, form.filters()


@bp.get("/<int:audit_id>/analysis")
@roles_required(*RESULTS_READERS)
def analysis(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    definition = definition_of(audit.tool_version)
    form, filters = _filtered(audit)
    found = analysis_data(audit, definition, filters)
    return render_template(
        "analysis/analysis.html",
        audit=audit,
        definition=definition,
        form=form,
        analysis=found,
        chosen=filters.chosen(),
        can_export=current_user.has_role(*EXPORTERS),
        few_cases_below=_small_count_threshold(found.figures.cases) if filters.chosen() else None,
        reliability=moderation_data.reliability_of(audit, definition),
        **_analysis_charts(found, definition.overall_question),
    )


@bp.get("/compare")
@roles_required(*RESULTS_READERS)
def compare() -> ResponseReturnValue:
    """Two audits side by side: compliance by section, overall judgements and themes, each with its change."""
    audits = comparison_data.comparable_audits(current_user)
    form = CompareForm(request.args, [(a.id, audit_name(a.title, a.year)) for a in audits])
    found = None
    if "second" in request.args:  # the form sends both; a link from an audit's analysis page chooses the first
        chosen = form.chosen()
        if chosen:
            by_id = {audit.id: audit for audit in audits}
            try:
                found = compare_audits(*(comparison_data.audit_results(by_id[audit_id]) for audit_id in chosen))
            except NothingShared as refusal:
                form.second.errors = [str(refusal)]  # the page's error summary links it to the second box
    return render_template("analysis/compare.html", form=form, audits=audits, comparison=found)


def _analysis_charts(found: Analysis, overall: Question | None) -> dict[str, object]:
    """The page's charts, drawn from the analysis it shows (never run again for an image): the overall
    judgement's and each charted multiple choice's by question key, and compliance by section."""
    colour = get_setting("accent_colour")
    charts = {cases.question.key: _image(prevalence_chart(cases), colour) for cases in found.prevalence}
    if overall and overall.key not in charts:
        charts[overall.key] = _image(question_chart(found.summary(overall.key)), colour)
    return {
        "question_charts": charts,
        "compliance_chart": _image(compliance_chart(found.distributions.scores), colour, unit="%"),
    }


def _image(chart: Chart, colour: str, unit: str = "") -> str:
    """A chart carried inside the page as an SVG image (a data: address), so the page's figures and its
    charts come from one analysis, run once. An image, not inline SVG: the page's content security
    policy forbids the styles inside."""
    return "data:image/svg+xml;base64," + base64.b64encode(_drawn(chart, colour, unit).encode("utf-8")).decode("ascii")


@lru_cache(maxsize=256)
def _drawn(chart: Chart, colour: str, unit: str) -> str:
    """The chart's SVG, kept by its whole content (title, labels, figures, colour, unit): the same figures are
    drawn once per worker (drawing is most of a results page's time), changed figures always afresh."""
    return bar_chart_svg(chart, colour=colour, unit=unit)


def _small_count_threshold(cases: int) -> int | None:
    """The briefing's threshold when the filters leave a count it would hold back (figures that small can
    point to a child), else None."""
    threshold = suppression_threshold()
    return threshold if is_suppressed(cases, threshold) else None


def _question_or_404(audit_id: int, key: str) -> tuple[Audit, ToolDefinition, Question]:
    """The audit, its tool and one of the tool's choice questions (404 for any other key)."""
    audit = _audit_or_404(audit_id)
    definition = definition_of(audit.tool_version)
    question = definition.questions_by_key.get(key)
    if question is None or not question.is_choice:
        abort(404)
    return audit, definition, question


@bp.get("/<int:audit_id>/analysis/questions/<key>")
@roles_required(*RESULTS_READERS)
def question(audit_id: int, key: str) -> ResponseReturnValue:
    """One choice question's answers, overall and agency by agency."""
    audit, definition, question = _question_or_404(audit_id, key)
    form, filters = _filtered(audit)
    found: QuestionAnalysis = question_analysis(audit, definition, question, filters)
    return render_template(
        "analysis/question.html",
        audit=audit,
        question=question,
        form=form,
        number=definition.number(key),
        filters=filters,
        chosen=filters.chosen(),
        found=found,
        question_chart=_image(analysis_chart(found), get_setting("accent_colour")),
    )


@bp.get("/<int:audit_id>/analysis/questions/<key>.svg")
@roles_required(*RESULTS_READERS)
def question_chart_svg(audit_id: int, key: str) -> ResponseReturnValue:
    """(The pages carry their charts inside them; this address serves one on its own.)
    A choice question's answers as a bar chart (cases for a charted multiple choice, returns otherwise)."""
    audit, definition, question = _question_or_404(audit_id, key)
    return _svg(analysis_chart(question_analysis(audit, definition, question, _filtered(audit)[1])))


@bp.get("/<int:audit_id>/analysis/compliance.svg")
@roles_required(*RESULTS_READERS)
def compliance_chart_svg(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    scores = audit_scores(audit, definition_of(audit.tool_version), _filtered(audit)[1])
    return _svg(compliance_chart(scores), unit="%")


def _svg(chart: Chart, unit: str = "") -> Response:
    """Served as an image, not inlined: the page's content security policy forbids inline styles."""
    return Response(_drawn(chart, get_setting("accent_colour"), unit), mimetype="image/svg+xml")


@bp.get("/<int:audit_id>/analysis/answers.csv")
@roles_required(*EXPORTERS)
def answers_csv(audit_id: int) -> ResponseReturnValue:
    """The counted returns' answers as CSV: ?layout=long (one row per answer) or wide (one row per return)."""
    return _answers_file(audit_id, "csv")


@bp.get("/<int:audit_id>/analysis/answers.xlsx")
@roles_required(*EXPORTERS)
def answers_xlsx(audit_id: int) -> ResponseReturnValue:
    """The same as an Excel workbook."""
    return _answers_file(audit_id, "xlsx")


def _answers_file(audit_id: int, extension: str) -> Response:
    audit = _audit_or_404(audit_id)
    layout = request.args.get("layout", "long")
    if layout not in LAYOUTS:
        abort(404)
    form, filters = _filtered(audit)
    if form.errors:  # a file has no page to say a filter was ignored: refused rather than every case's answers
        raise FilterNotOffered()
    definition = definition_of(audit.tool_version)
    found = returns_for_export(audit, definition, filters)
    record_export(
        audit, current_user, {"format": extension, "layout": layout, "returns": found.count, **filters.chosen()}
    )
    db.session.commit()
    mimetype, write = FORMATS[extension]
    # Streamed: the file is written while it is sent, its answers read a batch of returns at a time.
    body = stream_with_context(write(LAYOUTS[layout](definition, found.returns, found.attribute_names)))
    filename = f"answers-{layout}-audit-{audit.id}.{extension}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
