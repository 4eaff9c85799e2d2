"""An audit at the panel stage and helpers for the panel's pages (the fixtures are in conftest.py)."""

from __future__ import annotations

from sqlalchemy import select

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, Audit, Case, EvidenceNote, PanelRecord, Return
from audit_tools.returns import to_rows

HOSTILE_NOTE = '<script>alert("note")</script> Mum said "we\'re fine" & the health visitor saw no food'


def submit(ret: Return, answers: dict, notes: dict | None = None, state: str = "submitted") -> None:
    definition = definition_of(ret.case.audit.tool_version)
    ret.state = state
    ret.answers = [
        Answer(question_key=r.question_key, ordinal=r.ordinal, value=r.value, score=r.score)
        for r in to_rows(definition, answers)
    ]
    ret.notes = [EvidenceNote(question_key=key, text=text) for key, text in (notes or {}).items()]
    db.session.commit()


def make_panel_audit(factory) -> Audit:
    """An audit at the panel stage: on case T-01 CSC and EH returned and differ on one question; School's
    return is a draft; on T-02 only CSC returned and EH declared no involvement."""
    audit = factory.audit(state="panel", agencies=("CSC", "EH", "School"))
    submit(
        factory.return_for(audit, "CSC"),
        {
            "child_seen_alone": "yes",
            "neglect_tool_used": "partly",
            "overall_judgement": "good",
            "agency_role": "lead_professional",
            "good_practice": "Visits were <b>weekly</b>",
        },
        {"child_seen_alone": HOSTILE_NOTE},
    )
    submit(
        factory.return_for(audit, "EH"),
        {
            "child_seen_alone": "no",
            "neglect_tool_used": "partly",
            "overall_judgement": "requires_improvement",
            "agency_role": "core_group_member",
        },
        {"neglect_tool_used": "Checklist done at the start only"},
    )
    submit(factory.return_for(audit, "School"), {"child_seen_alone": "partly"}, state="draft")
    submit(factory.return_for(audit, "CSC", "T-02"), {"overall_judgement": "inadequate"})
    eh = factory.return_for(audit, "EH", "T-02")
    eh.no_involvement_reason = "No record of the family in the period"
    submit(eh, {}, state="no_involvement")
    return audit


def case_of(audit: Audit, reference: str = "T-01") -> Case:
    return next(c for c in audit.cases if c.reference == reference)


def case_url(audit: Audit, reference: str = "T-01") -> str:
    return f"/audits/{audit.id}/panel/{case_of(audit, reference).id}"


def panel_record(audit: Audit) -> PanelRecord | None:
    db.session.expire_all()
    return db.session.scalar(select(PanelRecord).where(PanelRecord.case_id == case_of(audit).id))
