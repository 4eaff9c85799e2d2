"""Auditors save drafts, submit complete returns, and never lose what they typed."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Return
from audit_tools.definition import DATE, GRADE, LONGTEXT, MULTIPLE, NUMBER, SCALE, SINGLE, TEXT

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE


@pytest.fixture
def setup(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    login(client, "csc@test.example")
    return audit, ret, definition_of(audit.tool_version)


def complete_answers(definition) -> dict:
    """Form data answering every question, as a browser would send it."""
    data = {}
    for q in definition.questions:
        name = f"q_{q.key}"
        if q.type in (SCALE, SINGLE, GRADE):
            data[name] = q.options[0].value
        elif q.type == MULTIPLE:
            data[name] = [q.options[0].value]
        elif q.type == NUMBER:
            data[name] = "3"
        elif q.type == DATE:
            data[name] = ["27", "3", "2026"]
        elif q.type in (TEXT, LONGTEXT):
            data[name] = "Seen in the records."
    return data


def test_save_draft_keeps_answers_and_bumps_version(client, setup, post):
    audit, ret, definition = setup
    first = next(q for q in definition.questions if q.type == SCALE)
    response = post(client, f"/returns/{ret.id}", {f"q_{first.key}": "partly", "version": "1", "save_draft": "y"})
    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "draft" and ret.version == 2
    assert db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id)) == "partly"
    assert 'value="partly" checked' in client.get(f"/returns/{ret.id}").get_data(as_text=True)


def test_stale_form_is_refused_and_keeps_typed_text(client, setup, post):
    _, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT)
    post(client, f"/returns/{ret.id}", {"version": "1", "save_draft": "y"})
    response = post(client, f"/returns/{ret.id}", {f"q_{longtext.key}": "My careful notes", "version": "1",
                                                   "save_draft": "y"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this return" in html and "My careful notes" in html
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_incomplete_submit_saves_draft_and_names_each_missing_question(client, setup, post):
    _, ret, definition = setup
    first = next(q for q in definition.questions if q.type == SCALE)
    response = post(client, f"/returns/{ret.id}", {f"q_{first.key}": "yes", "version": "1", "submit_return": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    missing = [q for q in definition.questions if q.required and q.key != first.key and q.show_if is None]
    for question in missing:
        assert f"href=\"#q_{question.key}" in html, question.key
    db.session.refresh(ret)
    assert ret.state == "draft"
    assert db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id)) == "yes"


def test_complete_submit_makes_return_read_only(client, setup, post):
    _, ret, definition = setup
    response = post(client, f"/returns/{ret.id}", {**complete_answers(definition), "version": "1", "submit_return": "y"})
    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "submitted" and ret.submitted_at is not None
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "can no longer be changed" in page and "Submit return" not in page
    again = post(client, f"/returns/{ret.id}", {"version": str(ret.version), "save_draft": "y"})
    assert again.status_code == 200 and "can no longer be changed" in again.get_data(as_text=True)
    assert db.session.scalar(select(Return.state).where(Return.id == ret.id)) == "submitted"
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == ret.id)))
    assert {"return.saved", "return.submitted"} <= actions


def test_invalid_answers_get_specific_errors_and_are_not_saved(client, setup, post):
    _, ret, definition = setup
    number = next(q for q in definition.questions if q.type == NUMBER)
    scale = next(q for q in definition.questions if q.type == SCALE)
    response = post(client, f"/returns/{ret.id}", {f"q_{number.key}": "lots", f"q_{scale.key}": "maybe",
                                                   "version": "1", "save_draft": "y"})
    html = response.get_data(as_text=True)
    assert "Enter a number, like 3 or 2.5." in html and "Choose one of the answers listed." in html
    assert 'value="lots"' in html  # what was typed is shown back
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_hostile_text_round_trips_escaped(client, setup, post):
    _, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT)
    hostile = "\n".join(s for s in BLNS if "\x00" not in s)[:9000] + "<script>alert(1)</script>"
    response = post(client, f"/returns/{ret.id}", {f"q_{longtext.key}": hostile, "version": "1", "save_draft": "y"})
    assert response.status_code == 302
    stored = db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id))
    assert stored == hostile.strip()
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_missing_csrf_token_is_refused_without_saving(client, setup):
    _, ret, definition = setup
    response = client.post(f"/returns/{ret.id}", data={"version": "1", "save_draft": "y",
                                                       f"q_{next(q for q in definition.questions if q.type == SCALE).key}": "yes"})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_my_returns_lists_open_audits_first(client, factory, login, ctx):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc2@test.example")
    done = factory.audit(state="analysis")
    done.title = "A finished audit"
    factory.audit(state="open").title = "Z open audit"
    db.session.commit()
    login(client, "csc2@test.example")
    html = client.get("/returns/").get_data(as_text=True)
    assert html.index("Z open audit") < html.index("A finished audit")
