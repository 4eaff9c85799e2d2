"""Analysis of an audit's returns and its learning briefing."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from audit_app.data.analysis import audit_facts, audit_scores, question_summaries
from audit_app.data.audits import can_see_results, get_audit
from audit_app.data.briefings import briefing_content
from audit_app.data.tools import definition_of
from audit_app.security import roles_required
from reports.briefing_pdf import build_briefing_pdf

bp = Blueprint("analysis", __name__, url_prefix="/audits")


def _audit_or_404(audit_id: int):
    """The audit, if this person may see its results: panel and editors only once returns are revealed."""
    audit = get_audit(audit_id) or abort(404)
    if not can_see_results(current_user, audit):
        abort(403)
    return audit


@bp.get("/<int:audit_id>/analysis")
@roles_required("coordinator", "panel", "editor")
def analysis(audit_id: int):
    audit = _audit_or_404(audit_id)
    definition = definition_of(audit.tool_version)
    summaries = question_summaries(audit, definition)
    return render_template("analysis/analysis.html", audit=audit, facts=audit_facts(audit), definition=definition,
                           summaries={s.question.key: s for s in summaries}, scores=audit_scores(audit, definition))


@bp.get("/<int:audit_id>/briefing")
@roles_required("editor", "coordinator")
def briefing(audit_id: int):
    audit = _audit_or_404(audit_id)
    return render_template("analysis/briefing.html", audit=audit, content=briefing_content(audit))


@bp.get("/<int:audit_id>/briefing.pdf")
@roles_required("editor", "coordinator")
def briefing_pdf(audit_id: int):
    audit = _audit_or_404(audit_id)
    pdf = build_briefing_pdf(briefing_content(audit))
    filename = f"learning-briefing-audit-{audit.id}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
