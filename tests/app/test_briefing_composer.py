"""The composer: versions, one page per section, list editing without JavaScript, limits and stale saves."""

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Briefing
from tests.app.roles_briefings import draft_for, reload, signed_in

EDITOR = "editor@test.example"


@pytest.fixture
def draft(factory, client, login):
    """Version 1 of an analysis-stage audit's briefing, with an editor signed in."""
    audit, briefing = draft_for(factory)
    factory.user("editor", email=EDITOR)
    login(client, EDITOR)
    return audit, briefing


def section_url(briefing, key: str) -> str:
    return f"/briefings/{briefing.id}/sections/{key}"


def list_data(briefing, texts: list[str], part: str = "text", **extra) -> dict:
    data = {f"items-{n}-{part}": text for n, text in enumerate(texts)}
    return {"lock_version": str(reload(briefing).lock_version), **data, **extra}


def test_start_a_draft_makes_version_1_from_the_audits_data(client, factory, login, post):
    factory.user("coordinator", email="c@test.example")
    audit = factory.audit(state="analysis")
    login(client, "c@test.example")
    page = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert "Start a draft" in page
    response = post(client, f"/audits/{audit.id}/briefings/new")
    assert response.status_code == 302
    briefing = db.session.scalar(select(Briefing).where(Briefing.audit_id == audit.id))
    assert briefing.number == 1 and briefing.state == "draft"
    assert briefing.content["topic"] == "Neglect" and briefing.content["version"] == "Version 1 (draft)"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "briefing.created")).object_id == briefing.id
    composer = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert composer.count(">Change<") == 15 and "Start a draft" not in composer
    assert "No theme in common with earlier audits" in composer  # not "1 theme": the sentence saying there is none
    assert "it finds nothing to resolve in the text as it stands" in composer


def test_only_one_version_is_worked_on_at_a_time(draft, client, post):
    audit, _ = draft
    response = post(client, f"/audits/{audit.id}/briefings/new", follow_redirects=True)
    assert "Version 1 is still being worked on" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Briefing)).all()) == 1


@pytest.mark.parametrize("state", ["setup", "open", "panel"])
def test_no_draft_before_analysis(client, factory, login, post, state):
    factory.user("coordinator", email="c@test.example")
    audit = factory.audit(state=state)
    login(client, "c@test.example")
    post(client, f"/audits/{audit.id}/briefings/new")
    assert db.session.scalars(select(Briefing)).all() == []


def test_auditor_and_viewer_get_403_on_the_composer_and_section_pages(draft, app, factory, login):
    audit, briefing = draft
    factory.user("auditor", agency=factory.agency("CSC"), email="a@test.example")
    factory.user("viewer", email="v@test.example")
    for email in ("a@test.example", "v@test.example"):
        client = signed_in(app, login, email)
        for url in (
            f"/audits/{audit.id}/briefings",
            section_url(briefing, "findings"),
            f"/briefings/{briefing.id}",
            f"/briefings/{briefing.id}.pdf",
            f"/briefings/{briefing.id}/check",
        ):
            assert client.get(url).status_code == 403, (email, url)


def test_editor_cannot_see_a_briefing_of_an_audit_not_yet_revealed(client, factory, login):
    audit, briefing = draft_for(factory)
    audit.state = "open"  # as if sent back: the editor may not see results now
    db.session.commit()
    factory.user("editor", email=EDITOR)
    login(client, EDITOR)
    assert client.get(section_url(briefing, "findings")).status_code == 403
    assert client.get(f"/briefings/{briefing.id}").status_code == 403


def test_unknown_section_and_briefing_are_404(draft, client):
    _, briefing = draft
    assert client.get(section_url(briefing, "nonsense")).status_code == 404
    assert client.get(f"/briefings/{briefing.id + 100}/sections/findings").status_code == 404


