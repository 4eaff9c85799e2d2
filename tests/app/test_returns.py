"""Auditors save drafts, submit complete returns, and never lose what they typed."""

import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Return
from audit_tools.text import shortened
from audit_tools.tools import LONGTEXT, NUMBER, SCALE
from tests.app.conftest import complete_answers

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE


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
    longtext = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    post(client, f"/returns/{ret.id}", {"version": "1", "save_draft": "y"})
    response = post(
        client, f"/returns/{ret.id}", {f"q_{longtext.key}": "My careful notes", "version": "1", "save_draft": "y"}
    )
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
        assert f'href="#q_{question.key}' in html, question.key
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    question = missing[0]  # the summary says which question, in its own words, not only its number
    assert f"Answer question {definition.number(question.key)}: {escape(shortened(question.text, 90))}" in summary
    db.session.refresh(ret)
    assert ret.state == "draft"
    assert db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id)) == "yes"


def test_complete_submit_makes_return_read_only(client, setup, post):
    _, ret, definition = setup
    response = post(
        client, f"/returns/{ret.id}", {**complete_answers(definition), "version": "1", "submit_return": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "submitted" and ret.submitted_at is not None
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "can no longer be changed" in page and "Submit return" not in page
    again = post(
        client,
        f"/returns/{ret.id}",
        {"version": str(ret.version), "save_draft": "y", f"q_{definition.questions[0].key}": "typed after submitting"},
    )
    assert again.status_code == 409 and "can no longer be changed" in again.get_data(as_text=True)
    assert db.session.scalar(select(Return.state).where(Return.id == ret.id)) == "submitted"
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == ret.id)))
    assert {"return.saved", "return.submitted"} <= actions


def test_invalid_answers_get_specific_errors_and_are_not_saved(client, setup, post):
    _, ret, definition = setup
    number = next(q for q in definition.questions if q.type == NUMBER)
    scale = next(q for q in definition.questions if q.type == SCALE)
    response = post(
        client,
        f"/returns/{ret.id}",
        {f"q_{number.key}": "lots", f"q_{scale.key}": "maybe", "version": "1", "save_draft": "y"},
    )
    html = response.get_data(as_text=True)
    assert "Enter a number, like 3 or 2.5." in html and "Choose one of the answers listed." in html
    assert 'value="lots"' in html  # what was typed is shown back
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_hostile_text_round_trips_escaped(client, setup, post):
    _, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    hostile = "\n".join(s for s in BLNS if "\x00" not in s)[:9000] + "<script>alert(1)</script>"
    response = post(client, f"/returns/{ret.id}", {f"q_{longtext.key}": hostile, "version": "1", "save_draft": "y"})
    assert response.status_code == 302
    stored = db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id))
    assert stored == hostile  # exactly as typed
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def rescue_token(client, return_id: int) -> str:
    """The signed rescue token the return form carries for this client's auditor."""
    page = client.get(f"/returns/{return_id}").get_data(as_text=True)
    return re.search(r'name="rescue" value="([^"]+)"', page).group(1)


