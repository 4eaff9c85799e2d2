"""The calibration exercise (issue 21): the coordinator writes an invented case, auditors of any agency grade
it, the coordinator sees the spread and records what was agreed, after which grading closes."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import AuditEvent, CalibrationExercise, CalibrationGrade
from audit_tools.reliability import graded_definition
from audit_tools.returns.answers import missing_required

COORDINATOR = "coordinator@test.example"
CASE = "Amy, 4, lives with her mother and <b>two</b> brothers; nursery reports she often arrives hungry."


@contextmanager
def signed_in(app, login, email):
    other = app.test_client()
    login(other, email)
    yield other


@pytest.fixture
def audit(factory):
    factory.user("coordinator", email=COORDINATOR)
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    factory.user("auditor", agency=factory.agency("EH"), email="eh@test.example")
    return factory.audit(state="setup")


def _grades(definition, overall):
    data = {f"q_{q.key}": q.options[0].value for q in graded_definition(definition).questions}
    return {**data, "q_overall_judgement": overall}


def test_auditors_grade_the_case_and_the_coordinator_sees_the_spread_and_records_the_agreement(
    app, client, login, post, audit, ctx
):
    login(client, COORDINATOR)
    url = f"/moderation/audits/{audit.id}/calibration"
    assert post(client, url, {"summary": "   "}).status_code == 400
    assert post(client, url, {"summary": CASE}).status_code == 302
    exercise = db.session.scalar(select(CalibrationExercise))
    definition = definition_of(audit.tool_version)
    for email, overall in (("csc@test.example", "good"), ("eh@test.example", "inadequate")):
        with signed_in(app, login, email) as auditor:
            assert "Grade the calibration case" in auditor.get("/moderation/").get_data(as_text=True)
            page = auditor.get(f"/moderation/calibration/{exercise.id}").get_data(as_text=True)
            assert "&lt;b&gt;two&lt;/b&gt;" in page
            missing = post(auditor, f"/moderation/calibration/{exercise.id}", {"q_overall_judgement": "good"})
            assert missing.status_code == 400 and "still to grade" in missing.get_data(as_text=True)
            ungraded = [q.key for q in missing_required(graded_definition(definition), {"overall_judgement": "good"})]
            assert all(f'href="#q_{key}"' in missing.get_data(as_text=True) for key in ungraded)
            sent = post(auditor, f"/moderation/calibration/{exercise.id}", _grades(definition, overall))
            assert sent.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "2 auditors have graded the case" in html
    assert "Good: 1<br>Inadequate: 1" in html and "0 of 1 (0%)" in html
    assert (
        post(
            client, f"{url}/agreed", {"agreed": "Hungry at nursery twice a week is evidence, not a worry."}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(CalibrationExercise, exercise.id).closed_at is not None
    with signed_in(app, login, "csc@test.example") as auditor:
        late = post(auditor, f"/moderation/calibration/{exercise.id}", _grades(definition, "outstanding"))
        assert late.status_code == 400 and "can no longer change" in late.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(CalibrationGrade.value).where(
                CalibrationGrade.question_key == "overall_judgement", CalibrationGrade.value == "outstanding"
            )
        )
        is None
    )
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("calibration.%"))).all()
    assert {e.action for e in events} == {"calibration.started", "calibration.graded", "calibration.agreed"}
    assert all("nursery" not in str(e.after) for e in events)


def test_only_one_exercise_an_audit_and_none_once_the_panel_has_started(client, login, post, audit, factory, ctx):
    login(client, COORDINATOR)
    url = f"/moderation/audits/{audit.id}/calibration"
    post(client, url, {"summary": CASE})
    again = post(client, url, {"summary": CASE})
    assert again.status_code == 409 and "already has its calibration exercise" in again.get_data(as_text=True)
    later = factory.audit(state="panel")
    refused = post(client, f"/moderation/audits/{later.id}/calibration", {"summary": CASE})
    assert refused.status_code in (400, 409)
    assert db.session.scalar(select(CalibrationExercise).where(CalibrationExercise.audit_id == later.id)) is None
