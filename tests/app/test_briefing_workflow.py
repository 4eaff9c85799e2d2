"""Disclosure check, overrides with reasons, approval rules, publication, immutability, new versions and the library."""

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from audit_app.data.settings import set_setting
from audit_app.extensions import db
from audit_app.models import Audit, AuditEvent, Briefing, User
from tests.app.roles_briefings import draft_for, reload, signed_in

AUTHOR = "author@test.example"
COORDINATOR = "coordinator@test.example"


@pytest.fixture
def draft(factory):
    audit, briefing = draft_for(factory, AUTHOR)
    factory.user("coordinator", email=COORDINATOR)
    return audit, briefing


def put_findings(briefing, findings):
    row = reload(briefing)
    row.content = {**row.content, "findings": findings}
    db.session.commit()


def approve(client, post, briefing):
    return post(
        client,
        f"/briefings/{briefing.id}/approve",
        {"lock_version": str(reload(briefing).lock_version)},
        follow_redirects=True,
    )


def publish(client, post, briefing):
    return post(
        client,
        f"/briefings/{briefing.id}/publish",
        {"lock_version": str(reload(briefing).lock_version)},
        follow_redirects=True,
    )


def override(client, post, briefing, reason: str, kind="postcode", text="OX1 2JD", section="findings", n=0):
    data = {"hit": str(n), "kind": kind, "text": text, "section": section, "reason": reason}
    return post(client, f"/briefings/{briefing.id}/check", data, follow_redirects=True)


def test_check_shows_each_hit_in_context_with_its_kind_and_section(draft, app, login):
    audit, briefing = draft
    put_findings(briefing, ["Case T-01 was seen on 12/03/2019 by <b>Test editor</b> at OX1 2JD."])
    client = signed_in(app, login, COORDINATOR)
    html = client.get(f"/briefings/{briefing.id}/check").get_data(as_text=True)
    for kind in ("Case reference", "Date that could be a date of birth", "UK postcode"):
        assert kind in html
    assert "<mark>T-01</mark>" in html and "<mark>12/03/2019</mark>" in html and "<mark>OX1 2JD</mark>" in html
    assert "&lt;b&gt;" in html and "<b>Test" not in html  # typed markup shown as text
    assert "Finding 1" in html and "Findings" in html
    assert html.count("To resolve") >= 3 and "Edit the section" in html


def test_every_text_is_checked_titles_labels_charts_recommendations_resources(draft):
    from audit_tools.briefing import check_content

    _, briefing = draft
    content = {
        **reload(briefing).content,
        "topic": "T-02",
        "key_figures": [{"value": "1", "label": "T-02"}],
        "charts": [{"title": "T-02", "labels": ["T-02"], "values": [1], "value_label": "T-02"}],
        "recommendations": [{"text": "a", "lead": "T-02", "timeframe": "T-02"}],
        "resources": [{"title": "T-02", "url": "https://example.org/T-02"}],
        "definition": "T-02",
        "summary": ["T-02"],
        "themes_in_common": ["T-02"],
        "learning_points_managers": ["T-02"],
        "action_points_practitioners": ["T-02"],
        "key_messages": ["T-02"],
        "partnership_name": "T-02 SCP",
    }
    findings = check_content(content, case_references=["T-02"], names=[])
    sections = {f.where.section.key for f in findings}
    assert sections == {
        "title",
        "definition",
        "summary",
        "key-figures",
        "charts",
        "themes",
        "managers",
        "practitioners",
        "inter-agency",
        "recommendations",
        "resources",
    }
    assert len(findings) == 16  # every box that holds T-02, each once


def test_a_hit_blocks_approval_until_overridden_with_a_reason(draft, app, login, post):
    _, briefing = draft
    put_findings(briefing, ["Seen at OX1 2JD."])
    client = signed_in(app, login, COORDINATOR)
    refused = approve(client, post, briefing).get_data(as_text=True)
    assert "found 1 possible identifier that has not been resolved" in refused
    assert reload(briefing).state == "draft"

    empty = override(client, post, briefing, "   ").get_data(as_text=True)
    assert "Enter why this may stay in the briefing" in empty and 'href="#reason-0"' in empty
    assert reload(briefing).overrides == []

    done = override(client, post, briefing, "A made-up postcode in a training example.").get_data(as_text=True)
    assert "Your reason is recorded" in done and "Allowed to stay" in done
    saved = reload(briefing).overrides
    assert saved[0]["kind"] == "postcode" and saved[0]["text"] == "OX1 2JD" and saved[0]["section"] == "findings"
    assert saved[0]["reason"] == "A made-up postcode in a training example."
    assert saved[0]["by_name"] == "Test coordinator"
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "briefing.override")).one()

    assert "is approved" in approve(client, post, briefing).get_data(as_text=True)
    assert reload(briefing).state == "approved"


