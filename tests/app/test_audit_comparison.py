"""The comparison of two audits: the demo's 2025 and 2026 neglect audits side by side, who may see it, and
clear messages (never a 500) for ids that are not on the list and audits that share nothing."""

import re

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Audit, Tool, ToolVersion
from tests.app.conftest import DEMO_PASSWORD, load_demo

URL = "/audits/compare"


@pytest.fixture
def demo(runner, ctx):
    load_demo(runner)


def _audit(year: int, state: str | None = None) -> Audit:
    query = select(Audit).where(Audit.year == year)
    if state:
        query = query.where(Audit.state == state)
    return db.session.scalars(query.order_by(Audit.id)).first()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_demo_audits_compared_section_by_section_with_children_in_words(demo, client, login):
    earlier, later = _audit(2025), _audit(2026, "analysis")
    login(client, "editor@demo.example", DEMO_PASSWORD)
    # chosen the later first: the page still runs from the earlier audit to the later
    response = client.get(URL, query_string={"first": later.id, "second": earlier.id})
    assert response.status_code == 200
    text = _text(response)
    assert "These audits used the same audit tool" in text
    heading = re.search(r'<h2 class="govuk-heading-m" id="compared">(.*?)</h2>', response.get_data(as_text=True))
    assert heading.group(1) == f"Multi-agency neglect audit 2025 and {later.title}"
    assert f"<title>Compare Multi-agency neglect audit 2025 and {later.title} –" in response.get_data(as_text=True)
    for heading in ("Compliance by section", "Overall judgements", "Themes"):
        assert f">{heading}</h2>" in response.get_data(as_text=True)
    assert re.search(r"All sections \d+% \d+% (up \d+ points?|down \d+ points?|no change)", text)
    # counts of children never appear as numbers: the judgement and theme rows are in words
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', response.get_data(as_text=True), re.S)
    worded = [r for r in rows if "Good" in r or "Inadequate" in r]
    assert worded and not any(re.search(r">\s*\d+\s*<", r) for r in worded)
    assert re.search(r"(new this time|not found this time|more often|less often|about the same)", text)


def test_a_link_from_the_analysis_and_the_trends_pages(demo, client, login):
    later = _audit(2026, "analysis")
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    assert f'href="{URL}?first={later.id}"' in client.get(f"/audits/{later.id}/analysis").get_data(as_text=True)
    assert f'href="{URL}"' in client.get("/trends").get_data(as_text=True)
    page = client.get(URL, query_string={"first": later.id})  # chosen from the analysis page: no error yet
    assert page.status_code == 200 and "There is a problem" not in page.get_data(as_text=True)
    assert re.search(rf'<option value="{later.id}"\s+selected', page.get_data(as_text=True))


@pytest.mark.parametrize("email", ["auditor@demo.example", "viewer@demo.example"])
def test_auditors_and_viewers_cannot_see_results_compared(demo, client, login, email):
    """Results are for the coordinator, the panel and the editors (as on the analysis page): an auditor, who sees
    only their own agency's returns, gets no other agency's figures here."""
    earlier, later = _audit(2025), _audit(2026, "analysis")
    login(client, email, DEMO_PASSWORD)
    response = client.get(URL, query_string={"first": earlier.id, "second": later.id})
    assert response.status_code == 403
    assert "Compliance by section" not in response.get_data(as_text=True)


def test_signed_out_people_are_sent_to_sign_in(demo, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_audits_not_yet_revealed_are_not_offered_to_an_editor(demo, client, login):
    hidden = Audit(title="Neglect audit still open", topic="Neglect", year=2027, state="open")
    hidden.tool_version = _audit(2025).tool_version
    db.session.add(hidden)
    db.session.commit()
    login(client, "editor@demo.example", DEMO_PASSWORD)
    response = client.get(URL, query_string={"first": hidden.id, "second": _audit(2025).id})
    assert response.status_code == 200
    assert "Neglect audit still open" not in response.get_data(as_text=True)
    assert "Choose an audit from the list" in _text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first": "999999", "second": "1"}, "Choose an audit from the list"),
        ({"first": "not a number", "second": "<script>"}, "Choose an audit from the list"),
        ({"first": "", "second": ""}, "Choose an audit to compare it with"),
    ],
)
def test_bad_ids_get_a_clear_message(demo, client, login, query, message):
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    response = client.get(URL, query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html and "<script>" not in html
    assert "Compliance by section" not in html


def test_the_same_audit_twice_is_refused(demo, client, login):
    audit = _audit(2025)
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    response = client.get(URL, query_string={"first": audit.id, "second": audit.id})
    assert response.status_code == 200 and "Choose two different audits to compare." in response.get_data(as_text=True)


def test_audits_that_share_no_tool_and_no_question_are_refused(demo, client, login):
    other_tool = Tool(slug="attendance", name="A fictional tool on attendance")
    db.session.add(other_tool)
    db.session.flush()
    definition = {
        "schema_version": 1,
        "slug": "attendance",
        "name": "A fictional tool on attendance",
        "sections": [
            {
                "key": "attendance",
                "title": "Attendance",
                "questions": [{"key": "attends_school", "type": "scale", "text": "Did the child attend school?"}],
            }
        ],
    }
    version = ToolVersion(tool_id=other_tool.id, version=1, status="published", definition=definition)
    other = Audit(title="Attendance audit", topic="Attendance", year=2026, state="analysis", tool_version=version)
    db.session.add(other)
    db.session.commit()
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    response = client.get(URL, query_string={"first": other.id, "second": _audit(2025).id})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "used different audit tools with no question in common" in html
    assert 'href="#second"' in html and "Compliance by section" not in html