def test_an_expired_form_token_keeps_the_text_and_brings_it_back(client, setup):
    _, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    response = client.post(
        f"/returns/{ret.id}",
        data={
            "version": "1",
            "save_draft": "y",
            "rescue": rescue_token(client, ret.id),  # the form's own
            f"q_{longtext.key}": "Typed while the token expired",
        },
    )
    assert response.status_code == 302 and "restore=" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Typed while the token expired" in page and "It has not been saved yet" in page
    assert "Typed while the token expired" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_save_after_the_session_ended_keeps_the_text_through_sign_in(app, factory, login, csrf):
    factory.user("auditor", agency=factory.agency("CSC"), email="late@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    browser = app.test_client()
    login(browser, "late@test.example")
    token = rescue_token(browser, ret.id)
    with browser.session_transaction() as ended:
        ended.clear()  # signed out: the session has ended while the form was open
    response = browser.post(
        f"/returns/{ret.id}",
        data={"version": "1", "save_draft": "y", "rescue": token, "q_overall_rationale": "An afternoon's reasoning"},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    token = csrf(browser, "/login")
    signed_in = browser.post(
        response.headers["Location"],
        data={"email": "late@test.example", "password": factory.password, "csrf_token": token},
    )
    page = browser.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "An afternoon&#39;s reasoning" in page and "It has not been saved yet" in page


def test_someone_elses_rescue_token_restores_nothing(app, client, setup, factory, login):
    _, ret, _definition = setup
    factory.user("auditor", agency=factory.agency("CSC"), email="csc-other@test.example")
    stranger = app.test_client()  # a colleague whose own session ended: their draft is kept, for them
    login(stranger, "csc-other@test.example")
    token = rescue_token(stranger, ret.id)
    with stranger.session_transaction() as ended:
        ended.clear()
    response = stranger.post(
        f"/returns/{ret.id}", data={"version": "1", "q_overall_rationale": "Planted text", "rescue": token}
    )
    token_url = response.headers["Location"]
    restore = token_url[token_url.index("restore") :].split("&")[0].replace("%3D", "=")
    page = client.get(f"/returns/{ret.id}?{restore}", follow_redirects=True).get_data(as_text=True)
    assert "Planted text" not in page and "could not be brought back" in page


def test_my_returns_lists_open_audits_first(client, factory, login, ctx):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc2@test.example")
    done = factory.audit(state="analysis")
    done.title = "A finished audit"
    factory.audit(state="open").title = "Z open audit"
    db.session.commit()
    login(client, "csc2@test.example")
    html = client.get("/returns/").get_data(as_text=True)
    assert html.index("Z open audit") < html.index("A finished audit")


def _conditional(definition):
    """A question shown only for some answers of another, with an answer that hides it."""
    question = next(q for q in definition.questions if q.show_if and q.type != LONGTEXT)
    parent = definition.question(question.show_if.question)
    hiding = next(o.value for o in parent.options if o.value not in question.show_if.values)
    return question, parent, hiding


def test_answers_to_hidden_questions_are_neither_stored_nor_counted(client, setup, post):
    _, ret, definition = setup
    question, parent, hiding = _conditional(definition)
    answer = question.options[0].value if question.options else "3"
    post(
        client,
        f"/returns/{ret.id}",
        {f"q_{parent.key}": hiding, f"q_{question.key}": answer, "version": "1", "save_draft": "y"},
    )
    stored = set(db.session.scalars(select(Answer.question_key).where(Answer.return_id == ret.id)))
    assert parent.key in stored and question.key not in stored


def test_a_save_that_races_another_is_refused_without_a_500(client, setup, post, app):
    _, ret, definition = setup
    scale = next(q for q in definition.questions if q.type == SCALE)
    with app.app_context():  # another request saves first, in its own transaction
        db.session.execute(Return.__table__.update().where(Return.id == ret.id).values(version=2))
        db.session.commit()
    response = post(client, f"/returns/{ret.id}", {f"q_{scale.key}": "no", "version": "1", "save_draft": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and f'name="q_{scale.key}" value="no"' in html  # carried, not lost
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_two_auditors_saving_the_same_return_keep_both_texts(app, client, factory, login, post, setup):
    _, ret, definition = setup
    factory.user("auditor", agency=factory.agency("CSC"), email="csc-colleague@test.example")
    colleague = app.test_client()
    login(colleague, "csc-colleague@test.example")
    rationale = "q_overall_rationale"
    assert (
        post(
            colleague,
            f"/returns/{ret.id}",
            {rationale: "Colleague's careful reasons.", "version": "1", "save_draft": "y"},
        ).status_code
        == 302
    )
    response = post(
        client, f"/returns/{ret.id}", {rationale: "My own careful reasons.", "version": "1", "save_draft": "y"}
    )
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 409
    assert "My own careful reasons." in html and "Colleague's careful reasons." in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    merged = "Colleague's careful reasons.\n\nMy own careful reasons."
    resolved = post(
        client,
        f"/returns/{ret.id}",
        {
            rationale: "My own careful reasons.",
            "version": version,
            "resolve_conflict": "1",
            "choice_overall_rationale": "merged",
            "merged_overall_rationale": merged,
            "save_draft": "y",
        },
    )
    assert resolved.status_code == 302
    stored = db.session.scalar(
        select(Answer.value).where(Answer.return_id == ret.id, Answer.question_key == "overall_rationale")
    )
    assert stored == merged


@pytest.mark.parametrize("version", [None, "", "abc", "999"])
def test_a_missing_or_garbled_version_is_treated_as_stale(client, setup, post, version):
    _, ret, definition = setup
    scale = next(q for q in definition.questions if q.type == SCALE)
    data = {f"q_{scale.key}": "partly", "save_draft": "y", **({} if version is None else {"version": version})}
    response = post(client, f"/returns/{ret.id}", data)
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_typing_into_a_return_that_closed_keeps_the_text_on_screen(client, setup, post):
    audit, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    audit.state = "panel"
    db.session.commit()
    response = post(
        client,
        f"/returns/{ret.id}",
        {f"q_{longtext.key}": "An hour of careful notes", "version": "1", "save_draft": "y"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "An hour of careful notes" in html and "Nothing was saved" in html
    assert "Submit return" not in html


def test_the_audit_trail_records_which_answers_changed_not_their_text(client, setup, post):
    _, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    post(
        client, f"/returns/{ret.id}", {f"q_{longtext.key}": "Sensitive case detail", "version": "1", "save_draft": "y"}
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "return.saved"))
    assert event.after["changed"] == [longtext.key]
    assert "Sensitive case detail" not in str(event.before) + str(event.after)


def test_a_write_landing_between_check_and_update_is_caught(client, setup, post, app, monkeypatch):
    """The versioned UPDATE itself refuses the save when another writer commits in between."""
    from audit_app.data import returns as return_data

    _, ret, definition = setup
    scale = next(q for q in definition.questions if q.type == SCALE)
    real_load = return_data.load_answers

    def load_then_someone_else_saves(ret_, definition_):
        answers = real_load(ret_, definition_)
        with db.engine.begin() as other:  # a separate connection: another request committing
            other.execute(Return.__table__.update().where(Return.id == ret_.id).values(version=Return.version + 1))
        return answers

    monkeypatch.setattr(return_data, "load_answers", load_then_someone_else_saves)
    response = post(client, f"/returns/{ret.id}", {f"q_{scale.key}": "no", "version": "1", "save_draft": "y"})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) == 0


def test_autosave_saves_a_draft_and_answers_in_json(client, setup, post, factory, app, login):
    _, ret, definition = setup
    first = post(
        client, f"/returns/{ret.id}/autosave", {"q_overall_rationale": "Typed, not yet saved by hand", "version": "1"}
    )
    assert first.status_code == 200 and first.json["saved"] and first.json["version"] == 2
    assert db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id)) == "Typed, not yet saved by hand"
    stale = post(client, f"/returns/{ret.id}/autosave", {"q_overall_rationale": "Older tab", "version": "1"})
    assert stale.status_code == 409 and not stale.json["saved"]
    bad = post(client, f"/returns/{ret.id}/autosave", {"q_overall_judgement": "brilliant", "version": "2"})
    assert bad.status_code == 400 and not bad.json["saved"]
    factory.user("auditor", agency=factory.agency("EH"), email="eh-auto@test.example")
    other = app.test_client()
    login(other, "eh-auto@test.example")
    assert post(other, f"/returns/{ret.id}/autosave", {"version": "2"}).status_code == 404


def test_a_current_concern_shows_the_escalation_route_and_records_who_raised_it(client, setup, post):
    _, ret, definition = setup
    raised = {"q_current_safeguarding_concern": "yes", "q_current_concern_action": "Told the duty manager"}
    response = post(client, f"/returns/{ret.id}", {**raised, "version": "1", "save_draft": "y"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Act on a current concern now" in html and "designated safeguarding lead" in html
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "concern.raised")).all()
    assert len(events) == 1 and events[0].user_id is not None and events[0].object_type == "concern"
    assert events[0].after["question"] == "current_safeguarding_concern" and events[0].before is None
    post(client, f"/returns/{ret.id}", {**raised, "version": "2", "save_draft": "y"})
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "concern.raised")).all()) == 1