def test_an_override_covers_only_its_own_section(draft, app, login, post):
    _, briefing = draft
    put_findings(briefing, ["Seen at OX1 2JD."])
    client = signed_in(app, login, COORDINATOR)
    override(client, post, briefing, "Fictional.")
    row = reload(briefing)
    row.content = {**row.content, "key_messages": ["Also OX1 2JD."]}
    db.session.commit()
    assert "possible identifier that has not been resolved" in approve(client, post, briefing).get_data(as_text=True)


def test_an_override_for_a_hit_that_is_gone_is_refused(draft, app, login, post):
    _, briefing = draft
    put_findings(briefing, ["Seen at OX1 2JD."])
    client = signed_in(app, login, COORDINATOR)
    response = post(
        client,
        f"/briefings/{briefing.id}/check",
        {"hit": "0", "kind": "postcode", "text": "ZZ9 9ZZ", "section": "findings", "reason": "x"},
        follow_redirects=True,
    )
    assert "The briefing changed since you opened the page" in response.get_data(as_text=True)
    assert reload(briefing).overrides == []


def test_editing_the_hit_away_unblocks_approval(draft, app, login, post):
    _, briefing = draft
    put_findings(briefing, ["Seen at OX1 2JD."])
    client = signed_in(app, login, COORDINATOR)
    post(
        client,
        f"/briefings/{briefing.id}/sections/findings",
        {"lock_version": str(reload(briefing).lock_version), "items-0-text": "Seen at home.", "action": "save"},
    )
    assert "Nothing found" in client.get(f"/briefings/{briefing.id}/check").get_data(as_text=True)
    approve(client, post, briefing)
    assert reload(briefing).state == "approved"


def test_names_of_people_known_to_the_system_are_hits(draft, app, login, factory):
    _, briefing = draft
    factory.user("panel", email="p@test.example")
    row = reload(briefing)
    row.content = {**row.content, "key_messages": ["Thanks to Harriet Okonkwo-Baines."]}
    db.session.scalar(select(User).where(User.email == "p@test.example")).display_name = "Harriet Okonkwo-Baines"
    db.session.commit()
    html = signed_in(app, login, COORDINATOR).get(f"/briefings/{briefing.id}/check").get_data(as_text=True)
    assert "Name of a person" in html and "<mark>Harriet Okonkwo-Baines</mark>" in html


def test_the_author_may_not_approve_their_own_briefing_unless_allowed(draft, app, login, post):
    _, briefing = draft
    author = signed_in(app, login, AUTHOR)
    composer = author.get(f"/audits/{briefing.audit_id}/briefings").get_data(as_text=True)
    assert "someone else in the business unit must approve it" in composer and "Approve version 1" not in composer
    refused = approve(author, post, briefing).get_data(as_text=True)
    assert "You started this version, so someone else must approve it" in refused
    assert reload(briefing).state == "draft"
    set_setting("author_may_approve", True)
    db.session.commit()
    approve(author, post, briefing)
    assert reload(briefing).state == "approved" and reload(briefing).approved_by.email == AUTHOR


def test_approval_needs_the_version_the_approver_saw(draft, app, login, post):
    _, briefing = draft
    client = signed_in(app, login, COORDINATOR)
    response = post(client, f"/briefings/{briefing.id}/approve", {"lock_version": "999"}, follow_redirects=True)
    assert "The briefing changed since you opened the page" in response.get_data(as_text=True)
    assert reload(briefing).state == "draft"


def test_publish_needs_approval_first(draft, app, login, post):
    _, briefing = draft
    client = signed_in(app, login, COORDINATOR)
    assert "must be approved before it is published" in publish(client, post, briefing).get_data(as_text=True)
    assert reload(briefing).state == "draft"


def _published(draft, app, login, post):
    audit, briefing = draft
    client = signed_in(app, login, COORDINATOR)
    approve(client, post, briefing)
    page = publish(client, post, briefing)
    return audit, reload(briefing), client, page


def test_publish_stores_pdf_html_and_a_sha256_that_matches(draft, app, login, post):
    audit, briefing, client, page = _published(draft, app, login, post)
    assert page.status_code == 200 and "is published" in page.get_data(as_text=True)
    assert briefing.state == "published" and briefing.published_by.email == COORDINATOR
    assert briefing.pdf.startswith(b"%PDF-") and briefing.sha256 == hashlib.sha256(briefing.pdf).hexdigest()
    assert briefing.html.startswith("<!DOCTYPE html>") and "Learning from the audit: Neglect" in briefing.html
    assert briefing.content["version"] == "Version 1"
    download = client.get(f"/briefings/{briefing.id}.pdf")
    assert hashlib.sha256(download.data).hexdigest() == briefing.sha256
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="learning-briefing-2026-audit-{audit.id}-version-1.pdf"'
    )
    assert client.get(f"/briefings/{briefing.id}.html").get_data(as_text=True) == briefing.html
    assert db.session.get(Audit, audit.id).state == "published"
    events = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events[-2:] == ["briefing.published", "audit.state"]


