"""Coding an audit's excerpts to themes: suggestions, decisions, and counts in which only confirmed codings count."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from audit_app.data import coding as coding_data
from audit_app.data import themes as theme_data
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Case, Coding, EvidenceNote, PanelRecord, Theme

DRIFT_TEXT = "The plan drifted for months and there was no chronology on file."
FATHER_TEXT = "Father was never invited to a core group."


@pytest.fixture
def themes(factory):
    rows = [
        Theme(slug="drift", name="Drift and delay", category="planning", keywords=["drift", "delay"]),
        Theme(slug="chronologies", name="Chronologies", category="recording", keywords=["chronology"]),
        Theme(slug="fathers", name="Fathers and men in the family", category="family", keywords=["father"]),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return {theme.slug: theme for theme in rows}


def make_audit(factory, *, state: str = "analysis", year: int = 2026, title: str | None = None):
    """Two cases, two agencies; every return submitted; one long-text answer, one note and one panel learning."""
    audit = factory.audit(state=state, cases=2, agencies=("CSC", "EH"))
    audit.year, audit.title = year, title or f"Audit {year}"
    for case in audit.cases:
        for ret in case.returns:
            ret.state = "submitted"
    csc = factory.return_for(audit, "CSC", "T-01")
    csc.answers.append(Answer(question_key="learning_for_agency", value=DRIFT_TEXT))
    db.session.add(
        EvidenceNote(
            return_id=factory.return_for(audit, "EH", "T-01").id,
            question_key="child_seen_alone",
            text="Seen alone at nursery; plan drift noted.",
        )
    )
    db.session.add(PanelRecord(case_id=audit.cases[1].id, learning=FATHER_TEXT))
    db.session.commit()
    return audit


@pytest.fixture
def editor(factory, client, login):
    factory.user("editor", email="editor@test.example")
    login(client, "editor@test.example")


def codings(audit, **where) -> list[Coding]:
    db.session.expire_all()  # the requests changed rows in their own sessions
    query = sa.select(Coding).where(Coding.audit_id == audit.id).order_by(Coding.id)
    return list(db.session.scalars(query.filter_by(**where)))


def suggest(client, post, audit):
    return post(client, f"/audits/{audit.id}/coding/suggest")


def confirm(client, post, audit, coding, **data):
    return post(client, f"/audits/{audit.id}/coding/{coding.id}", {"decision": "confirm", **data})


def reject(client, post, audit, coding, **data):
    return post(client, f"/audits/{audit.id}/coding/{coding.id}", {"decision": "reject", **data})


# --- the work queue -----------------------------------------------------------------------------


def test_coding_page_lists_each_kind_of_excerpt_with_case_agency_and_question(client, factory, themes, editor):
    audit = make_audit(factory)
    html = client.get(f"/audits/{audit.id}/coding").get_data(as_text=True)
    assert "3 excerpts still to code" in html
    assert "Case T-01: CSC service" in html and DRIFT_TEXT in html
    assert "9.6 What should your agency do differently, based on this case?" in html
    assert "Evidence note on 3.2 Was the child seen" in html and "Seen alone at nursery" in html
    assert "Case T-02: Panel" in html and FATHER_TEXT in html
    assert "What the panel learned from this case" in html


def test_only_counted_returns_and_included_cases_give_excerpts(client, factory, themes, editor):
    audit = make_audit(factory)
    factory.return_for(audit, "CSC", "T-01").state = "draft"
    db.session.get(Case, audit.cases[1].id).included = False
    db.session.commit()
    html = client.get(f"/audits/{audit.id}/coding?show=all").get_data(as_text=True)
    assert "1 excerpt" in html and DRIFT_TEXT not in html and FATHER_TEXT not in html


def test_filters_by_source_and_by_theme(client, factory, themes, editor, post):
    audit = make_audit(factory)
    suggest(client, post, audit)
    panel_only = client.get(f"/audits/{audit.id}/coding?show=all&source=panel").get_data(as_text=True)
    assert FATHER_TEXT in panel_only and DRIFT_TEXT not in panel_only
    drift = client.get(f"/audits/{audit.id}/coding?theme={themes['drift'].id}").get_data(as_text=True)
    assert "2 excerpts still to code" in drift and FATHER_TEXT not in drift
    bad = client.get(f"/audits/{audit.id}/coding?show=nonsense&theme=x&source=<b>&page=-3")
    assert bad.status_code == 200 and "3 excerpts still to code" in bad.get_data(as_text=True)


def test_the_queue_is_paginated_fifty_at_a_time(client, factory, themes, editor):
    audit = make_audit(factory)
    ret = factory.return_for(audit, "CSC", "T-02")
    for n in range(60):
        db.session.add(EvidenceNote(return_id=ret.id, question_key=f"q{n:02d}", text=f"Note number {n}"))
    db.session.commit()
    first = client.get(f"/audits/{audit.id}/coding").get_data(as_text=True)
    assert "63 excerpts still to code" in first and "page 1 of 2" in first
    assert first.count('class="govuk-summary-card"') == 50
    second = client.get(f"/audits/{audit.id}/coding?page=2").get_data(as_text=True)
    assert second.count('class="govuk-summary-card"') == 13 and "page 2 of 2" in second
    assert client.get(f"/audits/{audit.id}/coding?page=99").status_code == 200


# --- suggestions --------------------------------------------------------------------------------


def test_suggest_stores_explained_suggestions_and_never_duplicates(client, factory, themes, editor, post):
    audit = make_audit(factory)
    response = suggest(client, post, audit)
    assert response.status_code == 302
    found = {(c.source, themes_by_id(themes)[c.theme_id]): c for c in codings(audit)}
    assert set(found) == {("answer", "drift"), ("answer", "chronologies"), ("note", "drift"), ("panel", "fathers")}
    assert all(c.status == "suggested" and c.coded_by_id is None for c in found.values())
    assert found[("answer", "drift")].matched == ["drifted"]
    assert found[("panel", "fathers")].excerpt == FATHER_TEXT
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 new suggestions to review" in html
    assert "Suggested because it mentions: ‘drifted’" in html
    suggest(client, post, audit)
    assert len(codings(audit)) == 4
    assert "There are no new suggestions" in client.get(f"/audits/{audit.id}/coding").get_data(as_text=True)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "codings.suggested").order_by(AuditEvent.id)
    ).all()
    assert [e.after["suggestions"] for e in events] == [4, 0]


def themes_by_id(themes) -> dict[int, str]:
    return {theme.id: slug for slug, theme in themes.items()}


def test_a_rejected_suggestion_is_never_suggested_again(client, factory, themes, editor, post):
    audit = make_audit(factory)
    suggest(client, post, audit)
    panel = codings(audit, source="panel")[0]
    reject(client, post, audit, panel)
    suggest(client, post, audit)
    again = codings(audit, source="panel")
    assert [(c.id, c.status) for c in again] == [(panel.id, "rejected")]


def test_excerpts_with_a_confirmed_theme_get_no_new_suggestions(client, factory, themes, editor, post):
    audit = make_audit(factory)
    panel_key = str(audit.cases[1].id)
    post(
        client,
        f"/audits/{audit.id}/coding/add",
        {"excerpt_source": "panel", "excerpt_key": panel_key, "theme_id": themes["drift"].id},
    )
    suggest(client, post, audit)
    assert [(c.theme_id, c.status) for c in codings(audit, source="panel")] == [(themes["drift"].id, "confirmed")]


# --- decisions ----------------------------------------------------------------------------------


def test_confirm_keeps_the_filters_and_returns_to_the_excerpt(client, factory, themes, editor, post):
    audit = make_audit(factory)
    suggest(client, post, audit)
    coding = codings(audit, source="answer")[0]
    response = confirm(
        client, post, audit, coding, show="all", source="answer", page="1", after="excerpt-note-1-child_seen_alone"
    )
    anchor = f"#excerpt-answer-{coding.source_key.replace(':', '-')}"
    assert response.headers["Location"] == f"/audits/{audit.id}/coding?show=all&source=answer{anchor}"
    assert [(c.status, c.coded_by_id is not None) for c in codings(audit) if c.id == coding.id] == [("confirmed", True)]


def test_when_the_excerpt_leaves_the_list_the_page_returns_to_the_next_one(client, factory, themes, editor, post):
    audit = make_audit(factory)
    suggest(client, post, audit)
    panel = codings(audit, source="panel")[0]
    response = confirm(client, post, audit, panel, after="excerpt-note-7-child_seen_alone")
    assert response.headers["Location"] == f"/audits/{audit.id}/coding#excerpt-note-7-child_seen_alone"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    case = db.session.get(Case, panel.case_id).reference  # said naming the excerpt that left the list
    said = f"{panel.theme.name} confirmed for the excerpt from case {case}, panel, which has left this list."
    assert said in html  # at the top, as the excerpt it went back to is not on this page

    answer = codings(audit, source="answer")[0]  # one of two suggestions: the excerpt stays in the list
    response = confirm(client, post, audit, answer, after="excerpt-note-2-child_seen_alone")
    anchor = coding_data.anchor("answer", answer.source_key)
    assert response.headers["Location"].endswith(f"#{anchor}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    card = html[html.index(f'id="{anchor}"') :].split('class="govuk-summary-card"')[0]
    assert f"{answer.theme.name} confirmed for this excerpt." in card  # where the editor is looking
    assert html.count("govuk-notification-banner--success") == 1
    hostile = confirm(client, post, audit, codings(audit, source="note")[0], after='"><script>')
    assert hostile.status_code == 400


def test_reject_and_remove_and_add_record_events(client, factory, themes, editor, post):
    audit = make_audit(factory)
    suggest(client, post, audit)
    drift, chronology = sorted(codings(audit, source="answer"), key=lambda c: c.theme_id)
    confirm(client, post, audit, drift)
    reject(client, post, audit, chronology)
    html = client.get(f"/audits/{audit.id}/coding?show=all").get_data(as_text=True)
    assert "Suggestion of Chronologies rejected for this excerpt." in html and "Rejected: Chronologies." in html
    reject(client, post, audit, drift)  # a confirmed theme removed again
    assert "Drift and delay removed from this excerpt." in client.get(f"/audits/{audit.id}/coding").get_data(
        as_text=True
    )
    post(
        client,
        f"/audits/{audit.id}/coding/add",
        {"excerpt_source": "answer", "excerpt_key": chronology.source_key, "theme_id": themes["chronologies"].id},
    )
    assert sorted((c.theme_id, c.status) for c in codings(audit, source="answer")) == [
        (themes["drift"].id, "rejected"),
        (themes["chronologies"].id, "confirmed"),
    ]
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "coding").order_by(AuditEvent.id)
    ).all()
    assert actions == ["coding.confirmed", "coding.rejected", "coding.rejected", "coding.added"]


def test_adding_without_choosing_a_theme_explains(client, factory, themes, editor, post):
    audit = make_audit(factory)
    response = post(
        client,
        f"/audits/{audit.id}/coding/add",
        {"excerpt_source": "panel", "excerpt_key": str(audit.cases[1].id), "theme_id": ""},
        follow_redirects=True,
    )
    assert "Choose a theme to add to the excerpt from case T-02." in response.get_data(as_text=True)
    assert codings(audit) == []


def test_codings_and_excerpts_of_another_audit_are_not_found(client, factory, themes, editor, post):
    audit = make_audit(factory)
    other = make_audit(factory, year=2025)
    suggest(client, post, other)
    theirs = codings(other)[0]
    assert confirm(client, post, audit, theirs).status_code == 404
    their_key = codings(other, source="answer")[0].source_key
    response = post(
        client,
        f"/audits/{audit.id}/coding/add",
        {"excerpt_source": "answer", "excerpt_key": their_key, "theme_id": themes["drift"].id},
    )
    assert response.status_code == 404
    assert (
        post(
            client,
            f"/audits/{audit.id}/coding/add",
            {"excerpt_source": "panel", "excerpt_key": "999999", "theme_id": themes["drift"].id},
        ).status_code
        == 404
    )
    assert post(client, "/audits/999999/coding/suggest").status_code == 404
    assert {c.status for c in codings(other)} == {"suggested"} and codings(audit) == []


def test_editors_see_coding_only_after_the_reveal_and_cannot_change_a_published_audit(
    client, factory, themes, editor, post
):
    audit = make_audit(factory, state="open")
    assert client.get(f"/audits/{audit.id}/coding").status_code == 403
    assert suggest(client, post, audit).status_code == 403
    audit.state = "published"
    db.session.commit()
    html = client.get(f"/audits/{audit.id}/coding").get_data(as_text=True)
    assert "can no longer change" in html and "Suggest themes" not in html
    response = suggest(client, post, audit)
    assert response.status_code == 302 and codings(audit) == []


def test_panel_members_read_theme_counts_but_do_not_code(client, factory, themes, login):
    factory.user("panel", email="panel@test.example")
    audit = make_audit(factory)
    login(client, "panel@test.example")
    assert client.get(f"/audits/{audit.id}/themes").status_code == 200
    assert client.get(f"/audits/{audit.id}/coding").status_code == 403


# --- only confirmed codings count ---------------------------------------------------------------


def _code(audit, theme, source, key, status, case=None, agency_id=None):
    db.session.add(
        Coding(
            audit_id=audit.id,
            case_id=(case or audit.cases[0]).id,
            agency_id=agency_id,
            source=source,
            source_key=key,
            excerpt="x",
            theme_id=theme.id,
            status=status,
        )
    )
    db.session.commit()


def test_suggested_and_rejected_codings_never_count_anywhere(client, factory, themes, editor, post):
    earlier = make_audit(factory, year=2024)
    audit = make_audit(factory)
    _code(earlier, themes["drift"], "panel", "1", "confirmed")
    _code(earlier, themes["fathers"], "panel", "1", "suggested")
    _code(audit, themes["drift"], "panel", "2", "suggested")
    _code(audit, themes["fathers"], "panel", "2", "rejected")
    _code(audit, themes["chronologies"], "panel", "3", "suggested")
    _code(earlier, themes["chronologies"], "panel", "3", "confirmed")
    html = client.get(f"/audits/{audit.id}/themes").get_data(as_text=True)
    assert "No theme has been confirmed for this audit yet." in html
    assert "Drift and delay" not in html and "Fathers" not in html and "Chronologies" not in html
    assert "2 suggestions are still waiting for a decision and not counted" in html
    assert theme_data.theme_case_counts(audit) == [] and theme_data.themes_in_common(audit) == []
    assert theme_data.theme_agency_table(audit).rows == ()
    assert theme_data.audits_confirmed_in() == {themes["drift"].id: 1, themes["chronologies"].id: 1}
    _code(audit, themes["drift"], "note", "9:x", "confirmed")
    assert [(t.slug, n) for t, n in theme_data.theme_case_counts(audit)] == [("drift", 1)]
    assert [(t.slug, years) for t, years in theme_data.themes_in_common(audit)] == [("drift", [2024])]


def test_counts_distinct_cases_per_theme_and_per_agency_with_a_panel_column(client, factory, themes, editor, post):
    audit = make_audit(factory)
    csc, eh = (factory.agency(name).id for name in ("CSC", "EH"))
    one, two = audit.cases
    drift = themes["drift"]
    for key, case, agency in (("1:a", one, csc), ("1:b", one, csc), ("2:a", two, eh), ("3:a", two, csc)):
        _code(audit, drift, "note", key, "confirmed", case, agency)
    _code(audit, themes["fathers"], "panel", str(two.id), "confirmed", two)
    assert [(t.slug, n) for t, n in theme_data.theme_case_counts(audit)] == [("drift", 2), ("fathers", 1)]
    table = theme_data.theme_agency_table(audit)
    assert table.columns == ("CSC service", "EH service", "Panel")
    assert [(t.slug, row) for t, row in table.rows] == [("drift", (2, 1, 0)), ("fathers", (0, 0, 1))]
    html = client.get(f"/audits/{audit.id}/themes").get_data(as_text=True)
    assert (
        "2 of 2" in html
        and "1 of 2" in html
        and '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Panel</th>' in html
    )


def test_themes_in_common_lists_earlier_revealed_audits_with_their_years(client, factory, themes, editor):
    audit = make_audit(factory, year=2026)
    history = {2023: "analysis", 2024: "closed", 2025: "open", 2027: "analysis"}
    audits = {year: make_audit(factory, year=year, state=state) for year, state in history.items()}
    same_year_later = make_audit(factory, year=2026, title="Later the same year")
    for year in history:
        _code(audits[year], themes["drift"], "panel", "1", "confirmed")
    _code(audits[2023], themes["fathers"], "panel", "1", "confirmed")
    _code(same_year_later, themes["fathers"], "panel", "1", "confirmed")
    _code(audits[2023], themes["chronologies"], "panel", "1", "confirmed")  # not confirmed in this audit
    _code(audit, themes["drift"], "panel", "1", "confirmed")
    _code(audit, themes["fathers"], "panel", "1", "confirmed")
    found = [(t.slug, years) for t, years in theme_data.themes_in_common(audit)]
    assert found == [("drift", [2023, 2024]), ("fathers", [2023])]
    assert [(t.slug, years) for t, years in theme_data.themes_in_common(same_year_later)] == [("fathers", [2023, 2026])]
    html = client.get(f"/audits/{audit.id}/themes").get_data(as_text=True)
    assert "2023, 2024" in html


def test_the_demo_is_coded_with_some_confirmed_and_some_rejected(app, factory):
    from audit_app.data.seed import ensure_themes
    from audit_app.demo.coding import code_demo_audit
    from audit_tools.tools import builtin_themes

    ensure_themes(builtin_themes())
    audit = make_audit(factory)
    user = factory.user("editor")
    code_demo_audit(audit, user)
    statuses = [c.status for c in codings(audit)]
    assert statuses.count("confirmed") >= 2 and "rejected" in statuses
    assert theme_data.theme_case_counts(audit)
    assert coding_data.suggest_codings(audit, coding_data_definition(audit), user) == 0


def coding_data_definition(audit):
    from audit_app.data.tools import definition_of

    return definition_of(audit.tool_version)


def test_progress_counts_excerpts_coded_apart_from_themes_confirmed(client, factory, themes, editor, post):
    """Two themes confirmed on one excerpt are one excerpt coded: the page says both figures."""
    audit = make_audit(factory)
    suggest(client, post, audit)
    for coding in codings(audit, source="answer") + codings(audit, source="panel")[:1]:
        confirm(client, post, audit, coding)
    progress = theme_data.coding_progress(audit)
    assert (progress["coded"], progress["confirmed"]) == (2, len(codings(audit, source="answer")) + 1) == (2, 3)
    html = client.get(f"/audits/{audit.id}/coding").get_data(as_text=True)
    assert re.search(r">2</span> excerpts coded<span[^>]*>with 3 confirmed themes</span>", html)


def test_adding_without_a_theme_links_the_error_to_that_excerpts_choice(client, factory, themes, editor, post):
    audit = make_audit(factory)
    key = str(audit.cases[1].id)
    html = post(
        client,
        f"/audits/{audit.id}/coding/add",
        {"excerpt_source": "panel", "excerpt_key": key, "theme_id": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    field = f"add-excerpt-panel-{key}"
    assert f'href="#{field}"' in html and "<title>Error: " in html
    assert f'aria-describedby="{field}-error"' in html and "govuk-select--error" in html


def test_repeated_controls_and_headings_name_their_excerpt_in_full(client, factory, themes, editor):
    audit = make_audit(factory)
    html = client.get(f"/audits/{audit.id}/coding?show=all").get_data(as_text=True)
    names = re.findall(r'Add a theme<span class="govuk-visually-hidden"> to ([^<]+)</span>', html)
    assert len(names) >= 2 and len(set(names)) == len(names)
    assert any(re.fullmatch(r"the excerpt from .+&#39;s return on case T-\d+, question 9\.\d+", n) for n in names)
    assert "the panel&#39;s learning</span></h2>" in html
