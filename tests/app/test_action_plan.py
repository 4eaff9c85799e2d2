"""Recommendations, their progress, the category list, the action plan across audits and the year-on-year view."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import delete, event, func, select

from audit_app.extensions import db
from audit_app.models import (
    ActionUpdate,
    Answer,
    AuditEvent,
    Coding,
    Recommendation,
    RecommendationCategory,
    Theme,
)
from audit_tools.text import is_blank_looking
from tests.app.conftest import take_flashes

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE
PAST, FUTURE = date.today() - timedelta(days=10), date.today() + timedelta(days=30)


@pytest.fixture
def categories(ctx):
    db.session.add_all(
        [
            RecommendationCategory(slug="communication", name="Communication", position=1),
            RecommendationCategory(slug="workforce", name="Workforce development", position=2),
        ]
    )
    db.session.commit()


@pytest.fixture
def editor(client, factory, login, categories):
    factory.user("editor", email="editor@test.example")
    login(client, "editor@test.example")


def _recommendation(
    audit, text="Relaunch the checklist", lead=None, due=None, rag="amber", category="communication", position=0
):
    rec = Recommendation(
        audit_id=audit.id,
        text=text,
        category=category,
        lead_agency_id=lead.id if lead else None,
        due_date=due,
        rag=rag,
        timeframe="By March 2027",
        position=position,
    )
    db.session.add(rec)
    db.session.commit()
    return rec


def _form(factory, **changes):
    data = {
        "text": "Relaunch the neglect checklist",
        "category": "communication",
        "lead_agency": str(factory.agency("CSC").id),
        "timeframe": "By March 2027",
        "due_date": ["31", "3", "2027"],
        "rag": "amber",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


def _stored():
    db.session.expire_all()  # the requests ran in sessions of their own
    return list(db.session.scalars(select(Recommendation).order_by(Recommendation.position)))


def test_editor_adds_a_recommendation(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    response = post(client, f"/audits/{audit.id}/recommendations/new", _form(factory))
    assert response.status_code == 302
    [rec] = _stored()
    assert (rec.text, rec.category, rec.lead_agency.short_name, rec.timeframe, rec.due_date, rec.rag) == (
        "Relaunch the neglect checklist",
        "communication",
        "CSC",
        "By March 2027",
        date(2027, 3, 31),
        "amber",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recommendation saved." in html and "31 March 2027" in html and "Amber – at risk" in html
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "recommendation"))
        == "recommendation.created"
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"text": ""}, "Enter the recommendation"),
        ({"text": "y" * 2001}, "Recommendation must be 2,000 characters or fewer"),
        ({"category": ""}, "Choose a category"),
        ({"category": "nonsense"}, "Not a valid choice"),
        ({"lead_agency": ""}, "Choose the lead agency"),
        ({"timeframe": "t" * 121}, "Time frame must be 120 characters or fewer"),
        ({"due_date": ["31", "2", "2027"]}, "Enter a real date for ‘Due date’"),
        ({"rag": None}, "Choose a status"),
    ],
)
def test_a_bad_recommendation_is_refused_with_a_clear_message_and_nothing_saved(
    client, factory, post, editor, changes, message
):
    audit = factory.audit(state="analysis")
    response = post(client, f"/audits/{audit.id}/recommendations/new", _form(factory, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "There is a problem" in html
    assert "Relaunch the neglect checklist" in html or "text" in changes  # what was typed is kept
    assert _stored() == []


def test_editing_keeps_the_status_which_follows_the_latest_progress_update(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    rec = _recommendation(audit, rag="green")
    page = client.get(f"/audits/{audit.id}/recommendations/{rec.id}/edit").get_data(as_text=True)
    assert "add a progress update" in page and 'name="rag"' not in page
    post(client, f"/audits/{audit.id}/recommendations/{rec.id}/edit", _form(factory, text="Reworded", rag="red"))
    assert (_stored()[0].text, _stored()[0].rag) == ("Reworded", "green")
    for text, rag in (("Briefing written", "amber"), ("Training booked", "red"), ("All done", "complete")):
        assert post(client, f"/recommendations/{rec.id}/updates", {"text": text, "rag": rag}).status_code == 302
        assert _stored()[0].rag == rag
    html = client.get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert html.index("All done") < html.index("Training booked") < html.index("Briefing written")  # newest first
    assert html.count('<span class="govuk-body-s">Test editor</span>') == 3 and date.today().strftime("%B %Y") in html
    assert [u.rag for u in db.session.scalars(select(ActionUpdate).order_by(ActionUpdate.id))] == [
        "amber",
        "red",
        "complete",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "", "rag": "red"}, "Enter the progress update"),
        ({"text": "z" * 2001, "rag": "red"}, "Progress update must be 2,000 characters or fewer"),
        ({"text": "Something", "rag": "purple"}, "Not a valid choice"),
    ],
)
def test_a_bad_progress_update_changes_nothing(client, factory, post, editor, data, message):
    rec = _recommendation(factory.audit(state="analysis"), rag="green")
    response = post(client, f"/recommendations/{rec.id}/updates", data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _stored()[0].rag == "green" and db.session.scalar(select(func.count()).select_from(ActionUpdate)) == 0


def test_progress_can_be_recorded_after_publication_but_the_recommendation_cannot_change(client, factory, post, editor):
    audit = factory.audit(state="published")
    rec = _recommendation(audit)
    response = post(client, f"/audits/{audit.id}/recommendations/{rec.id}/edit", _form(factory, text="Rewritten"))
    assert response.status_code == 302
    assert "can no longer change" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert post(client, f"/recommendations/{rec.id}/updates", {"text": "Done", "rag": "complete"}).status_code == 302
    assert (_stored()[0].text, _stored()[0].rag) == ("Relaunch the checklist", "complete")


def test_recommendations_move_and_are_deleted_with_their_updates(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    first, second = _recommendation(audit, "First", position=0), _recommendation(audit, "Second", position=1)
    post(client, f"/recommendations/{first.id}/updates", {"text": "Started", "rag": "green"})
    assert post(client, f"/audits/{audit.id}/recommendations/{second.id}/move/up").status_code == 302
    assert [r.text for r in _stored()] == ["Second", "First"]
    assert post(client, f"/audits/{audit.id}/recommendations/{first.id}/delete").status_code == 302
    assert [r.text for r in _stored()] == ["Second"]
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == 0


def test_a_recommendation_of_another_audit_is_not_found_through_this_one(client, factory, post, editor):
    audit, other = factory.audit(state="analysis"), factory.audit(state="analysis")
    rec = _recommendation(other)
    base = f"/audits/{audit.id}/recommendations/{rec.id}"
    assert client.get(base + "/edit").status_code == 404
    for url in (base + "/edit", base + "/delete", base + "/move/up"):
        assert post(client, url, _form(factory, text="Hijacked")).status_code == 404, url
    assert client.get("/recommendations/999").status_code == 404
    assert [r.text for r in _stored()] == ["Relaunch the checklist"]


def test_viewers_read_only_published_recommendations_and_cannot_add_progress(client, factory, login, post):
    factory.user("viewer", email="viewer@test.example")
    published, draft = (
        _recommendation(factory.audit(state="published"), "Agreed"),
        _recommendation(factory.audit(state="analysis"), "Still a draft"),
    )
    login(client, "viewer@test.example")
    assert client.get(f"/recommendations/{published.id}").status_code == 200
    assert "Add a progress update" not in client.get(f"/recommendations/{published.id}").get_data(as_text=True)
    assert client.get(f"/recommendations/{draft.id}").status_code == 404
    html = client.get("/actions").get_data(as_text=True)
    assert "Agreed" in html and "Still a draft" not in html
    assert post(client, f"/recommendations/{published.id}/updates", {"text": "x", "rag": "red"}).status_code == 403


@pytest.fixture
def plan(factory, categories):
    """Two audits' recommendations with different leads, categories, due dates and statuses."""
    csc, eh = factory.agency("CSC"), factory.agency("EH")
    first, second = factory.audit(state="analysis"), factory.audit(state="published")
    first.title, second.title = "Neglect audit 2026", "Neglect audit 2025"
    db.session.commit()
    return {
        "first": first,
        "second": second,
        "csc": csc,
        "eh": eh,
        "recs": [
            _recommendation(first, "Late and red", csc, PAST, "red"),
            _recommendation(first, "Late but complete", eh, PAST, "complete", "workforce"),
            _recommendation(second, "Not due yet", csc, FUTURE, "green", "workforce"),
            _recommendation(second, "No date", eh, None, "amber"),
        ],
    }


