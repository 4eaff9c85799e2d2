"""Any change to an approved briefing version withdraws the approval: publish is refused until a second person
approves again, the one who changed it can never approve their own change, the approver is told, the trail says so."""

import json

import pytest
from sqlalchemy import select

from audit_app.data.settings import set_setting
from audit_app.extensions import db
from audit_app.models import AuditEvent, User
from tests.app.roles_briefings import draft_for, reload, signed_in

AUTHOR = "author@test.example"
APPROVER = "approver@test.example"
SECOND = "second@test.example"
POSTCODE = "Seen at OX1 2JD."
NEWCOMER = "Quorrowby"  # a surname no given-name list holds: found only once a user has it as their name


@pytest.fixture
def approved(factory, app, login, post):
    """Version 1 with one postcode let through by the approver, approved by the approver (not the author)."""
    audit, briefing = draft_for(factory, AUTHOR)
    factory.user("coordinator", email=APPROVER)
    factory.user("coordinator", email=SECOND)
    row = reload(briefing)
    row.content = {**row.content, "findings": [POSTCODE], "key_messages": [f"Thanks to {NEWCOMER}."]}
    db.session.commit()
    approver = signed_in(app, login, APPROVER)
    _override(approver, post, briefing, "A made-up postcode in a training example.")
    _approve(approver, post, briefing)
    assert reload(briefing).state == "approved"
    return briefing, approver


def _approve(client, post, briefing):
    return post(
        client,
        f"/briefings/{briefing.id}/approve",
        {"lock_version": str(reload(briefing).lock_version)},
        follow_redirects=True,
    ).get_data(as_text=True)


def _publish(client, post, briefing):
    return post(
        client,
        f"/briefings/{briefing.id}/publish",
        {"lock_version": str(reload(briefing).lock_version)},
        follow_redirects=True,
    ).get_data(as_text=True)


def _override(client, post, briefing, reason, *, kind="postcode", text="OX1 2JD", section="findings", n=0):
    data = {"hit": str(n), "kind": kind, "text": text, "section": section, "reason": reason}
    return post(client, f"/briefings/{briefing.id}/check", data, follow_redirects=True).get_data(as_text=True)


def _edit_section(client, post, briefing):
    data = {
        "lock_version": str(reload(briefing).lock_version),
        "items-0-text": POSTCODE,
        "items-1-text": "A second finding typed after approval.",
        "action": "save",
    }
    return post(client, f"/briefings/{briefing.id}/sections/findings", data, follow_redirects=True).get_data(
        as_text=True
    )


def _refresh_section(client, post, briefing):
    return post(
        client,
        f"/briefings/{briefing.id}/sections/summary/refresh",
        {"lock_version": str(reload(briefing).lock_version)},
        follow_redirects=True,
    ).get_data(as_text=True)


def _let_a_new_name_stay(client, post, briefing):
    """The probe's case: a name added to the system after approval is found, and let stay."""
    newcomer = db.session.scalar(select(User).where(User.email == SECOND))
    newcomer.display_name = NEWCOMER
    db.session.commit()
    return _override(
        client,
        post,
        briefing,
        "Thanked with their permission.",
        kind="name",
        text=NEWCOMER,
        section="inter-agency",
        n=1,
    )


def _remove_override(client, post, briefing):
    data = {"kind": "postcode", "text": "OX1 2JD", "section": "findings"}
    return post(client, f"/briefings/{briefing.id}/check/remove", data, follow_redirects=True).get_data(as_text=True)


