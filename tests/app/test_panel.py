"""The multi-agency panel's pages: who may see them when, the side-by-side answers, and the panel's record."""

import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import event, func, select

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit, AuditEvent, PanelRecord, Return
from audit_tools.returns import as_typed
from tests.app.conftest import DEMO_PASSWORD, load_demo
from tests.app.panel_cases import HOSTILE_NOTE, case_of, case_url, panel_record, submit

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE


def _has_column(html: str, agency: str) -> bool:
    return bool(re.search(rf'<th scope="col" class="govuk-table__header[^"]*">{agency}</th>', html))


def _record_data(**fields) -> dict:
    return {
        "version": "0",
        "agreed_grade": "requires_improvement",
        "rationale": "The plan never said what better would look like.",
        "dissent": "",
        "learning": "",
        **fields,
    }


# --- who may see what, and when ---


def test_auditors_are_refused_every_panel_page(client, factory, login, post, panel_audit):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    login(client, "csc@test.example")
    assert client.get(f"/audits/{panel_audit.id}/panel").status_code == 403
    assert client.get(case_url(panel_audit)).status_code == 403
    assert post(client, case_url(panel_audit), _record_data()).status_code == 403
    assert panel_record(panel_audit) is None


@pytest.mark.parametrize("role", ["panel", "editor"])
def test_panel_and_editors_see_the_panel_only_after_the_reveal(client, factory, login, role):
    factory.user(role, email=f"{role}@test.example")
    audit = factory.audit(state="open")
    login(client, f"{role}@test.example")
    urls = [f"/audits/{audit.id}/panel", case_url(audit)]
    assert [client.get(url).status_code for url in urls] == [403, 403]
    audit.state = "panel"
    db.session.commit()
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_coordinator_is_told_when_the_panel_opens_and_sees_no_answers_before(client, factory, login, post):
    factory.user("coordinator", email="coordinator@test.example")
    audit = factory.audit(state="open")
    submit(factory.return_for(audit, "CSC"), {"child_seen_alone": "yes"}, {"child_seen_alone": "Seen at nursery"})
    login(client, "coordinator@test.example")
    for url in (f"/audits/{audit.id}/panel", case_url(audit)):
        html = client.get(url).get_data(as_text=True)
        assert "The panel has not started yet" in html and "move the audit to the panel stage" in html
        assert "Seen at nursery" not in html
    response = post(client, case_url(audit), _record_data())
    assert response.status_code == 409 and "The panel has not started yet" in response.get_data(as_text=True)
    assert panel_record(audit) is None


def test_a_case_of_another_audit_or_an_excluded_case_is_not_found(as_panel, post, factory, panel_audit):
    other = factory.audit(state="panel")
    assert as_panel.get(f"/audits/{panel_audit.id}/panel/{other.cases[0].id}").status_code == 404
    assert post(as_panel, f"/audits/{panel_audit.id}/panel/{other.cases[0].id}", _record_data()).status_code == 404
    assert as_panel.get(f"/audits/{other.id + 100}/panel").status_code == 404
    case = case_of(panel_audit, "T-02")
    case.included = False
    db.session.commit()
    assert as_panel.get(case_url(panel_audit, "T-02")).status_code == 404
    assert "T-02" not in as_panel.get(f"/audits/{panel_audit.id}/panel").get_data(as_text=True)


# --- the list of cases ---


def test_list_shows_who_returned_what_differs_and_the_panels_judgement(as_panel, post, panel_audit):
    post(as_panel, case_url(panel_audit), _record_data())
    html = as_panel.get(f"/audits/{panel_audit.id}/panel").get_data(as_text=True)
    first, second = html.split('href="' + case_url(panel_audit, "T-02"))
    assert "2 of 3 returned" in first and "School service: not submitted" in first
    # CSC and EH differ on whether the child was seen alone and on the overall judgement, not on their roles
    assert re.search(r'<td class="govuk-table__cell">2</td>', first)
    assert "Requires improvement" in first
    assert "1 of 3 returned" in second and "EH service: no involvement" in second
    assert "Fewer than two returns to compare" in second and "Not agreed yet" in second


