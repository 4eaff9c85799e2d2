"""An agency with no involvement says so, with a reason, instead of completing a return."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent


@pytest.fixture
def setup(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    login(client, "csc@test.example")
    return audit, factory.return_for(audit, "CSC")


def test_declaring_needs_a_reason_keeps_typed_answers_and_can_be_withdrawn(client, post, setup):
    audit, ret = setup
    post(
        client,
        f"/returns/{ret.id}",
        {"q_overall_rationale": "Typed before we checked", "version": "1", "save_draft": "y"},
    )
    refused = post(client, f"/returns/{ret.id}/no-involvement", {"reason": "", "declare": "y"}, follow_redirects=True)
    assert "Say why your agency had no involvement" in refused.get_data(as_text=True)
    done = post(
        client,
        f"/returns/{ret.id}/no-involvement",
        {"reason": "No record of the family", "declare": "y"},
        follow_redirects=True,
    )
    assert "had no involvement with case T-01" in done.get_data(as_text=True)
    db.session.refresh(ret)
    assert ret.state == "no_involvement" and ret.no_involvement_reason == "No record of the family"
    assert "No record of the family" in client.get(f"/returns/{ret.id}").get_data(as_text=True)
    post(client, f"/returns/{ret.id}/no-involvement", {"withdraw": "y"})
    db.session.refresh(ret)
    assert ret.state == "draft"
    assert db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id)) == "Typed before we checked"
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == ret.id)))
    assert "return.no_involvement" in actions and "return.no_involvement_withdrawn" in actions


def test_no_involvement_counts_as_done_in_progress_but_not_in_the_analysis(client, post, setup, factory, login, app):
    from audit_app.data.analysis import audit_facts
    from audit_app.data.audits import outstanding_returns, progress_grid

    audit, ret = setup
    post(client, f"/returns/{ret.id}/no-involvement", {"reason": "Not known to the service", "declare": "y"})
    grid = progress_grid(audit)
    assert [done for _agency, done, _expected in grid.completion] == [1]
    assert all(item.reference != "T-01" for item in outstanding_returns(audit))
    assert audit_facts(audit).returns_submitted == 0


def test_the_database_refuses_an_unknown_state(setup):
    _audit, ret = setup
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE returns SET state = 'lost' WHERE id = :id"), {"id": ret.id})


def test_a_refused_declaration_links_its_field_keeps_the_panel_open_and_says_error_in_the_title(client, post, setup):
    _audit, ret = setup
    html = post(
        client, f"/returns/{ret.id}/no-involvement", {"reason": "", "declare": "y"}, follow_redirects=True
    ).get_data(as_text=True)
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    assert 'href="#reason"' in summary and "Say why your agency had no involvement" in summary
    assert "<title>Error: " in html
    assert "govuk-form-group--error" in html and 'aria-describedby="reason-hint reason-error"' in html
    assert "<details" in html and "open" in html[html.index("<details") : html.index(">", html.index("<details"))]