def test_save_a_list_section_keeps_order_and_drops_empty_boxes(draft, client, post):
    _, briefing = draft
    response = post(
        client,
        section_url(briefing, "findings"),
        list_data(briefing, ["First finding", "   ", "Second <finding> & more"], action="save"),
    )
    assert response.status_code == 302
    assert reload(briefing).content["findings"] == ["First finding", "Second <finding> & more"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "briefing.section_saved")).one()
    assert [item["length"] for item in event.after["findings"]] == [13, 23]  # lengths, never the text
    assert event.before["section"] == "findings"


@pytest.mark.parametrize(
    "action, expected",
    [
        ("up-1", ["B", "A", "C"]),
        ("down-0", ["B", "A", "C"]),
        ("remove-1", ["A", "C"]),
        ("up-0", ["A", "B", "C"]),
        ("down-2", ["A", "B", "C"]),
        ("add", ["A", "B", "C"]),
        ("remove-9", ["A", "B", "C"]),
    ],
)
def test_list_buttons_rearrange_what_was_typed_without_saving(draft, client, post, action, expected):
    _, briefing = draft
    before = reload(briefing).content["findings"]
    page = post(client, section_url(briefing, "findings"), list_data(briefing, ["A", "B", "C", ""], action=action))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    shown = [html.index(f">{text}</textarea>") for text in expected]
    assert shown == sorted(shown)
    assert html.count("</textarea>") == len(expected) + 1  # and one empty box to add another
    assert reload(briefing).content["findings"] == before  # nothing saved


def test_typing_in_the_add_box_then_another_button_keeps_it(draft, client, post):
    _, briefing = draft
    html = post(
        client, section_url(briefing, "themes"), list_data(briefing, ["Kept theme", "Newly typed theme"], action="add")
    ).get_data(as_text=True)
    assert ">Newly typed theme</textarea>" in html and "Add a theme" in html


def test_every_item_has_its_own_buttons_named_for_screen_readers(draft, client, post):
    _, briefing = draft
    html = post(
        client, section_url(briefing, "managers"), list_data(briefing, ["One", "Two", "Three"], action="add")
    ).get_data(as_text=True)
    assert 'value="up-0"' not in html and 'value="up-2"' in html and 'value="down-2"' not in html
    assert 'name="action" value="remove-1"' in html
    assert 'Move down<span class="govuk-visually-hidden"> learning point 1</span>' in html