def _rows(html: str) -> list[str]:
    return [text for text in ("Late and red", "Late but complete", "Not due yet", "No date") if text in html]


def test_the_action_plan_filters_by_audit_lead_category_status_and_overdue(client, post, plan, editor):
    def shown(query: str) -> list[str]:
        response = client.get("/actions" + query)
        assert response.status_code == 200
        return _rows(response.get_data(as_text=True))

    assert shown("") == ["Late and red", "Late but complete", "Not due yet", "No date"]  # soonest due first
    assert shown(f"?audit={plan['second'].id}") == ["Not due yet", "No date"]
    assert shown(f"?lead_agency={plan['eh'].id}") == ["Late but complete", "No date"]
    assert shown("?category=workforce") == ["Late but complete", "Not due yet"]
    assert shown("?rag=green") == ["Not due yet"]
    assert shown("?overdue=y") == ["Late and red"]
    assert shown(f"?overdue=y&lead_agency={plan['eh'].id}") == []
    html = client.get("/actions?rag=purple&audit=abc").get_data(as_text=True)
    assert "There is a problem" in html and _rows(html) == _rows(client.get("/actions").get_data(as_text=True))


def test_the_action_plan_counts_statuses_in_words_and_shows_the_last_update(client, post, plan, editor):
    post(client, f"/recommendations/{plan['recs'][3].id}/updates", {"text": "Going well", "rag": "green"})
    html = client.get("/actions").get_data(as_text=True)
    figures = re.findall(r'app-figures__value">(\d+)</span>\s*([^<]+?)\s*</li>', html)
    assert figures == [("1", "Red – off track"), ("0", "Amber – at risk"), ("2", "Green – on track"), ("1", "Complete")]
    assert "Overdue" in html and html.count(date.today().strftime("%B %Y")) >= 1


