"""Answer spreadsheets: who may take them, what they hold, and that no typed formula can run."""

import csv
import io

import pytest
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import select

from audit_app.data.trail_seals import text_digest
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, EvidenceNote

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
    assert first[:8] == [
        "T-01",
        "2",
        "3-5",
        "Northfield",
        "Child protection plan – neglect",
        "yes",
        "CSC service",
        "Submitted",
    ]
    assert first[9:] == ["child_seen_alone", first[10], "partly", "Partly", "1", "CSC note: -3 visits"]
    assert [row[11:13] for row in rows[1:3]] == [["domestic_abuse", "Domestic abuse"], ["housing", HOUSING]]
    assert rows[1][14] == ""  # no note on this question
    assert {row[6] for row in rows if row[0] == "T-01"} == {"CSC service"}


def test_formulas_typed_in_answers_never_run(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    rows = read_csv(client.get(f"/audits/{audit.id}/analysis/answers.csv"))
    rationale = [row for row in rows if row[9] == "overall_rationale"]
    assert rationale and all(row[11] == "'" + HOSTILE and row[12] == "'" + HOSTILE for row in rationale)
    assert not any(cell and cell[0] in "=+-@" for row in rows for cell in row)


def test_wide_workbook_has_a_row_per_return(client, factory, login, audit):
    sign_in(factory, client, login, "editor")
    response = client.get(f"/audits/{audit.id}/analysis/answers.xlsx?layout=wide")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, *rows = [list(row) for row in sheet.iter_rows()]
    names = [cell.value for cell in header]
    assert len(rows) == 3
    factors = names.index(next(n for n in names if n.endswith(" contributory_factors")))
    assert rows[0][factors].value == f"Domestic abuse; {HOUSING}"
    rationale = rows[0][names.index(next(n for n in names if n.endswith(" overall_rationale")))]
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