def test_an_item_over_2000_characters_is_refused_with_its_number_and_kept(draft, client, post):
    _, briefing = draft
    long = "x" * 2001
    response = post(client, section_url(briefing, "practitioners"), list_data(briefing, ["Fine", long], action="save"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Action point 2 must be 2,000 characters or fewer (it has 2,001)" in html
    assert 'href="#items-1-text"' in html and long in html
    assert reload(briefing).content["action_points_practitioners"] != ["Fine", long]


def test_more_than_30_items_are_refused(draft, client, post):
    _, briefing = draft
    data = list_data(briefing, [f"Message {n}" for n in range(31)], action="save")
    html = post(client, section_url(briefing, "inter-agency"), data).get_data(as_text=True)
    assert "A section can have up to 30 key messages" in html and "Message 30" in html
    assert len(reload(briefing).content["key_messages"]) < 31


def test_thirty_items_leave_no_box_to_add_another(draft, client, post):
    _, briefing = draft
    post(client, section_url(briefing, "findings"), list_data(briefing, [f"F{n}" for n in range(30)], action="save"))
    html = client.get(section_url(briefing, "findings")).get_data(as_text=True)
    assert html.count("</textarea>") == 30 and "Add another finding" not in html and "the most it can" in html


def test_recommendations_need_text_and_keep_lead_and_time_frame(draft, client, post):
    _, briefing = draft
    lock = str(reload(briefing).lock_version)
    bad = post(
        client,
        section_url(briefing, "recommendations"),
        {
            "lock_version": lock,
            "items-0-text": "",
            "items-0-lead": "Police",
            "items-1-lead": "x" * 201,
            "action": "save",
        },
    ).get_data(as_text=True)
    assert "Enter the recommendation of recommendation 1, or empty its boxes to remove it" in bad
    assert "Lead of recommendation 2 must be 200 characters or fewer" in bad
    post(
        client,
        section_url(briefing, "recommendations"),
        {
            "lock_version": lock,
            "items-0-text": "Relaunch the checklist",
            "items-0-lead": "Children's social care",
            "items-0-timeframe": "By March 2027",
            "action": "save",
        },
    )
    assert reload(briefing).content["recommendations"] == [
        {"text": "Relaunch the checklist", "lead": "Children's social care", "timeframe": "By March 2027"}
    ]


@pytest.mark.parametrize(
    "url, message",
    [
        ("javascript:alert(1)", "must be a web address starting with https:// or http://"),
        ("www.example.org", "must be a web address starting with https:// or http://"),
        ("https://" + "a" * 493, "Web address of resource 1 must be 500 characters or fewer"),
    ],
)
def test_resource_addresses_are_checked(draft, client, post, url, message):
    _, briefing = draft
    html = post(
        client,
        section_url(briefing, "resources"),
        {
            "lock_version": str(reload(briefing).lock_version),
            "items-0-title": "Training",
            "items-0-url": url,
            "action": "save",
        },
    ).get_data(as_text=True)
    assert message in html
    assert all(r["url"] != url for r in reload(briefing).content["resources"])


def test_key_figures_have_limits_on_value_and_label(draft, client, post):
    _, briefing = draft
    html = post(
        client,
        section_url(briefing, "key-figures"),
        {
            "lock_version": str(reload(briefing).lock_version),
            "items-0-value": "9" * 51,
            "items-0-label": "l" * 201,
            "action": "save",
        },
    ).get_data(as_text=True)
    assert "Figure of key figure 1 must be 50 characters or fewer" in html
    assert "What it counts of key figure 1 must be 200 characters or fewer" in html


def test_stale_save_is_refused_and_keeps_what_was_typed(draft, client, post):
    _, briefing = draft
    stale = str(reload(briefing).lock_version)
    post(client, section_url(briefing, "findings"), list_data(briefing, ["Someone else's finding"], action="save"))
    html = post(
        client,
        section_url(briefing, "findings"),
        {"lock_version": stale, "items-0-text": "My finding", "action": "save"},
    ).get_data(as_text=True)
    assert "Someone else saved a change to this briefing while you were editing it" in html
    assert ">My finding</textarea>" in html
    assert reload(briefing).content["findings"] == ["Someone else's finding"]
    current = str(reload(briefing).lock_version)
    assert f'name="lock_version" type="hidden" value="{current}"' in html  # saving again is deliberate
    post(
        client,
        section_url(briefing, "findings"),
        {"lock_version": current, "items-0-text": "My finding", "action": "save"},
    )
    assert reload(briefing).content["findings"] == ["My finding"]


def test_stale_save_of_a_text_section_is_refused_too(draft, client, post):
    _, briefing = draft
    stale = str(reload(briefing).lock_version)
    post(client, section_url(briefing, "definition"), {"lock_version": stale, "definition": "Theirs"})
    html = post(client, section_url(briefing, "definition"), {"lock_version": stale, "definition": "Mine"}).get_data(
        as_text=True
    )
    assert "Someone else saved a change" in html and ">Mine</textarea>" in html
    assert reload(briefing).content["definition"] == "Theirs"


def test_title_section_needs_a_topic_within_200_characters(draft, client, post):
    _, briefing = draft
    lock = str(reload(briefing).lock_version)
    empty = post(client, section_url(briefing, "title"), {"lock_version": lock, "series_title": "Eyes On", "topic": ""})
    assert "Enter the topic" in empty.get_data(as_text=True)
    long = post(client, section_url(briefing, "title"), {"lock_version": lock, "series_title": "E" * 201, "topic": "N"})
    assert "Series title must be 200 characters or fewer" in long.get_data(as_text=True)
    post(client, section_url(briefing, "title"), {"lock_version": lock, "series_title": "Eyes Wide", "topic": "Drift"})
    assert reload(briefing).content["topic"] == "Drift" and reload(briefing).content["series_title"] == "Eyes Wide"


def test_definition_over_2000_characters_is_refused(draft, client, post):
    _, briefing = draft
    html = post(
        client,
        section_url(briefing, "definition"),
        {"lock_version": str(reload(briefing).lock_version), "definition": "d" * 2001},
    ).get_data(as_text=True)
    assert "Definition must be 2,000 characters or fewer" in html


def _answer_overall(audit, values):
    for case, value in zip(audit.cases, values, strict=False):
        for ret in case.returns:
            ret.state = "submitted"
            ret.answers.append(Answer(question_key="overall_judgement", value=value))
    db.session.commit()


def test_charts_are_chosen_from_those_the_data_gives(client, factory, login, post):
    audit, briefing = draft_for(factory, cases=6)
    _answer_overall(audit, ["good"] * 3 + ["inadequate"] * 3)  # 6 returns each: none too few to show
    factory.user("editor", email=EDITOR)
    login(client, EDITOR)
    page = client.get(section_url(briefing, "charts")).get_data(as_text=True)
    assert "Overall judgement of practice" in page
    lock = str(reload(briefing).lock_version)
    post(client, section_url(briefing, "charts"), {"lock_version": lock, "charts": "0"})
    charts = reload(briefing).content["charts"]
    assert [c["title"] for c in charts] == ["Overall judgement of practice"] and sum(charts[0]["values"]) == 12
    post(client, section_url(briefing, "charts"), {"lock_version": str(reload(briefing).lock_version)})
    assert reload(briefing).content["charts"] == []
    page = client.get(section_url(briefing, "charts")).get_data(as_text=True)
    assert "Overall judgement of practice" in page  # still there to choose again


def test_refresh_a_section_after_confirming(draft, client, post):
    audit, briefing = draft
    post(client, section_url(briefing, "summary"), list_data(briefing, ["My own summary"], action="save"))
    confirm = client.get(section_url(briefing, "summary") + "/refresh").get_data(as_text=True)
    assert "What was written in this section will be lost" in confirm
    post(client, section_url(briefing, "summary") + "/refresh", {"lock_version": str(reload(briefing).lock_version)})
    summary = reload(briefing).content["summary"]
    assert summary != ["My own summary"] and any("2 children" in p or "two children" in p.lower() for p in summary)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "briefing.section_refreshed")).one()