def test_a_published_version_never_changes(draft, app, login, post):
    _, briefing, client, _ = _published(draft, app, login, post)
    before = (briefing.content, briefing.sha256, briefing.lock_version)
    lock = str(briefing.lock_version)
    for url, data in [
        (f"/briefings/{briefing.id}/sections/findings", {"lock_version": lock, "items-0-text": "x", "action": "save"}),
        (f"/briefings/{briefing.id}/sections/title", {"lock_version": lock, "series_title": "x", "topic": "y"}),
        (f"/briefings/{briefing.id}/sections/findings/refresh", {"lock_version": lock}),
        (f"/briefings/{briefing.id}/check", {"hit": "0", "reason": "x"}),
        (f"/briefings/{briefing.id}/approve", {"lock_version": lock}),
        (f"/briefings/{briefing.id}/publish", {"lock_version": lock}),
    ]:
        response = post(client, url, data)
        assert response.status_code == 409, url
        assert "is published and cannot change" in response.get_data(as_text=True)
    assert client.get(f"/briefings/{briefing.id}/sections/findings").status_code == 409
    after = reload(briefing)
    assert (after.content, after.sha256, after.lock_version) == before


def test_start_a_new_version_copies_the_published_content(draft, app, login, post):
    audit, briefing, client, _ = _published(draft, app, login, post)
    page = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert "Start a new version" in page
    post(client, f"/briefings/{briefing.id}/new-version")
    second = db.session.scalar(select(Briefing).where(Briefing.number == 2))
    assert second.state == "draft" and second.overrides == []
    assert second.content["findings"] == briefing.content["findings"]
    assert second.content["version"] == "Version 2 (draft)"
    assert reload(briefing).state == "published"  # version 1 stays in the library as it was
    refused = post(client, f"/briefings/{second.id}/new-version", follow_redirects=True).get_data(as_text=True)
    assert "Version 2 is not published yet" in refused  # a new version starts only from a published one
    assert db.session.scalar(select(Briefing).where(Briefing.number == 3)) is None


def test_library_lists_published_versions_newest_first_for_every_role(draft, app, login, post, factory):
    audit, briefing, client, _ = _published(draft, app, login, post)
    post(client, f"/briefings/{briefing.id}/new-version")
    factory.user("viewer", email="v@test.example")
    viewer = signed_in(app, login, "v@test.example")
    html = viewer.get("/briefings").get_data(as_text=True)
    assert audit.title in html and briefing.sha256 in html and ">2026<" in html
    assert f"/briefings/{briefing.id}.pdf" in html and f'/briefings/{briefing.id}"' in html
    second = db.session.scalar(select(Briefing).where(Briefing.number == 2))
    assert f'/briefings/{second.id}"' not in html  # a draft is not in the library
    assert viewer.get(f"/briefings/{briefing.id}").status_code == 200
    assert viewer.get(f"/briefings/{briefing.id}.pdf").status_code == 200
    assert viewer.get(f"/briefings/{second.id}").status_code == 403
    assert viewer.get(f"/briefings/{second.id}.pdf").status_code == 403
    assert viewer.get(f"/audits/{audit.id}/briefings").status_code == 403


def test_library_is_newest_first(app, login, factory):
    factory.user("viewer", email="v@test.example")
    older, newer = factory.audit(state="published"), factory.audit(state="closed")
    older.title, newer.title = "Older audit", "Newer audit"
    for audit, day in ((older, 1), (newer, 2)):
        db.session.add(
            Briefing(
                audit_id=audit.id,
                number=1,
                state="published",
                content={},
                overrides=[],
                pdf=b"%PDF",
                sha256="a" * 64,
                published_at=datetime(2026, 5, day, tzinfo=UTC),
            )
        )
    db.session.commit()
    html = signed_in(app, login, "v@test.example").get("/briefings").get_data(as_text=True)
    assert html.index("Newer audit") < html.index("Older audit")


