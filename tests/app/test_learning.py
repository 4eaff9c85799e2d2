"""Learning points: who may see and change them, evidence from confirmed codings only, order, and hostile text."""

import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import AuditEvent, Case, Coding, LearningPoint, Theme
from audit_tools.text import is_blank_looking
from tests.app import roles_learning
from tests.app.conftest import take_flashes

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE
ROLES = ("admin", "coordinator", "auditor", "panel", "editor", "viewer")


def _fill(rule: str, values: dict) -> str:
    for name, value in values.items():
        rule = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), rule)
    return rule.replace("<any(up, down):direction>", "up")


@pytest.mark.parametrize("role", ROLES)
def test_each_learning_page_opens_for_its_roles_and_no_other(app, client, factory, login, post, role):
    factory.user(role, agency=factory.agency("CSC") if role == "auditor" else None, email=f"{role}@test.example")
    audit = factory.audit(state="analysis")
    values = {"audit_id": audit.id, **roles_learning.url_values(audit, role)}
    login(client, f"{role}@test.example")
    opened = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("learning."):
            continue
        allowed = role in roles_learning.ROLES[rule.endpoint]
        url = _fill(rule.rule, values)
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == (200 if allowed else 403), (role, url)
            if allowed and response.mimetype == "text/html":
                assert response.get_data(as_text=True).count("<h1") == 1, url
            opened += allowed
        elif not allowed:
            assert post(client, url, {"text": "x", "name": "x"}).status_code == 403, (role, url)
    assert opened == roles_learning.PAGES.get(role, 0)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type.in_(("learning_point", "recommendation")))
        )
        == 0
    )


@pytest.fixture
def editor(client, factory, login):
    factory.user("editor", email="editor@test.example")
    login(client, "editor@test.example")


def _theme(name: str) -> Theme:
    theme = Theme(slug=name.lower().replace(" ", "_"), name=name, category="Practice")
    db.session.add(theme)
    db.session.commit()
    return theme


def _code(audit, case, theme, status="confirmed", source_key=None):
    db.session.add(
        Coding(
            audit_id=audit.id,
            case_id=case.id,
            source="panel",
            excerpt="Seen in the records.",
            source_key=source_key or f"{case.id}:{status}",
            theme_id=theme.id,
            status=status,
        )
    )
    db.session.commit()


def _points(audit) -> list[tuple[str, str]]:
    db.session.expire_all()  # the requests ran in sessions of their own
    return [
        (p.audience, p.text)
        for p in db.session.scalars(
            select(LearningPoint)
            .where(LearningPoint.audit_id == audit.id)
            .order_by(LearningPoint.audience, LearningPoint.position)
        )
    ]


