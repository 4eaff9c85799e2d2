"""Issue 17: a current safeguarding concern reaches a person. It is its own record (raised ->
acknowledged -> closed), what was done is required, the coordinators and the agency's safeguarding
lead are e-mailed at once, and neither the e-mails nor the audit trail hold what anyone typed."""

import json

import pytest
from sqlalchemy import select

from audit_app.data import concerns as concern_data
from audit_app.data.settings import get_setting
from audit_app.data.users import find_user_by_email
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Concern
from audit_tools.returns.concerns import action_keys, concern_message, missing_actions
from audit_tools.states import ConcernState

TYPED = "Rang the duty social worker about Jayden at 14 Acacia Road"
CONCERN = {"q_current_safeguarding_concern": "yes", "q_current_concern_action": TYPED}


@pytest.fixture
def raised(client, setup, post, factory):
    """The CSC auditor raises a concern on case T-01 of an open audit; a coordinator exists."""
    audit, ret, definition = setup
    factory.agency("CSC").safeguarding_lead_email = "lead@csc.test.example"
    db.session.commit()
    factory.user("coordinator", email="co@test.example")
    response = post(client, f"/returns/{ret.id}", {**CONCERN, "version": "1", "save_draft": "y"})
    assert response.status_code == 302
    return audit, ret, db.session.scalar(select(Concern))


def test_the_action_question_is_the_follow_up_of_the_escalating_question(app):
    from audit_app.data.tools import definition_of, ensure_builtin_tool

    with app.app_context():
        definition = definition_of(ensure_builtin_tool())
    assert action_keys(definition) == {"current_concern_action"}
    assert [q.key for q in missing_actions(definition, {"current_safeguarding_concern": "yes"})] == [
        "current_concern_action"
    ]
    assert missing_actions(definition, {"current_safeguarding_concern": "no"}) == []
    assert missing_actions(definition, {"current_safeguarding_concern": "yes", "current_concern_action": "Rang"}) == []


def test_a_raised_concern_is_stored_raised_with_who_when_and_what_was_done(raised):
    _, ret, concern = raised
    assert concern.state == ConcernState.RAISED and concern.return_id == ret.id
    assert concern.agency_id == ret.agency_id and concern.audit_id == ret.case.audit_id
    assert concern.raised_by.email == "csc@test.example" and concern.raised_at is not None
    assert concern.what_was_done == TYPED


def test_what_was_done_is_required_when_a_concern_is_raised_and_nothing_typed_is_lost(client, setup, post):
    _, ret, _ = setup
    for button in ("save_draft", "submit_return"):
        response = post(
            client,
            f"/returns/{ret.id}",
            {
                "q_current_safeguarding_concern": "yes",
                "q_overall_rationale": "My careful notes",
                "version": "1",
                button: "y",
            },
        )
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "There is a problem" in html and 'href="#q_current_concern_action"' in html
        assert "Say what you have done about the current safeguarding concern" in html
        assert "My careful notes" in html and 'value="yes" checked' in html
    assert db.session.scalar(select(Concern)) is None
    assert db.session.scalar(select(Answer).where(Answer.return_id == ret.id)) is None  # nothing half-saved


def test_the_form_prompts_before_submitting_in_the_words_of_the_banner(client, setup):
    _, ret, _ = setup
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    route = get_setting("escalation_route")
    prompt = html[html.index('id="concern-prompt-current_safeguarding_concern"') :]
    prompt = prompt[: prompt.index("</div>\n</div>")]
    assert 'data-show-if="q_current_safeguarding_concern" data-show-values="yes"' in html
    assert "Act on a current concern now" in prompt and str(route) in prompt.replace("&#39;", "'")
    assert "What action have you taken about the current concern? (optional)" not in html


