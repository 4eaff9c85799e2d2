"""Answer spreadsheets: who may take them, what they hold, and that no typed formula can run."""

import csv
import io

import pytest
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import select

from audit_app.data.trail_seals import text_digest
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, EvidenceNote, PanelRecord

HOSTILE = '=HYPERLINK("http://example.invalid","Click")'
HOUSING = "Housing problems (poor condition, overcrowding, insecure tenancy)"


@pytest.fixture
def audit(factory):
    """Two cases; CSC submitted both, EH submitted T-02 and left T-01 as a draft."""
    audit = factory.audit(state="analysis", cases=2, agencies=("CSC", "EH"))
    audit.cases[1].locality = "Riverside"
    audit.cases[0].attributes = {"repeat_plan": "yes", "age_years": "2"}
    for agency, reference, state in (
        ("CSC", "T-01", "submitted"),
        ("CSC", "T-02", "accepted"),
        ("EH", "T-02", "submitted"),
        ("EH", "T-01", "draft"),
    ):
        ret = factory.return_for(audit, agency, reference)
        ret.state = state
        ret.answers.extend(
            [
                Answer(question_key="child_seen_alone", value="partly", score=1.0),
                Answer(question_key="contributory_factors", ordinal=0, value="domestic_abuse"),
                Answer(question_key="contributory_factors", ordinal=1, value="housing"),
                Answer(question_key="overall_rationale", value=HOSTILE),
            ]
        )
        db.session.add(
            EvidenceNote(return_id=ret.id, question_key="child_seen_alone", text=f"{agency} note: -3 visits")
        )
    db.session.add(PanelRecord(case_id=audit.cases[0].id, agreed_grade="requires_improvement"))
    db.session.commit()
    return audit