def test_the_action_plan_csv_is_filtered_and_never_runs_a_formula(client, post, plan, editor):
    rec = plan["recs"][0]
    post(
        client,
        f"/audits/{plan['first'].id}/recommendations/{rec.id}/edit",
        {
            "text": '=HYPERLINK("http://evil.example","click")',
            "category": "communication",
            "lead_agency": str(plan["csc"].id),
            "timeframe": "+1 month",
            "due_date": [str(PAST.day), str(PAST.month), str(PAST.year)],
        },
    )
    response = client.get("/actions.csv?overdue=y")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Recommendation", "Audit", "Year"]
    assert len(rows) == 2  # the header and the one overdue action
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","click")' and rows[1][5] == "'+1 month"
    assert rows[1][7:9] == ["Red – off track", "Yes"]
    assert "actions.csv?overdue=y" in client.get("/actions?overdue=y").get_data(as_text=True)


def test_the_action_plan_runs_the_same_statements_however_many_actions(app, client, factory, post, plan, editor):
    def statements() -> int:
        count = []
        with app.app_context():
            engine = db.engine
        listener = lambda *_args: count.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/actions").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(count)

    before = statements()
    for n in range(6):
        rec = _recommendation(plan["first"], f"More {n}", factory.agency(f"A{n}"), FUTURE)
        db.session.add(ActionUpdate(recommendation_id=rec.id, text="Started", rag="green"))
    db.session.commit()
    assert statements() == before