def test_editor_adds_a_learning_point_with_themes(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    voice, drift = _theme("Voice of the child"), _theme("Drift and delay")
    page = client.get(f"/audits/{audit.id}/learning/new").get_data(as_text=True)
    assert "Voice of the child" in page and 'data-maxlength="2000"' in page  # the GOV.UK character count
    response = post(
        client,
        f"/audits/{audit.id}/learning/new",
        {
            "audience": "practitioners",
            "text": "See the child alone.\r\nWrite what they say.",
            "themes": [str(voice.id), str(drift.id)],
        },
    )
    assert response.status_code == 302
    point = db.session.scalar(select(LearningPoint))
    assert (point.audience, point.text) == ("practitioners", "See the child alone.\nWrite what they say.")
    assert {t.name for t in point.themes} == {"Voice of the child", "Drift and delay"}
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Learning point saved." in html
    practitioners = html.split("Action points for practitioners")[1].split("Key messages for inter-agency")[0]
    assert "See the child alone." in practitioners and "Voice of the child" in practitioners
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "learning_point"))
        == "learning_point.created"
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "Something to learn"}, "Choose who this learning is for"),
        ({"audience": "managers", "text": "   \r\n "}, "Enter the learning point"),
        ({"audience": "managers", "text": "x" * 2001}, "Learning point must be 2,000 characters or fewer"),
        ({"audience": "everyone", "text": "Something to learn"}, "Not a valid choice"),
        ({"audience": "managers", "text": "Something", "themes": ["999"]}, "not a valid choice"),
    ],
)
def test_a_bad_learning_point_is_refused_with_a_clear_message_and_nothing_saved(
    client, factory, post, editor, data, message
):
    audit = factory.audit(state="analysis")
    _theme("Voice of the child")
    response = post(client, f"/audits/{audit.id}/learning/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and "There is a problem" in html
    if "x" * 50 in data.get("text", ""):
        assert "x" * 2001 in html  # what was typed is kept
    assert _points(audit) == []


def test_evidence_counts_only_confirmed_codings_of_included_cases_in_this_audit(client, factory, post, editor):
    audit = factory.audit(state="analysis", cases=4)
    other = factory.audit(state="analysis", cases=1)
    voice, drift, fathers = _theme("Voice of the child"), _theme("Drift and delay"), _theme("Fathers")
    one, two, three, four = audit.cases
    _code(audit, one, voice)
    _code(audit, one, drift)  # the same case through a second theme counts once
    _code(audit, two, drift)
    _code(audit, three, voice, "suggested")  # never counted until a person confirms it
    _code(audit, four, drift, "rejected")
    _code(other, other.cases[0], voice)  # another audit's case
    four.included = False
    _code(audit, four, voice, source_key="excluded")  # an excluded case is not one of the audit's cases
    db.session.commit()
    for themes, text in (([voice, drift], "Both themes"), ([fathers], "Fathers only"), ([], "No themes")):
        post(
            client,
            f"/audits/{audit.id}/learning/new",
            {"audience": "managers", "text": text, "themes": [str(t.id) for t in themes]},
        )
    html = client.get(f"/audits/{audit.id}/learning").get_data(as_text=True)
    cards = {text: html.split(text)[1][:1500] for text in ("Both themes", "Fathers only", "No themes")}
    assert "Seen in 2 of 3 cases" in cards["Both themes"]
    assert "Seen in 0 of 3 cases" in cards["Fathers only"]
    assert "Link themes to show the evidence" in cards["No themes"]


def _add(client, post, audit, audience, text):
    assert post(client, f"/audits/{audit.id}/learning/new", {"audience": audience, "text": text}).status_code == 302
    return db.session.scalar(select(LearningPoint).where(LearningPoint.text == text))


def test_learning_points_move_up_and_down_within_their_audience(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    first, second = _add(client, post, audit, "managers", "First"), _add(client, post, audit, "managers", "Second")
    third = _add(client, post, audit, "managers", "Third")
    _add(client, post, audit, "practitioners", "Practice")
    assert post(client, f"/audits/{audit.id}/learning/{third.id}/move/up").status_code == 302
    assert _points(audit) == [
        ("managers", "First"),
        ("managers", "Third"),
        ("managers", "Second"),
        ("practitioners", "Practice"),
    ]
    post(client, f"/audits/{audit.id}/learning/{first.id}/move/up")  # already first: nothing changes
    post(client, f"/audits/{audit.id}/learning/{first.id}/move/down")
    assert [t for a, t in _points(audit) if a == "managers"] == ["Third", "First", "Second"]
    html = client.get(f"/audits/{audit.id}/learning").get_data(as_text=True)
    assert html.index("Third") < html.index("First") < html.index("Second")
    assert second.id  # the second point was never moved directly


def test_changing_the_audience_puts_the_point_last_in_its_new_section(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    moving = _add(client, post, audit, "managers", "Moving")
    _add(client, post, audit, "inter_agency", "Already there")
    assert "Moving" in client.get(f"/audits/{audit.id}/learning/{moving.id}").get_data(as_text=True)
    post(client, f"/audits/{audit.id}/learning/{moving.id}", {"audience": "inter_agency", "text": "Moving, changed"})
    assert _points(audit) == [("inter_agency", "Already there"), ("inter_agency", "Moving, changed")]


def test_a_learning_point_is_deleted_with_the_warning_button(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    point = _add(client, post, audit, "managers", "Short-lived")
    page = client.get(f"/audits/{audit.id}/learning/{point.id}").get_data(as_text=True)
    assert "govuk-button--warning" in page and "Delete learning point" in page
    response = post(client, f"/audits/{audit.id}/learning/{point.id}/delete")
    assert response.status_code == 302
    assert _points(audit) == []
    assert "Learning point deleted." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_learning_point_of_another_audit_is_not_found_through_this_one(client, factory, post, editor):
    audit, other = factory.audit(state="analysis"), factory.audit(state="analysis")
    point = _add(client, post, other, "managers", "Belongs elsewhere")
    base = f"/audits/{audit.id}/learning/{point.id}"
    assert client.get(base).status_code == 404
    for url in (base, base + "/delete", base + "/move/up"):
        assert post(client, url, {"audience": "managers", "text": "Hijacked"}).status_code == 404, url
    assert _points(other) == [("managers", "Belongs elsewhere")]
    assert client.get("/audits/999/learning").status_code == 404


def test_editors_see_learning_only_after_the_reveal(client, factory, post, editor):
    audit = factory.audit(state="open")
    assert client.get(f"/audits/{audit.id}/learning").status_code == 403
    assert (
        post(client, f"/audits/{audit.id}/learning/new", {"audience": "managers", "text": "Early"}).status_code == 403
    )
    assert _points(audit) == []


def test_published_learning_is_read_only(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    point = _add(client, post, audit, "managers", "As published")
    audit.state = "published"
    db.session.commit()
    page = client.get(f"/audits/{audit.id}/learning").get_data(as_text=True)
    assert "As published" in page and "can no longer change" in page
    assert "Add a learning point" not in page and "Move up" not in page
    for url in (
        f"/audits/{audit.id}/learning/{point.id}",
        f"/audits/{audit.id}/learning/{point.id}/delete",
        f"/audits/{audit.id}/learning/new",
    ):
        response = post(client, url, {"audience": "managers", "text": "Changed after publication"})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/audits/{audit.id}/learning")
    assert _points(audit) == [("managers", "As published")]


def test_coordinator_of_an_open_audit_is_told_when_learning_can_be_written(client, factory, login):
    factory.user("coordinator", email="coordinator@test.example")
    audit = factory.audit(state="open")
    login(client, "coordinator@test.example")
    assert "once the returns have been revealed" in client.get(f"/audits/{audit.id}/learning").get_data(as_text=True)
    response = client.get(f"/audits/{audit.id}/learning/new")
    assert response.status_code == 302


def test_all_hostile_strings_are_stored_exactly_and_shown_escaped(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    for number, text in enumerate(BLNS):
        response = post(client, f"/audits/{audit.id}/learning/new", {"audience": "managers", "text": text})
        typed = text.replace("\r\n", "\n").replace("\r", "\n")
        if not is_blank_looking(typed):  # text of only spaces and invisible characters is refused as empty
            assert response.status_code == 302, (number, text)
            stored = db.session.scalar(select(LearningPoint.text).order_by(LearningPoint.id.desc()).limit(1))
            assert stored == typed, number
            assert take_flashes(client) == [("success", "Learning point saved.")], number  # as the next page shows
        else:
            assert "Enter the learning point" in response.get_data(as_text=True), number
    page = client.get(f"/audits/{audit.id}/learning")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in db.session.scalars(select(LearningPoint.text)):
        for line in (line for line in text.split("\n") if line.strip()):
            assert str(escape(line)) in html, line
    assert not re.search(r"<script>alert", html, re.I)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 2  # nothing else was touched