def sign_in(factory, client, login, role):
    factory.user(role, email=f"{role}@test.example", agency=factory.agency("CSC") if role == "auditor" else None)
    login(client, f"{role}@test.example")


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_long_csv_has_a_row_per_counted_answer(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    response = client.get(f"/audits/{audit.id}/analysis/answers.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="answers-long-audit-{audit.id}.csv"'
    header, *rows = read_csv(response)
    assert header == [
        "Case reference",
        "Age (years)",
        "Age band",
        "Locality",
        "Plan type",
        "Panel's agreed judgement",
        "repeat_plan",
        "Agency",
        "Return state",
        "Question number",
        "Question key",
        "Question",
        "Answer value",
        "Answer",
        "Score",
        "Evidence note",
    ]
    assert len(rows) == 3 * 4  # three counted returns, four answer rows each; the draft is left out
    first = rows[0]
    assert first[:9] == [
        "T-01",
        "2",
        "3-5",
        "Northfield",
        "Child protection plan – neglect",
        "Requires improvement",
        "yes",
        "CSC service",
        "Submitted",
    ]
    assert first[10:] == ["child_seen_alone", first[11], "partly", "Partly", "1", "CSC note: -3 visits"]
    assert [row[12:14] for row in rows[1:3]] == [["domestic_abuse", "Domestic abuse"], ["housing", HOUSING]]
    assert rows[1][15] == ""  # no note on this question
    assert {row[7] for row in rows if row[0] == "T-01"} == {"CSC service"}
    assert {row[5] for row in rows if row[0] == "T-02"} == {""}  # the panel has not agreed on T-02 yet


def test_formulas_typed_in_answers_never_run(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    rows = read_csv(client.get(f"/audits/{audit.id}/analysis/answers.csv"))
    rationale = [row for row in rows if row[10] == "overall_rationale"]
    assert rationale and all(row[12] == "'" + HOSTILE and row[13] == "'" + HOSTILE for row in rationale)
    assert not any(cell and cell[0] in "=+-@" for row in rows for cell in row)


def test_wide_workbook_has_a_row_per_return(client, factory, login, audit):
    sign_in(factory, client, login, "editor")
    response = client.get(f"/audits/{audit.id}/analysis/answers.xlsx?layout=wide")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, *rows = [list(row) for row in sheet.iter_rows()]
    names = [cell.value for cell in header]
    assert len(rows) == 3
    factors = names.index(next(n for n in names if " contributory_factors: " in n))
    assert rows[0][factors].value == f"Domestic abuse; {HOUSING}"
    rationale = rows[0][names.index(next(n for n in names if " overall_rationale: " in n))]
    assert (rationale.value, rationale.data_type) == (HOSTILE, "s")
    assert [row[names.index("Return state")].value for row in rows] == ["Submitted", "Accepted", "Submitted"]


def test_filters_choose_the_rows_and_each_download_is_recorded(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    rows = read_csv(client.get(f"/audits/{audit.id}/analysis/answers.csv?layout=wide&locality=Riverside"))
    assert [row[0] for row in rows[1:]] == ["T-02", "T-02"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers.exported"))
    assert event.object_id == audit.id
    assert event.after == {
        "format": "csv",
        "layout": "wide",
        "returns": 2,  # the trail keeps no typed text
        "locality": text_digest(current_app.config["AUDIT_TRAIL_KEY"], "Riverside"),
    }


def test_an_unknown_layout_is_not_found(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    assert client.get(f"/audits/{audit.id}/analysis/answers.csv?layout=diagonal").status_code == 404


@pytest.mark.parametrize("role", ["panel", "viewer", "auditor"])
def test_only_coordinators_and_editors_take_the_answers(client, factory, login, audit, role):
    sign_in(factory, client, login, role)
    for extension in ("csv", "xlsx"):
        assert client.get(f"/audits/{audit.id}/analysis/answers.{extension}").status_code == 403


def test_editors_wait_for_the_reveal(client, factory, login):
    sign_in(factory, client, login, "editor")
    audit = factory.audit(state="open")
    assert client.get(f"/audits/{audit.id}/analysis/answers.csv").status_code == 403
    audit.state = "panel"
    db.session.commit()
    assert client.get(f"/audits/{audit.id}/analysis/answers.csv").status_code == 200


def test_who_owes_what_is_safe_for_spreadsheets_too(client, factory, login):
    """The returns chaser's CSV uses the same guard as the answer spreadsheets."""
    sign_in(factory, client, login, "coordinator")
    audit = factory.audit(state="open", agencies=("CSC",))
    factory.agency("CSC").name = "=CSC"
    db.session.commit()
    rows = read_csv(client.get(f"/audits/{audit.id}/outstanding.csv"))
    assert rows[1][0] == "'=CSC"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_answers_are_streamed_while_they_are_written(client, factory, login, audit, extension):
    sign_in(factory, client, login, "coordinator")
    response = client.get(f"/audits/{audit.id}/analysis/answers.{extension}?layout=wide")
    assert response.is_streamed and "Content-Length" not in response.headers
    assert len(response.get_data()) > 100


def test_the_long_workbook_has_numbers_as_numbers_question_text_and_the_panels_judgement(client, factory, login, audit):
    from audit_app.data.tools import definition_of

    sign_in(factory, client, login, "coordinator")
    sheet = load_workbook(io.BytesIO(client.get(f"/audits/{audit.id}/analysis/answers.xlsx").get_data())).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    column = {name: n for n, name in enumerate(header)}
    first = rows[0]
    assert first[column["Case reference"]] == "T-01" and first[column["Question key"]] == "child_seen_alone"
    seen_alone = definition_of(audit.tool_version).question("child_seen_alone")
    assert first[column["Question"]] == seen_alone.text and seen_alone.text
    assert first[column["Panel's agreed judgement"]] == "Requires improvement"
    assert first[column["Age (years)"]] == 2 and isinstance(first[column["Score"]], float)
    assert first[column["Score"]] == 1.0
    assert [row[column["Panel's agreed judgement"]] for row in rows if row[0] == "T-02"] == [None] * 8


def test_the_wide_csv_heads_each_question_with_its_key_and_text(client, factory, login, audit):
    from audit_app.data.tools import definition_of

    sign_in(factory, client, login, "editor")
    header = read_csv(client.get(f"/audits/{audit.id}/analysis/answers.csv?layout=wide"))[0]
    definition = definition_of(audit.tool_version)
    question = definition.questions[0]
    assert f"1.1 {question.key}: {question.text}" in header
    assert header.index("Panel's agreed judgement") == 5


def test_a_return_erased_while_the_file_is_written_is_left_out_not_a_broken_download(factory, audit, monkeypatch):
    """The returns are read a batch at a time as the file is written; one erased in between (the retention
    clean-up of a whole audit, say) is left out instead of stopping the download half-way with an error."""
    from audit_app.data import exports
    from audit_app.data.tools import definition_of
    from audit_app.models import Return

    monkeypatch.setattr(exports, "BATCH", 1)
    found = exports.returns_for_export(audit, definition_of(audit.tool_version))
    assert found.count == 3
    first = next(found.returns)
    erased = factory.return_for(audit, "CSC", "T-02")
    db.session.delete(db.session.get(Return, erased.id))
    db.session.flush()
    rest = list(found.returns)
    assert first.case_reference == "T-01" and [(r.case_reference, r.agency) for r in rest] == [("T-02", "EH service")]


@pytest.mark.parametrize(
    "query",
    ["locality=Nowhere", "age_band=bogus", "plan_type=Neglect%00", "locality=" + "x" * 10_000],
    ids=["unknown locality", "unknown age band", "plan type with a NUL", "long locality"],
)
def test_a_filter_value_the_audit_does_not_have_makes_no_file(client, factory, login, audit, query):
    """A file has no page to say the filter was ignored: a value the audit does not offer is refused, not
    answered with every case's answers."""
    sign_in(factory, client, login, "coordinator")
    for extension in ("csv", "xlsx"):
        response = client.get(f"/audits/{audit.id}/analysis/answers.{extension}?layout=wide&{query}")
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert "filter" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers.exported")) is None