def test_categories_are_added_renamed_reordered_and_deleted_only_when_unused(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    assert post(client, "/categories", {"name": "Early help offer"}).status_code == 302
    html = post(client, "/categories", {"name": "communication"}).get_data(as_text=True)
    assert "There is already a category called ‘Communication’" in html
    assert "There is a problem" in post(client, "/categories", {"name": "n" * 121}).get_data(as_text=True)

    def names():
        return [
            c.name for c in db.session.scalars(select(RecommendationCategory).order_by(RecommendationCategory.position))
        ]

    assert names() == ["Communication", "Workforce development", "Early help offer"]
    added = db.session.scalar(
        select(RecommendationCategory.slug).where(RecommendationCategory.name == "Early help offer")
    )
    assert added == "early_help_offer"
    post(client, f"/categories/{added}/move/up")
    db.session.expire_all()
    assert names() == ["Communication", "Early help offer", "Workforce development"]
    assert post(client, "/categories/workforce/edit", {"name": "Training and workforce"}).status_code == 302
    assert "Communication" in post(client, "/categories/workforce/edit", {"name": "Communication"}).get_data(
        as_text=True
    )
    _recommendation(audit, category="communication")
    response = post(client, "/categories/communication/delete")
    assert "cannot be deleted because 1 recommendation is filed under it" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    post(client, f"/categories/{added}/delete")
    db.session.expire_all()
    assert names() == ["Communication", "Training and workforce"]
    assert client.get("/categories/nothing/edit").status_code == 404


def _theme(name):
    theme = Theme(slug=name.lower().replace(" ", "_"), name=name)
    db.session.add(theme)
    db.session.commit()
    return theme


def test_trends_count_confirmed_themes_per_audit_and_mark_recurring_ones(client, factory, post, editor):
    older, newer, hidden = (factory.audit(state=s) for s in ("closed", "analysis", "open"))
    older.year, newer.title, hidden.title = 2024, "Newer audit", "Hidden audit"
    voice, fathers = _theme("Voice of the child"), _theme("Fathers")
    codings = [
        (older, 0, voice, "confirmed"),
        (older, 1, voice, "confirmed"),
        (newer, 0, voice, "confirmed"),
        (newer, 1, fathers, "suggested"),
        (newer, 0, fathers, "rejected"),
        (hidden, 0, fathers, "confirmed"),
    ]
    for number, (audit, case, theme, status) in enumerate(codings):
        db.session.add(
            Coding(
                audit_id=audit.id,
                case_id=audit.cases[case].id,
                source="panel",
                source_key=str(number),
                excerpt="An excerpt",
                theme_id=theme.id,
                status=status,
            )
        )
    ret = factory.return_for(newer, "CSC")
    ret.state = "submitted"
    ret.answers.append(Answer(question_key="child_seen_alone", value="yes", score=2))
    db.session.commit()
    html = client.get("/trends").get_data(as_text=True)
    assert "Hidden audit" not in html and "Newer audit" in html
    assert "Fathers" not in html  # only suggested or rejected where it can be seen
    row = html.split("Voice of the child")[1].split("</tr>")[0]
    assert "Recurring: 2 audits" in row
    assert re.findall(r"numeric\">(\d+)</td>", row) == ["2", "1"]
    assert "All sections" in html and "100%" in html


def test_all_hostile_strings_are_stored_exactly_and_shown_escaped(client, factory, post, editor):
    audit = factory.audit(state="analysis")
    rec = _recommendation(audit)
    for number, text in enumerate(BLNS):
        typed = text.replace("\r\n", "\n").replace("\r", "\n")
        made = post(client, f"/audits/{audit.id}/recommendations/new", _form(factory, text=text))
        saved = take_flashes(client)  # as the page it leads to would show them
        update = post(client, f"/recommendations/{rec.id}/updates", {"text": BLNS[-1 - number], "rag": "amber"})
        added = take_flashes(client)
        assert saved == ([] if is_blank_looking(typed) else [("success", "Recommendation saved.")]), number
        if update.status_code == 302:
            assert added == [("success", "Progress update added. The status is now Amber – at risk.")], number
        if not is_blank_looking(typed):  # text of only spaces and invisible characters is refused as empty
            assert made.status_code == 302, (number, text)
            assert db.session.scalar(select(Recommendation.text).order_by(Recommendation.id.desc()).limit(1)) == typed
        else:
            assert "Enter the recommendation" in made.get_data(as_text=True), number
        assert update.status_code in (200, 302), number
    stored_updates = list(db.session.scalars(select(ActionUpdate.text)))
    assert sorted(stored_updates) == sorted(
        t.replace("\r\n", "\n").replace("\r", "\n") for t in BLNS if not is_blank_looking(t)
    )
    pages = [
        client.get(url)
        for url in (f"/audits/{audit.id}/recommendations", f"/recommendations/{rec.id}", "/actions", "/actions.csv")
    ]
    assert all(page.status_code == 200 for page in pages)
    html = pages[0].get_data(as_text=True) + pages[1].get_data(as_text=True)
    for text in [*db.session.scalars(select(Recommendation.text)), *stored_updates]:
        for line in (line for line in text.split("\n") if line.strip()):
            assert str(escape(line)) in html, line
    assert not re.search(r"<script>alert", html + pages[2].get_data(as_text=True), re.I)


def test_an_audit_with_no_actions_in_the_address_is_explained_not_called_invalid(client, plan, editor, factory):
    empty = factory.audit(state="open")  # not revealed: it has no actions anyone may read yet
    db.session.commit()
    html = client.get(f"/actions?audit={empty.id}").get_data(as_text=True)
    assert "Not a valid choice" not in html
    assert 'href="#audit"' in html and "That audit has no actions in the plan you can see" in html
    assert _rows(html) == _rows(client.get("/actions").get_data(as_text=True))


def test_trends_count_an_audit_again_when_its_answers_change_but_not_otherwise(client, factory, post, editor):
    """Each worker keeps each audit's compliance figures (counting a large audit again on every view is slow)
    and counts again when a return changes or a moderation replaces an answer with the agreed grade."""
    from audit_app.models import Moderation, ModerationSample

    audit = factory.audit(state="analysis")
    audit.title = "Changing audit"
    first = factory.return_for(audit, "CSC")
    first.state = "submitted"
    first.answers.append(Answer(question_key="child_seen_alone", value="yes", score=2))
    db.session.commit()

    def overall() -> str:
        html = client.get("/trends").get_data(as_text=True)
        return html.split("All sections")[1].split("</tr>")[0]

    assert "100%" in overall()
    statements = []

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    assert "100%" in overall()
    event.remove(db.engine, "before_cursor_execute", keep)
    assert not [s for s in statements if "GROUP BY" in s and "answers" in s], "counted again though nothing changed"
    second = factory.return_for(audit, "EH")
    second.state = "submitted"
    second.answers.append(Answer(question_key="child_seen_alone", value="no", score=0))
    db.session.commit()
    assert "100%" not in overall()
    sample = ModerationSample(audit_id=audit.id, rate_percent=10, minimum=1, seed=1, pool_size=2)
    db.session.add(sample)
    db.session.flush()
    db.session.add(Moderation(sample_id=sample.id, return_id=second.id))
    db.session.commit()
    assert "100%" not in overall()
    # reconciling replaces the answer with the agreed grade, as moderation._count_agreed does: no return changes
    db.session.execute(delete(Answer).where(Answer.return_id == second.id))
    db.session.add(second.answer(question_key="child_seen_alone", ordinal=0, value="yes", score=2))
    db.session.scalar(select(Moderation)).reconciled_at = datetime.now(UTC)
    db.session.commit()
    assert "100%" in overall()