def test_a_long_list_comes_a_page_at_a_time_with_its_counts_and_a_filter(as_panel, factory):
    audit = factory.audit(state="panel", cases=60, agencies=("CSC",))
    for case in audit.cases[:3]:  # T-01, T-02, T-03 agreed
        db.session.add(PanelRecord(case_id=case.id, agreed_grade="good", rationale="Agreed."))
    db.session.commit()
    url = f"/audits/{audit.id}/panel"

    def references(html: str) -> list[str]:
        return re.findall(r'class="govuk-link app-state" href="[^"]+">(T-\d+)</a>', html)

    first = as_panel.get(url).get_data(as_text=True)
    assert references(first) == [f"T-{n:02d}" for n in range(1, 51)]
    assert "Cases (60)" in first and "page 1 of 2" in first
    assert re.search(r'app-figures__value">3</span> with the panel', first)
    assert re.search(r'app-figures__value">57</span> waiting', first)
    assert f'href="{url}?show=all&amp;page=2"' in first
    second = as_panel.get(f"{url}?page=2").get_data(as_text=True)
    assert references(second) == [f"T-{n:02d}" for n in range(51, 61)]
    waiting = as_panel.get(f"{url}?show=waiting").get_data(as_text=True)
    assert "Cases (57)" in waiting and references(waiting)[:2] == ["T-04", "T-05"]
    agreed = as_panel.get(f"{url}?show=agreed&page=9").get_data(as_text=True)  # past the end: the last page
    assert "Cases (3)" in agreed and references(agreed) == ["T-01", "T-02", "T-03"]
    odd = as_panel.get(f"{url}?show=%3Cscript%3E&page=-4")
    assert odd.status_code == 200 and references(odd.get_data(as_text=True))[0] == "T-01"


# --- the side-by-side answers ---


def test_case_shows_each_agencys_answers_and_notes_escaped(as_panel, panel_audit):
    html = as_panel.get(case_url(panel_audit)).get_data(as_text=True)
    assert _has_column(html, "CSC service") and _has_column(html, "EH service")
    assert not _has_column(html, "School service")  # a draft is never shown
    assert str(escape(HOSTILE_NOTE)) in html and "<script>alert" not in html
    assert "Checklist done at the start only" in html
    assert "Visits were &lt;b&gt;weekly&lt;/b&gt;" in html
    assert "Not submitted" in html
    overall = html.split("Each agency's overall judgement")[1].split("Answers side by side")[0]
    assert "Good" in overall and "Requires improvement" in overall and "Agencies differ" in overall


def _row(html: str, question_text: str) -> str:
    start = html.index(question_text)
    return html[start : html.index("</tr>", start)]


def test_disagreements_are_flagged_in_words_and_can_be_shown_alone(as_panel, panel_audit):
    html = as_panel.get(case_url(panel_audit)).get_data(as_text=True)
    definition = definition_of(panel_audit.tool_version)
    seen_alone, tool_used = (definition.question(k).text for k in ("child_seen_alone", "neglect_tool_used"))
    assert "Agencies differ" in _row(html, seen_alone)
    assert "Agencies differ" not in _row(html, tool_used)
    role = _row(html, str(escape(definition.question("agency_role").text)))  # their roles differ, as roles do
    assert "Agencies differ" not in role and "Each agency answers for itself" in role
    assert "different answers to 2 questions" in html
    only = as_panel.get(case_url(panel_audit) + "?differ=1").get_data(as_text=True)
    assert seen_alone in only and tool_used not in only
    assert "Show all questions" in only


def test_no_involvement_is_shown_as_such_with_its_reason(as_panel, panel_audit):
    html = as_panel.get(case_url(panel_audit, "T-02")).get_data(as_text=True)
    assert "No involvement" in html and "No record of the family in the period" in html
    assert _has_column(html, "CSC service") and not _has_column(html, "EH service")


