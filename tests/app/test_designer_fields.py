"""Saving a question or section in the designer keeps what the file says, including settings the form hides."""

import re

import pytest

from audit_app.data.tools import get_version, new_draft_version, tool_by_slug
from audit_app.extensions import db


@pytest.fixture
def draft(client, factory, login):
    factory.user("coordinator", email="c@test.example")
    factory.audit()  # makes the built-in tool
    tool = tool_by_slug("neglect-multi-agency")
    version = new_draft_version(tool, None)
    db.session.commit()
    login(client, "c@test.example")
    return tool.id, version.version


def _question(tool_id, number, key):
    version = get_version(tool_id, number)
    db.session.refresh(version)
    return next(q for s in version.definition["sections"] for q in s["questions"] if q["key"] == key)


def test_the_overall_judgement_flag_survives_an_edit(client, post, draft):
    tool_id, number = draft
    form = {
        "key": "overall_judgement",
        "type": "grade",
        "text": "Overall, how good was practice?",
        "required": "y",
        "compare": "y",
    }
    assert post(client, f"/tools/{tool_id}/v{number}/questions/overall_judgement", form).status_code == 302
    saved = _question(tool_id, number, "overall_judgement")
    assert saved["overall"] is True and saved["text"] == "Overall, how good was practice?"


def test_a_question_can_be_left_out_of_the_panels_comparison(client, post, draft):
    tool_id, number = draft
    url = f"/tools/{tool_id}/v{number}/questions/agency_role"
    page = client.get(url).get_data(as_text=True)
    assert 'name="compare"' in page and not re.search(r'name="compare"[^>]*checked', page)  # the tool says so
    stored = _question(tool_id, number, "agency_role")
    assert stored["compare"] is False
    options_text = "\n".join(f"{o['value']} | {o['label']}" for o in stored["options"])
    form = {"key": "agency_role", "type": "single", "text": stored["text"], "required": "y", "options": options_text}
    ticked = {**form, "compare": "y"}
    assert post(client, url, ticked).status_code == 302
    assert "compare" not in _question(tool_id, number, "agency_role")  # compared, as every question is by default
    assert re.search(r'name="compare"[^>]*checked', client.get(url).get_data(as_text=True))
    assert post(client, url, form).status_code == 302  # unticked: a browser sends nothing
    assert _question(tool_id, number, "agency_role")["compare"] is False


def test_exclusive_answers_are_set_and_shown_in_the_designer(client, post, draft):
    tool_id, number = draft
    page = client.get(f"/tools/{tool_id}/v{number}/questions/contributory_factors").get_data(as_text=True)
    assert 'value="none_identified"' in page  # the exclusive answer is shown in its own field
    stored = _question(tool_id, number, "contributory_factors")
    options_text = "\n".join(f"{o['value']} | {o['label']}" for o in stored["options"])
    form = {
        "key": "contributory_factors",
        "type": "multiple",
        "text": stored["text"],
        "required": "y",
        "compare": "y",
        "options": options_text,
        "exclusive_values": "none_identified, poverty",
    }
    assert post(client, f"/tools/{tool_id}/v{number}/questions/contributory_factors", form).status_code == 302
    saved = _question(tool_id, number, "contributory_factors")
    assert {o["value"] for o in saved["options"] if o.get("exclusive")} == {"none_identified", "poverty"}


def test_a_section_can_end_with_a_judgement(client, post, draft):
    tool_id, number = draft
    form = {"key": "agency_involvement", "title": "Your agency's involvement", "judgement": "y"}
    assert post(client, f"/tools/{tool_id}/v{number}/sections/agency_involvement", form).status_code == 302
    preview = client.get(f"/tools/{tool_id}/v{number}/preview").get_data(as_text=True)
    assert 'name="q_agency_involvement_judgement"' in preview
