"""Posted data changes only what the form offers, and what people type never reaches the logs (ASVS 5.0)."""

import logging

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Return

SECRET_STORY = "Mum told the health visitor about the night of the 14th"


def test_v15_3_3_extra_posted_fields_are_ignored(client, setup, post):
    """ASVS 5.0 V15.3.3: no mass assignment — only the form's own fields are bound."""
    _, ret, definition = setup
    key = next(q.key for q in definition.questions if q.type == "scale")
    response = post(
        client,
        f"/returns/{ret.id}",
        {
            f"q_{key}": "yes",
            "version": "1",
            "save_draft": "y",
            "state": "accepted",
            "agency_id": "999",
            "auditor_id": "999",
            "q_not_a_question": "sneaked in",
            "submitted_at": "2020-01-01",
        },
    )
    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "draft" and ret.submitted_at is None and ret.agency.short_name == "CSC"
    assert set(db.session.scalars(select(Answer.question_key).where(Answer.return_id == ret.id))) == {key}


def test_v16_2_5_narrative_text_never_reaches_the_logs_or_the_trail(client, setup, post, caplog):
    """ASVS 5.0 V16.2.5: sensitive data is not logged — answers' text stays out of logs and events."""
    _, ret, _ = setup
    caplog.set_level(logging.DEBUG)
    post(client, f"/returns/{ret.id}", {"q_overall_rationale": SECRET_STORY, "version": "1", "save_draft": "y"})
    post(
        client,
        f"/returns/{ret.id}",
        {"q_overall_rationale": SECRET_STORY + " again", "version": "1", "save_draft": "y"},
    )  # stale: the conflict page
    assert db.session.scalar(select(Return.version).where(Return.id == ret.id)) == 2
    assert SECRET_STORY not in caplog.text
    trail = " ".join(str([e.before, e.after]) for e in db.session.scalars(select(AuditEvent)))
    assert "overall_rationale" in trail and SECRET_STORY not in trail