# --- the panel's record ---


def test_saving_the_record_stores_it_and_writes_the_change_to_the_trail(as_panel, post, panel_audit):
    response = post(
        as_panel,
        case_url(panel_audit),
        _record_data(dissent="Early help judged it good.", learning="Share chronologies monthly."),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(case_url(panel_audit))
    record = panel_record(panel_audit)
    assert (record.agreed_grade, record.dissent, record.version) == (
        "requires_improvement",
        "Early help judged it good.",
        1,
    )
    response = post(
        as_panel,
        case_url(panel_audit),
        _record_data(
            version="1",
            agreed_grade="inadequate",
            rationale="No contingency plan.",
            dissent="Early help judged it good.",
            learning="Share chronologies monthly.",
        ),
    )
    assert response.status_code == 302
    assert panel_record(panel_audit).version == 2
    trail = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "panel.saved").order_by(AuditEvent.id)
    ).all()
    assert len(trail) == 2
    # the grade itself, but of free text only its length: the trail never copies what the panel wrote
    assert trail[1].before == {
        "agreed_grade": "requires_improvement",
        "rationale": {"length": len("The plan never said what better would look like.")},
    }
    assert trail[1].after["agreed_grade"] == "inadequate" and trail[1].after["rationale"] == {"length": 20}
    page = as_panel.get(case_url(panel_audit)).get_data(as_text=True)
    assert "has been saved" in page and "No contingency plan." in page