def test_saving_an_approved_version_withdraws_the_approval(draft, client, post):
    _, briefing = draft
    row = reload(briefing)
    row.state, row.approved_by_id = "approved", row.created_by_id
    db.session.commit()
    page = client.get(section_url(briefing, "findings")).get_data(as_text=True)
    assert "Saving a change withdraws the approval" in page
    response = post(
        client,
        section_url(briefing, "findings"),
        list_data(briefing, ["Changed"], action="save"),
        follow_redirects=True,
    )
    assert "The approval was withdrawn" in response.get_data(as_text=True)
    assert reload(briefing).state == "draft" and reload(briefing).approved_by_id is None


def test_the_composer_warns_of_characters_the_pdf_cannot_print(draft, client, post):
    audit, briefing = draft
    composer = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert "The PDF cannot print" not in composer
    pasted = "Plans\u200b were\u00ad clear\ufeff \u200eand tested 🫠"  # invisible marks, and an emoji the font lacks
    response = post(client, section_url(briefing, "managers"), list_data(briefing, [pasted], action="save"))
    assert response.status_code == 302
    composer = client.get(f"/audits/{audit.id}/briefings").get_data(as_text=True)
    assert "The PDF cannot print this character" in composer and "🫠 (U+1FAE0)" in composer
    assert "U+200B" not in composer and "U+00AD" not in composer  # normalised away, nothing to warn of