def test_coordinator_closes_a_published_audit(draft, app, login, post):
    audit, _, client, _ = _published(draft, app, login, post)
    from audit_app.data.audits import NEXT_STATE, advance, transition_check

    assert NEXT_STATE["published"] == "closed"
    audit = db.session.get(Audit, audit.id)
    assert transition_check(audit).blockers == [] and transition_check(audit).target == "closed"
    assert advance(audit, db.session.scalar(select(User).where(User.email == COORDINATOR))) == "closed"
    db.session.commit()
    assert db.session.get(Audit, audit.id).state == "closed"
    assert transition_check(audit).target is None  # nothing comes after closed


def test_closing_warns_about_an_unpublished_version(draft, app, login, post):
    audit, briefing, client, _ = _published(draft, app, login, post)
    post(client, f"/briefings/{briefing.id}/new-version")
    from audit_app.data.audits import transition_check

    assert (
        "Version 2 of the learning briefing has not been published"
        in transition_check(db.session.get(Audit, audit.id)).warnings[0]
    )


def test_publishing_a_later_version_of_a_closed_audit_leaves_it_closed(draft, app, login, post):
    audit, briefing, client, _ = _published(draft, app, login, post)
    post(client, f"/briefings/{briefing.id}/new-version")
    db.session.get(Audit, audit.id).state = "closed"
    set_setting("author_may_approve", True)
    db.session.commit()
    second = db.session.scalar(select(Briefing).where(Briefing.number == 2))
    approve(client, post, second)
    publish(client, post, second)
    assert reload(second).state == "published" and db.session.get(Audit, audit.id).state == "closed"


def test_publish_checks_again_and_refuses_a_name_added_since_approval(draft, app, login, post, factory):
    _, briefing = draft
    put_findings(briefing, ["Thanks to Quorrowby for the chronology."])  # a surname no list holds
    client = signed_in(app, login, COORDINATOR)
    approve(client, post, briefing)
    assert reload(briefing).state == "approved"
    newcomer = factory.user("viewer", email="new@test.example")
    newcomer.display_name = "Tamsin Quorrowby"
    db.session.commit()
    refused = publish(client, post, briefing).get_data(as_text=True)
    assert "The disclosure check now finds something new" in refused
    assert reload(briefing).state == "approved" and reload(briefing).pdf is None


def test_no_new_version_once_the_audit_is_closed(draft, app, login, post):
    audit, briefing, client, _ = _published(draft, app, login, post)
    db.session.get(Audit, audit.id).state = "closed"
    db.session.commit()
    assert "This audit is closed" in client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    refused = post(client, f"/briefings/{briefing.id}/new-version", follow_redirects=True).get_data(as_text=True)
    assert "no new version of its briefing can be started" in refused
    assert db.session.scalar(select(Briefing).where(Briefing.number == 2)) is None


def test_publishing_first_shows_a_page_saying_what_becomes_permanent(draft, app, login, post):
    audit, briefing = draft
    client = signed_in(app, login, COORDINATOR)
    composer = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert f'href="/briefings/{briefing.id}/publish"' not in composer  # not approved yet: no way to publish
    page = client.get(f"/briefings/{briefing.id}/publish").get_data(as_text=True)
    assert "must be approved before it can be published" in page and "Publishing cannot be undone" not in page
    approve(client, post, briefing)
    composer = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert f'href="/briefings/{briefing.id}/publish"' in composer  # the button goes to the page, not straight on
    page = client.get(f"/briefings/{briefing.id}/publish").get_data(as_text=True)
    assert "Publishing makes these permanent" in page and "Publishing cannot be undone." in page
    assert 'name="csrf_token"' in page
    assert reload(briefing).state == "approved"  # looking at the page changes nothing
    assert publish(client, post, briefing).status_code == 200
    assert reload(briefing).state == "published"


def _pdf_pages_and_date(data: bytes) -> tuple[list[str], str]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages], str(reader.metadata["/CreationDate"])


def test_a_draft_is_marked_draft_on_every_page_and_dated_with_its_last_save(draft, app, login):
    _, briefing = draft
    client = signed_in(app, login, COORDINATOR)
    first = client.get(f"/briefings/{briefing.id}.pdf").data
    pages, created = _pdf_pages_and_date(first)
    assert all("DRAFT – not for publication" in page for page in pages)
    saved = reload(briefing).updated_at.astimezone(UTC)
    assert created.startswith("D:" + saved.strftime("%Y%m%d%H%M%S"))
    assert client.get(f"/briefings/{briefing.id}.pdf").data == first  # rebuilt: the very same bytes


def test_a_published_version_has_no_draft_mark_and_is_dated_when_published(draft, app, login, post):
    _, briefing, client, _ = _published(draft, app, login, post)
    pages, created = _pdf_pages_and_date(briefing.pdf)
    assert not any("DRAFT" in page for page in pages)
    assert created.startswith("D:" + briefing.published_at.astimezone(UTC).strftime("%Y%m%d%H%M%S"))