CHANGES = {
    "section edited": _edit_section,
    "section drafted again": _refresh_section,
    "override added": _let_a_new_name_stay,
    "override removed": _remove_override,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_after_approval_needs_a_second_person_before_publishing(approved, app, login, post, change):
    briefing, approver = approved
    set_setting("author_may_approve", True)  # even when authors may approve their own version …
    db.session.commit()
    author = signed_in(app, login, AUTHOR)
    page = CHANGES[change](author, post, briefing)
    assert "The approval was withdrawn" in page
    row = reload(briefing)
    assert (row.state, row.approved_by_id, row.approved_at) == ("draft", None, None)

    assert "must be approved before it is published" in _publish(author, post, briefing)
    assert reload(briefing).state == "draft" and reload(briefing).pdf is None
    # … nobody approves their own change: not from the page, not by posting.
    assert f"Approve version {row.number}" not in author.get(f"/audits/{row.audit_id}/briefings").get_data(as_text=True)
    refused = _approve(author, post, briefing)
    assert "You changed this version after it was approved, so someone else must approve your change" in refused
    assert reload(briefing).state == "draft"

    if change == "override removed":  # the hit is open again: resolving it is a change, so a third person approves
        _override(approver, post, briefing, "Made up, checked again.")
        assert "You changed this version after it was approved" in _approve(approver, post, briefing)
        approver = signed_in(app, login, SECOND)
    assert "is approved" in _approve(approver, post, briefing)
    assert "is published" in _publish(author, post, briefing)
    assert reload(briefing).state == "published"


def test_the_trail_says_who_withdrew_the_approval_without_any_typed_text(approved, app, login, post):
    briefing, _ = approved
    _let_a_new_name_stay(signed_in(app, login, AUTHOR), post, briefing)
    withdrawn = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "briefing.approval_withdrawn")).one()
    assert withdrawn.user.email == AUTHOR and withdrawn.object_id == briefing.id
    recorded = json.dumps([withdrawn.before, withdrawn.after])
    assert NEWCOMER not in recorded and "OX1 2JD" not in recorded and "permission" not in recorded


def test_the_approver_is_e_mailed_that_their_approval_was_withdrawn(approved, app, login, post, smtp):  # noqa: F811
    briefing, _ = approved
    _edit_section(signed_in(app, login, AUTHOR), post, briefing)
    [(recipients, message)] = smtp.messages
    assert recipients == [APPROVER]
    assert "approval of version 1" in message["Subject"] and "withdrawn" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert "A second finding typed after approval" not in body  # says that it changed, never what was typed
    assert f"/audits/{reload(briefing).audit_id}/briefings" in body


def test_an_approver_who_changes_the_version_needs_someone_else_too(approved, app, login, post):
    briefing, approver = approved
    _edit_section(approver, post, briefing)
    composer = approver.get(f"/audits/{reload(briefing).audit_id}/briefings").get_data(as_text=True)
    assert "you changed this version after it was approved, so someone else in the business unit" in composer
    assert "Approve version 1" not in composer
    assert "You changed this version after it was approved" in _approve(approver, post, briefing)
    assert reload(briefing).state == "draft"
    assert "is approved" in _approve(signed_in(app, login, SECOND), post, briefing)


def test_a_change_that_bypasses_the_data_functions_still_withdraws_the_approval(approved):
    """The structural guard: whatever code changes an approved version's content or overrides, it is unapproved."""
    briefing, _ = approved
    row = reload(briefing)
    row.overrides = [*row.overrides, {"kind": "name", "text": NEWCOMER, "section": "key-messages", "reason": "x"}]
    db.session.commit()
    assert reload(briefing).state == "draft" and reload(briefing).approved_by_id is None
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "briefing.approval_withdrawn")).one()
    row = reload(briefing)
    row.state = "approved"
    db.session.commit()
    row.content = {**row.content, "key_messages": ["Changed behind the workflow's back."]}
    db.session.commit()
    assert reload(briefing).state == "draft"


def test_a_removed_override_makes_the_hit_open_again(factory, app, login, post):
    _, briefing = draft_for(factory, AUTHOR)
    factory.user("coordinator", email=APPROVER)
    row = reload(briefing)
    row.content = {**row.content, "findings": [POSTCODE]}
    db.session.commit()
    client = signed_in(app, login, APPROVER)
    _override(client, post, briefing, "Made up.")
    page = client.get(f"/briefings/{briefing.id}/check").get_data(as_text=True)
    assert "No longer let it stay" in page
    done = _remove_override(client, post, briefing)
    assert "is to resolve again" in done and "The approval was withdrawn" not in done
    assert reload(briefing).overrides == []
    assert "possible identifier that has not been resolved" in _approve(client, post, briefing)
    again = _remove_override(client, post, briefing)  # a second tab: nothing left to remove
    assert "The briefing changed since you opened the page" in again