def test_the_coordinator_sees_acknowledges_and_closes_the_concern(raised, app, login, post):
    audit, ret, concern = raised
    assert concern_data.open_concerns(concern.raised_by) == []  # an auditor coordinates nothing
    client = app.test_client()
    login(client, "co@test.example")
    assert concern_data.open_concerns(find_user_by_email("co@test.example")) == [concern]
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert 'id="concerns"' in page and "T-01" in page and "Not yet acknowledged" in page

    close_first = post(client, f"/audits/{audit.id}/concerns/{concern.id}/close", follow_redirects=True)
    assert "acknowledged, saying what was done, before it is closed" in close_first.get_data(as_text=True)
    blank = post(client, f"/audits/{audit.id}/concerns/{concern.id}", {"action_taken": "   "})
    assert blank.status_code == 200
    assert 'href="#action_taken"' in blank.get_data(as_text=True)
    db.session.refresh(concern)
    assert concern.state == ConcernState.RAISED

    done = post(client, f"/audits/{audit.id}/concerns/{concern.id}", {"action_taken": "Checked with the CSC lead"})
    assert done.status_code == 302
    db.session.refresh(concern)
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.action_taken == "Checked with the CSC lead"
    assert concern.acknowledged_by.email == "co@test.example" and concern.acknowledged_at is not None
    assert concern_data.open_concerns(find_user_by_email("co@test.example")) == []
    again = post(client, f"/audits/{audit.id}/concerns/{concern.id}", {"action_taken": "Twice"}, follow_redirects=True)
    assert "Only a newly raised concern can be acknowledged" in again.get_data(as_text=True)

    post(client, f"/audits/{audit.id}/concerns/{concern.id}/close")
    db.session.refresh(concern)
    assert concern.state == ConcernState.CLOSED and concern.closed_by.email == "co@test.example"
    assert 'id="concerns"' not in client.get(f"/audits/{audit.id}").get_data(as_text=True)
    closed_again = post(client, f"/audits/{audit.id}/concerns/{concern.id}/close", follow_redirects=True)
    assert "already closed" in closed_again.get_data(as_text=True)


def test_only_a_coordinator_reaches_the_concern_pages(raised, client, post):
    audit, _, concern = raised
    assert client.get(f"/audits/{audit.id}/concerns/{concern.id}").status_code == 403
    assert post(client, f"/audits/{audit.id}/concerns/{concern.id}/close").status_code == 403


def test_messages_go_to_the_coordinators_and_the_safeguarding_lead_and_carry_no_case_text(raised, app):
    _, _, concern = raised
    with app.test_request_context():
        messages = concern_data.concern_messages(concern)
    assert sorted(to for to, _, _ in messages) == ["co@test.example", "lead@csc.test.example"]
    for _, subject, body in messages:
        assert "T-01" in subject and "T-01" in body and f"/audits/{concern.audit_id}#concerns" in body
        for typed in ("Jayden", "Acacia", "Northfield", "neglect", TYPED):
            assert typed not in subject + body
    subject, body = concern_message("NA-9", "Audit", "Agency", "https://x.example/a")
    assert subject == "Current safeguarding concern raised: case NA-9" and "https://x.example/a" in body


def test_the_emails_go_at_once_through_smtp(client, setup, post, factory, smtp):
    _, ret, _ = setup
    factory.agency("CSC").safeguarding_lead_email = "lead@csc.test.example"
    db.session.commit()
    factory.user("coordinator", email="co@test.example")
    post(client, f"/returns/{ret.id}", {**CONCERN, "version": "1", "save_draft": "y"})
    recipients = sorted(r for rs, _ in smtp.messages for r in rs)
    assert recipients == ["co@test.example", "lead@csc.test.example"]
    for _, message in smtp.messages:
        assert TYPED not in message.get_payload() and "T-01" in message["Subject"]


def test_the_trail_holds_ids_and_states_never_the_typed_text(raised, app, login, post):
    audit, ret, concern = raised
    client = app.test_client()
    login(client, "co@test.example")
    post(client, f"/audits/{audit.id}/concerns/{concern.id}", {"action_taken": "Spoke to Jayden's mother at home"})
    post(client, f"/audits/{audit.id}/concerns/{concern.id}/close")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "concern").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["concern.raised", "concern.acknowledged", "concern.closed"]
    assert events[0].after == {"return": ret.id, "question": "current_safeguarding_concern", "state": "raised"}
    assert events[2].before == {"state": "acknowledged"} and events[2].after == {"state": "closed"}
    trail = json.dumps([[e.before, e.after] for e in db.session.scalars(select(AuditEvent))])
    assert "Jayden" not in trail and "Acacia" not in trail and "Rang" not in trail


def test_a_raised_concern_is_on_the_coordinators_home_page_and_in_the_ledger_in_the_same_request(raised, app, login):
    """Within the request that saved it: both messages recorded once (kept in the outbox without SMTP),
    neither holding what was typed, and the coordinator's home page leads with it."""
    from audit_app.models import Notification

    audit, _ret, concern = raised
    messages = db.session.scalars(select(Notification).where(Notification.kind == "concern")).all()
    assert sorted(m.to_email for m in messages) == ["co@test.example", "lead@csc.test.example"]
    assert all(m.object_id == concern.id and TYPED not in m.body and "Jayden" not in m.body for m in messages)
    client = app.test_client()
    login(client, "co@test.example")
    home = client.get("/").get_data(as_text=True)
    link = f"/audits/{audit.id}/concerns/{concern.id}"
    assert link in home and home.index(link) < home.index("Returns waiting for your review")