def test_a_grade_needs_a_rationale_and_must_be_one_of_the_judgements(as_panel, post, panel_audit):
    response = post(as_panel, case_url(panel_audit), _record_data(rationale="  \n", learning="Keep this"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Explain why the panel agreed this judgement" in html and "Keep this" in html
    response = post(as_panel, case_url(panel_audit), _record_data(agreed_grade="brilliant"))
    assert response.status_code == 400 and "Choose one of the judgements listed" in response.get_data(as_text=True)
    assert panel_record(panel_audit) is None
    assert (
        post(
            as_panel, case_url(panel_audit), _record_data(agreed_grade="", rationale="", learning="Learning only")
        ).status_code
        == 302
    )
    assert (panel_record(panel_audit).agreed_grade, panel_record(panel_audit).learning) == ("", "Learning only")


@pytest.mark.parametrize("field, name", [("rationale", "Rationale"), ("dissent", "Dissent"), ("learning", "Learning")])
def test_too_long_text_is_refused_with_a_message_and_nothing_saved(as_panel, post, panel_audit, field, name):
    response = post(as_panel, case_url(panel_audit), _record_data(**{field: "x" * 5001}))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"{name} must be 5,000 characters or fewer" in html and "x" * 5001 in html
    assert panel_record(panel_audit) is None
    assert post(as_panel, case_url(panel_audit), _record_data(**{field: "x" * 5000})).status_code == 302


def test_a_stale_save_shows_both_texts_and_overwrites_nothing(client, as_panel, post, factory, login, panel_audit):
    assert (
        post(as_panel, case_url(panel_audit), _record_data(rationale="Theirs: father never assessed")).status_code
        == 302
    )
    factory.user("coordinator", email="coordinator@test.example")
    other = client.application.test_client()
    login(other, "coordinator@test.example")
    response = post(other, case_url(panel_audit), _record_data(rationale="Mine: <no> contingency plan"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Theirs: father never assessed" in html and "Mine: &lt;no&gt; contingency plan" in html
    assert "nothing you typed has been lost" in html
    assert panel_record(panel_audit).rationale == "Theirs: father never assessed"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert version == "1"
    assert post(other, case_url(panel_audit), _record_data(version=version, rationale="Both")).status_code == 302
    assert panel_record(panel_audit).rationale == "Both"


def test_a_missing_or_garbled_version_is_treated_as_stale(as_panel, post, panel_audit):
    for version in ("", "abc"):
        assert post(as_panel, case_url(panel_audit), _record_data(version=version)).status_code == 409
    assert panel_record(panel_audit) is None


def test_after_the_panel_stage_the_record_is_read_only(as_panel, post, panel_audit):
    post(as_panel, case_url(panel_audit), _record_data(learning="Agreed at panel"))
    panel_audit.state = "analysis"
    db.session.commit()
    html = as_panel.get(case_url(panel_audit)).get_data(as_text=True)
    assert "Agreed at panel" in html and "can no longer be changed" in html
    assert 'name="rationale"' not in html and "Save the panel" not in html
    response = post(as_panel, case_url(panel_audit), _record_data(version="1", learning="Typed too late"))
    assert response.status_code == 409
    assert "Typed too late" in response.get_data(as_text=True)
    assert panel_record(panel_audit).learning == "Agreed at panel"


def test_editors_read_the_record_but_cannot_make_it(client, factory, login, post, panel_audit):
    factory.user("editor", email="editor@test.example")
    login(client, "editor@test.example")
    html = client.get(case_url(panel_audit)).get_data(as_text=True)
    assert 'name="rationale"' not in html and "you can read it here" in html
    assert post(client, case_url(panel_audit), _record_data()).status_code == 403
    assert panel_record(panel_audit) is None


def test_every_hostile_string_is_stored_exactly_and_shown_escaped(as_panel, csrf, panel_audit):
    url = case_url(panel_audit)
    token = csrf(as_panel, url)  # one per session: fetched once to keep 515 saves quick
    for number in range(0, len(BLNS), 3):  # the three fields take three strings a save: each string is saved once
        text = BLNS[number]
        data = {
            "rationale": text,
            "dissent": BLNS[(number + 1) % len(BLNS)],
            "learning": BLNS[(number + 2) % len(BLNS)],
        }
        version = str(panel_record(panel_audit).version if panel_record(panel_audit) else 0)
        data |= {"version": version, "agreed_grade": "good" if as_typed(text) else ""}
        response = as_panel.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 302, (number, text, response.status_code)
        record = panel_record(panel_audit)
        assert [record.rationale, record.dissent, record.learning] == [
            as_typed(data[k]) for k in ("rationale", "dissent", "learning")
        ], number
        page = as_panel.get(url + "?differ=1")  # the record is on every view; this one is the shortest
        assert page.status_code == 200, number
        html = page.get_data(as_text=True)
        assert all(str(escape(getattr(record, k))) in html for k in ("rationale", "dissent", "learning")), number
        assert "<script>alert" not in html, number


def test_pages_run_the_same_number_of_statements_however_many_cases(app, as_panel, factory, panel_audit):
    def statements(url: str) -> int:
        counted = []
        with app.app_context():
            engine = db.engine
        listener = lambda *_args: counted.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert as_panel.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(counted)

    bigger = factory.audit(state="panel", cases=6, agencies=("CSC", "EH", "School"))
    for case in bigger.cases:
        for ret in case.returns:
            submit(ret, {"child_seen_alone": "yes"}, {"child_seen_alone": "Seen"})
    assert statements(f"/audits/{panel_audit.id}/panel") == statements(f"/audits/{bigger.id}/panel")
    assert statements(case_url(panel_audit)) == statements(case_url(bigger))
    assert db.session.scalar(select(func.count()).select_from(Return)) == 6 + 18


def test_the_demo_panel_has_recorded_a_judgement_on_each_case(runner, ctx, client, login):
    load_demo(runner)
    login(client, "panel@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    html = client.get(f"/audits/{audit.id}/panel").get_data(as_text=True)
    assert html.count('<strong class="govuk-tag govuk-tag--blue">') == 6 and "Not agreed yet" not in html
    case_ids = [c.id for c in audit.cases]
    recorded = select(func.count()).select_from(PanelRecord).where(PanelRecord.case_id.in_(case_ids))
    assert db.session.scalar(recorded.where(PanelRecord.rationale != "")) == 6
