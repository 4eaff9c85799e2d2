"""Two people saving the panel's record of one case: a three-way merge, and resolutions validated like any save."""

import re

import pytest

from tests.app.conflict_forms import as_post, form_pairs
from tests.app.panel_cases import case_url, panel_record


@pytest.fixture
def other(client, factory, login):
    """The coordinator, recording on the same case from a browser of their own."""
    factory.user("coordinator", email="coordinator@test.example")
    browser = client.application.test_client()
    login(browser, "coordinator@test.example")
    return browser


def opened(client, audit) -> list[tuple[str, str]]:
    return form_pairs(client.get(case_url(audit)).get_data(as_text=True), "rationale")


def a_conflict(as_panel, other, audit, first: dict, theirs: dict, mine: dict) -> str:
    """A record saved with ``first``; both open it; ``other`` saves ``theirs``; the panel member then saves ``mine``."""
    assert as_panel.post(case_url(audit), data=as_post(opened(as_panel, audit), save="y", **first)).status_code == 302
    my_form, their_form = opened(as_panel, audit), opened(other, audit)
    assert other.post(case_url(audit), data=as_post(their_form, save="y", **theirs)).status_code == 302
    response = as_panel.post(case_url(audit), data=as_post(my_form, save="y", **mine))
    assert response.status_code == 409
    return response.get_data(as_text=True)


def press_default_button(client, audit, html: str, **changes):
    return client.post(case_url(audit), data=as_post(form_pairs(html, "resolve_conflict"), save="y", **changes))


FIRST = {
    "agreed_grade": "requires_improvement",
    "rationale": "No plan for what better looks like.",
    "dissent": "",
    "learning": "",
}


def test_a_field_only_the_other_person_changed_survives_the_default_button(as_panel, other, panel_audit):
    html = a_conflict(
        as_panel,
        other,
        panel_audit,
        FIRST,
        theirs={"learning": "Ask fathers from the start."},
        mine={"dissent": "EH judged it good."},
    )
    assert not re.search(r'type="radio"[^>]*checked', html.split('id="panel-record"')[1])
    assert press_default_button(as_panel, panel_audit, html).status_code == 302
    record = panel_record(panel_audit)
    assert (record.learning, record.dissent, record.rationale) == (
        "Ask fathers from the start.",
        "EH judged it good.",
        FIRST["rationale"],
    )


def test_a_field_both_changed_is_asked_about_with_no_default(as_panel, other, panel_audit):
    html = a_conflict(
        as_panel,
        other,
        panel_audit,
        FIRST,
        theirs={"agreed_grade": "inadequate"},
        mine={"agreed_grade": "good", "learning": "Mine"},
    )
    assert 'name="choice_agreed_grade"' in html and 'name="choice_learning"' not in html
    refused = press_default_button(as_panel, panel_audit, html)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "There is a problem" in page
    assert 'href="#choice_agreed_grade-mine"' in page and "Choose which to keep for" in page
    assert panel_record(panel_audit).agreed_grade == "inadequate" and panel_record(panel_audit).learning == ""
    assert press_default_button(as_panel, panel_audit, page, choice_agreed_grade="saved").status_code == 302
    assert (panel_record(panel_audit).agreed_grade, panel_record(panel_audit).learning) == ("inadequate", "Mine")


@pytest.mark.parametrize("base", [None, "", "garbled"])
def test_a_missing_or_garbled_base_asks_about_every_difference(as_panel, other, panel_audit, base):
    as_panel.post(case_url(panel_audit), data=as_post(opened(as_panel, panel_audit), save="y", **FIRST))
    my_form, their_form = opened(as_panel, panel_audit), opened(other, panel_audit)
    other.post(case_url(panel_audit), data=as_post(their_form, save="y", learning="Theirs"))
    html = as_panel.post(case_url(panel_audit), data=as_post(my_form, save="y", base=base, dissent="Mine")).get_data(
        as_text=True
    )
    assert 'name="choice_learning"' in html and 'name="choice_dissent"' in html
    assert press_default_button(as_panel, panel_audit, html).status_code == 400
    assert (panel_record(panel_audit).learning, panel_record(panel_audit).dissent) == ("Theirs", "")


@pytest.mark.parametrize(
    "crafted, message",
    [
        ({"choice_agreed_grade": "merged", "merged_agreed_grade": "superb"}, "Choose which to keep for"),
        ({"choice_agreed_grade": "mine", "agreed_grade": "superb"}, "Choose one of the judgements listed"),
        (
            {"choice_rationale": "merged", "merged_rationale": "x" * 50_000},
            "Rationale must be 5,000 characters or fewer",
        ),
        ({"choice_rationale": "merged", "merged_rationale": "  \n "}, "Explain why the panel agreed this judgement"),
        ({"choice_learning": "merged", "merged_learning": "y" * 5_001}, "Learning must be 5,000 characters or fewer"),
    ],
    ids=["superb-combined", "superb-mine", "rationale-too-long", "rationale-blank", "learning-too-long"],
)
def test_a_crafted_resolution_is_validated_like_any_save(as_panel, other, panel_audit, crafted, message):
    html = a_conflict(
        as_panel,
        other,
        panel_audit,
        FIRST,
        theirs={"agreed_grade": "inadequate", "rationale": "Theirs.", "learning": "Theirs."},
        mine={"agreed_grade": "good", "rationale": "Mine.", "learning": "Mine."},
    )
    choices = {"choice_agreed_grade": "saved", "choice_rationale": "saved", "choice_learning": "saved"}
    before = panel_record(panel_audit)
    snapshot = (before.version, before.agreed_grade, before.rationale, before.learning)
    response = press_default_button(as_panel, panel_audit, html, **{**choices, **crafted})
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400 and "There is a problem" in page and message in page
    after = panel_record(panel_audit)
    assert (after.version, after.agreed_grade, after.rationale, after.learning) == snapshot


def test_a_plain_save_of_a_form_opened_from_an_older_record_is_a_conflict_not_an_overwrite(
    as_panel, other, panel_audit
):
    html = a_conflict(as_panel, other, panel_audit, FIRST, theirs={"learning": "Theirs"}, mine={"dissent": "Mine"})
    response = press_default_button(as_panel, panel_audit, html, resolve_conflict=None)
    assert response.status_code == 409 and 'name="resolve_conflict"' in response.get_data(as_text=True)
    assert (panel_record(panel_audit).learning, panel_record(panel_audit).dissent) == ("Theirs", "")
    assert press_default_button(as_panel, panel_audit, response.get_data(as_text=True)).status_code == 302
    assert (panel_record(panel_audit).learning, panel_record(panel_audit).dissent) == ("Theirs", "Mine")