def test_an_autosave_with_the_action_written_raises_the_concern_at_once(client, setup, post, factory):
    """The auditor who answers "current concern", writes what they did and closes the tab without
    pressing a button has still told the coordinator: the autosave raises the concern."""
    _, ret, _ = setup
    factory.user("coordinator", email="co@test.example")
    autosaved = post(client, f"/returns/{ret.id}/autosave", {**CONCERN, "version": "1"})
    assert autosaved.status_code == 200 and autosaved.json["saved"]
    concern = db.session.scalar(select(Concern))
    assert concern is not None and concern.state == ConcernState.RAISED and concern.what_was_done == TYPED
    assert "coordinator" in autosaved.json["message"] and "told" in autosaved.json["message"]


def test_an_autosave_without_the_action_raises_nothing_yet(client, setup, post, factory):
    _, ret, _ = setup
    factory.user("coordinator", email="co@test.example")
    autosaved = post(client, f"/returns/{ret.id}/autosave", {"q_current_safeguarding_concern": "yes", "version": "1"})
    assert autosaved.status_code == 200 and autosaved.json["saved"]
    assert db.session.scalar(select(Concern)) is None
    assert "told" not in autosaved.json["message"]


def test_later_saves_keep_what_was_done_current_until_acknowledged(client, setup, post, factory):
    """An autosave catches the action half-typed; the concern keeps the auditor's latest words until the
    coordinator acknowledges it, and is raised (and e-mailed) once only."""
    from audit_app.models import Notification

    _, ret, _ = setup
    factory.user("coordinator", email="co@test.example")
    post(client, f"/returns/{ret.id}/autosave", {**CONCERN, "q_current_concern_action": "Rang the du", "version": "1"})
    post(client, f"/returns/{ret.id}", {**CONCERN, "version": "2", "save_draft": "y"})
    concerns = db.session.scalars(select(Concern)).all()
    assert len(concerns) == 1 and concerns[0].what_was_done == TYPED
    assert len(db.session.scalars(select(Notification).where(Notification.kind == "concern")).all()) == 1


def test_an_acknowledgement_made_in_another_tab_meanwhile_is_never_overwritten(raised, app):
    """Two coordinators open the concern; the first acknowledges it. The second's acknowledgement, made
    from the concern as it was read before, is refused: the first action taken stays."""
    from sqlalchemy import update

    _, _, concern = raised
    db.session.refresh(concern)  # read while still raised
    with db.engine.begin() as other_tab:
        other_tab.execute(
            update(Concern).where(Concern.id == concern.id).values(state="acknowledged", action_taken="First tab")
        )
    with pytest.raises(concern_data.ConcernError, match="already been acknowledged"):
        concern_data.acknowledge(concern, "Second tab", find_user_by_email("co@test.example"))
    db.session.rollback()
    assert db.session.get(Concern, concern.id).action_taken == "First tab"


def test_the_second_tab_is_told_and_keeps_what_it_typed(raised, app, login, post):
    audit, _, concern = raised
    first, second = app.test_client(), app.test_client()
    login(first, "co@test.example")
    login(second, "co@test.example")
    post(first, f"/audits/{audit.id}/concerns/{concern.id}", {"action_taken": "Rang the CSC team manager"})
    late = post(second, f"/audits/{audit.id}/concerns/{concern.id}", {"action_taken": "Emailed the lead for CSC"})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Rang the CSC team manager" in page  # what was recorded
    assert "Emailed the lead for CSC" in page and "was not saved" in page  # what this tab typed, to copy


def test_the_concern_instruction_and_what_was_saved_share_one_alert_instruction_first(client, setup, post):
    _, ret, _ = setup
    html = post(
        client, f"/returns/{ret.id}", {**CONCERN, "version": "1", "save_draft": "y"}, follow_redirects=True
    ).get_data(as_text=True)
    assert html.count('role="alert"') == 1  # the time-out warning is role="status" until it matters
    alert = html[html.index('role="alert"') :]
    alert = alert[: alert.index("</div>\n    </div>")]
    assert "app-escalation" in html[html.rindex("<div", 0, html.index('role="alert"')) : html.index('role="alert"')]
    assert alert.index("Act on a current concern now") < alert.index("Draft saved.")
    assert "govuk-notification-banner--success" not in html
