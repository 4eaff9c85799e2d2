"""A coordinator imports a sample frame, draws a reproducible sample, and excludes a case with a replacement."""

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import AuditEvent, Case, FrameRow, SampleFrame, Sampling

FRAME = (
    "reference,age_years,locality,plan_type,agencies\n"
    + "".join(
        f"NA-{n:03d},{1 + n % 8},{['Northfield', 'Riverside', 'Eastgate'][n % 3]},CP plan - neglect,CSC;EH\n"
        for n in range(1, 61)
    )
).encode()


@pytest.fixture
def audit(client, factory, login):
    factory.user("coordinator", email="co@test.example")
    factory.agency("CSC")
    factory.agency("EH")
    audit = factory.audit(state="setup", cases=0)
    login(client, "co@test.example")
    return audit


def upload_frame(client, post, audit, data=FRAME, filename="frame.csv", **kwargs):
    return post(
        client,
        f"/audits/{audit.id}/frame",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        **kwargs,
    )


def draw(client, post, audit, **fields):
    data = {"method": "random", "size": "6", "seed": "4821", "allocation": "proportional", "minimum_per_stratum": "0"}
    return post(client, f"/audits/{audit.id}/sample", {**data, **fields})


def sampled(audit) -> list[str]:
    return list(
        db.session.scalars(
            select(Case.reference).where(Case.audit_id == audit.id, Case.included).order_by(Case.reference)
        )
    )


def test_frame_is_kept_with_its_checksum(client, post, audit):
    assert upload_frame(client, post, audit).status_code == 302
    frame = db.session.scalar(select(SampleFrame))
    assert frame.row_count == 60 and len(frame.sha256) == 64 and frame.filename == "frame.csv"
    assert db.session.scalar(select(func.count(FrameRow.id))) == 60


def test_same_seed_same_sample_other_seed_other_sample(client, post, audit):
    upload_frame(client, post, audit)
    assert draw(client, post, audit).status_code == 302
    first = sampled(audit)
    assert len(first) == 6
    post(client, f"/audits/{audit.id}/sample/discard")
    assert sampled(audit) == []
    draw(client, post, audit)
    assert sampled(audit) == first
    post(client, f"/audits/{audit.id}/sample/discard")
    draw(client, post, audit, seed="4822")
    assert sampled(audit) != first


def test_stratified_sample_by_locality_and_method_statement(client, post, audit):
    upload_frame(client, post, audit)
    response = draw(client, post, audit, method="stratified", strata=["locality"], size="9")
    assert response.status_code == 302
    cases = db.session.scalars(select(Case).where(Case.audit_id == audit.id)).all()
    assert sorted(c.stratum for c in cases) == ["Eastgate"] * 3 + ["Northfield"] * 3 + ["Riverside"] * 3
    statement = db.session.scalar(select(Sampling.statement))
    assert "9" in statement and "60" in statement and "locality" in statement and "4821" in statement
    assert {r.agency.short_name for c in cases for r in c.returns} == {"CSC", "EH"}


def test_sampling_errors_are_explained_and_draw_nothing(client, post, audit):
    upload_frame(client, post, audit)
    response = draw(client, post, audit, size="61")
    assert "61" in response.get_data(as_text=True) and "60" in response.get_data(as_text=True)
    assert sampled(audit) == [] and db.session.scalar(select(func.count(Sampling.id))) == 0


def test_excluding_a_case_needs_a_reason_and_draws_a_replacement_from_its_group(client, post, audit):
    upload_frame(client, post, audit)
    draw(client, post, audit, method="stratified", strata=["locality"], size="3")
    case = db.session.scalar(select(Case).where(Case.audit_id == audit.id).order_by(Case.reference).limit(1))
    assert "Give the reason" in post(client, f"/audits/{audit.id}/cases/{case.id}/exclude", {"reason": ""}).get_data(
        as_text=True
    )
    response = post(client, f"/audits/{audit.id}/cases/{case.id}/exclude", {"reason": "Moved away before the period"})
    assert response.status_code == 302
    db.session.expire_all()
    excluded = db.session.get(Case, case.id)
    assert (
        not excluded.included and excluded.exclusion_reason == "Moved away before the period" and not excluded.returns
    )
    replacement = db.session.scalar(
        select(Case).where(Case.audit_id == audit.id, Case.included, Case.stratum == excluded.stratum)
    )
    assert replacement.reference != excluded.reference and len(replacement.returns) == 2
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "case.excluded"))["replacement"][
        "length"
    ] == len(replacement.reference)  # the trail keeps no typed text


def test_a_case_with_an_answer_cannot_be_excluded(client, post, audit):
    """Excluding deletes a case's returns, so it is refused once an agency has answered: the analysis relies
    on this to count answers without checking that their case is still included."""
    upload_frame(client, post, audit)
    draw(client, post, audit)
    case = db.session.scalar(select(Case).where(Case.audit_id == audit.id).order_by(Case.reference).limit(1))
    db.session.add(case.returns[0].answer(question_key="child_seen_alone", value="yes", score=2.0))
    db.session.commit()
    response = post(client, f"/audits/{audit.id}/cases/{case.id}/exclude", {"reason": "Moved away"})
    assert "Work has started on case" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).included and len(db.session.get(Case, case.id).returns) == 2


def test_bad_frames_are_refused_whole(client, post, audit):
    for data, expected in [
        (b"reference,child_name\nA,Sam\n", "personal"),
        (b"reference,locality\nA,X\nA,Y\n", "Line 3: the reference is already on an earlier line"),
        (b"locality\nX\n", "What is in each column"),  # no reference: the coordinator says which it is
        (b"reference,age_years\nA,old\n", "age_years must be a number"),
        (b"reference,locality\nA,=HYPERLINK(1)\n", "formula"),
    ]:
        response = upload_frame(client, post, audit, data, follow_redirects=True)
        html = response.get_data(as_text=True).replace("&#39;", "'")
        assert expected in html, (data, expected)
    assert db.session.scalar(select(func.count(SampleFrame.id))) == 0


def test_agency_case_numbers_become_pseudonyms_and_are_never_stored(client, post, audit, app):
    app.config["PSEUDONYM_KEY"] = base64.b64encode(b"k" * 32).decode()
    try:
        assert upload_frame(client, post, audit, b"case_number,locality\nCSC123456,Northfield\n").status_code == 302
    finally:
        app.config["PSEUDONYM_KEY"] = None
    row = db.session.scalar(select(FrameRow))
    assert re.fullmatch(r"P-[0-9A-F]{12}", row.reference) and "CSC123456" not in str(row.attributes)


def test_who_owes_what_csv_is_safe_for_spreadsheets(client, post, audit):
    upload_frame(client, post, audit)
    draw(client, post, audit, size="2")
    csv_text = client.get(f"/audits/{audit.id}/outstanding.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0] == "Agency,Case,State,Last saved by,Due" and len(lines) == 1 + 4


def test_an_excel_frame_imports_like_a_csv_one(client, post, audit):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["reference", "age_years", "locality", "plan_type"])
    for n in range(1, 11):
        sheet.append([f"XL-{n:02d}", 1.5 + n % 5, "Northfield", "CP plan - neglect"])
    data = io.BytesIO()
    book.save(data)
    assert upload_frame(client, post, audit, data.getvalue(), "frame.xlsx").status_code == 302
    rows = db.session.scalars(select(FrameRow).order_by(FrameRow.line)).all()
    assert [r.reference for r in rows][:2] == ["XL-01", "XL-02"] and rows[0].attributes["age_years"] == "2.5"


def test_cli_sample_prints_the_chosen_references_and_is_reproducible(runner, audit, tmp_path):
    frame = tmp_path / "frame.csv"
    frame.write_bytes(FRAME)
    args = [
        "audits",
        "sample",
        str(audit.id),
        "--frame",
        str(frame),
        "--size",
        "6",
        "--stratify",
        "locality",
        "--seed",
        "77",
    ]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    chosen = [line for line in first.stdout.splitlines() if line.startswith("NA-")]
    assert len(chosen) == 6 and sorted(chosen) == sampled(audit)
    assert "stratified by locality" in first.stderr
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already has a sample" in again.output


def test_cli_sample_refuses_a_bad_frame_and_imports_nothing(runner, audit, tmp_path):
    frame = tmp_path / "frame.csv"
    frame.write_bytes(b"locality,plan_type\nNorthfield,CP plan - neglect\n")  # no case references
    result = runner.invoke(
        args=["audits", "sample", str(audit.id), "--frame", str(frame), "--size", "1", "--seed", "1"]
    )
    assert result.exit_code != 0 and "The frame was not imported" in result.output and "reference" in result.output
    assert db.session.scalar(select(func.count(SampleFrame.id))) == 0


def test_the_briefing_summary_says_how_the_sample_was_drawn(client, post, audit, factory, login):
    from audit_app.data.briefings import briefing_content

    upload_frame(client, post, audit)
    draw(client, post, audit, method="stratified", strata=["locality"], size="6")
    summary = " ".join(briefing_content(audit).summary)
    assert (
        "The cases were picked at random from the 60 children who could have been chosen, making sure that each "
        "locality was represented." in summary
    )
    assert "seed" not in summary  # the seed is kept for the record, not printed for lay readers


def test_an_excluded_case_cannot_be_given_agencies_again(client, post, audit, factory):
    upload_frame(client, post, audit)
    draw(client, post, audit, size="2")
    case = db.session.scalar(select(Case).where(Case.audit_id == audit.id).limit(1))
    post(client, f"/audits/{audit.id}/cases/{case.id}/exclude", {"reason": "Out of area"})
    csc = factory.agency("CSC")
    response = post(client, f"/audits/{audit.id}/cases/{case.id}/agencies", {"agencies": [str(csc.id)]})
    assert "is excluded from the sample" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).returns == []


PERSONAL_CELLS = (
    b"reference,age_years,locality,plan_type,notes\n"
    b"NA-1,2,Northfield,CP plan - neglect,\n"
    b"NA-2,3,Eastgate,CP plan - neglect,Jayden Smith\n"
    b"NA-3,4,Riverside,CP plan - neglect,born 12/03/2019\n"
    b"NA-4,5,SW1A 1AA,CP plan - neglect,\n"
)


def test_personal_details_in_cells_are_refused_by_line_and_column_without_echoing_them(client, post, audit):
    """A column whose values mostly look like personal details is left out as the file is read; a single
    such cell in a column that is kept refuses the import by line and column."""
    response = upload_frame(client, post, audit, PERSONAL_CELLS)
    mapping = client.get(response.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert "<strong>notes</strong>: its values look like personal details (a person's name and a full date" in mapping
    keep = {f"role_{n}": role for n, role in enumerate(("reference", "age_years", "locality", "plan_type"))}
    html = post(client, response.headers["Location"], keep).get_data(as_text=True).replace("&#39;", "'")
    assert "Line 5: column 'locality' looks like it holds a UK postcode." in html
    assert "Jayden" not in mapping + html and "12/03/2019" not in mapping + html
    problems = html[html.index('id="problems"') :]
    problems = problems[: problems.index("</div>")]
    assert "Jayden" not in problems and "12/03/2019" not in problems and "SW1A" not in problems
    assert db.session.scalar(select(func.count(SampleFrame.id))) == 0
    assert db.session.scalar(select(func.count(FrameRow.id))) == 0
    events = " ".join(str(e.after) + str(e.before) for e in db.session.scalars(select(AuditEvent)))
    assert "Jayden" not in events and "SW1A" not in events


def test_a_reference_that_is_an_nhs_number_is_refused(client, post, audit):
    response = upload_frame(client, post, audit, b"reference,locality\n9434765919,Northfield\n", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<strong>reference</strong>: its values look like personal details (an NHS number)" in html
    assert db.session.scalar(select(func.count(SampleFrame.id))) == 0


def test_a_spreadsheet_names_the_row(client, post, audit):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["reference", "locality", "notes"])
    book.active.append(["XL-01", "Northfield", "Mrs Okafor's son"])
    for n in range(2, 6):
        book.active.append([f"XL-0{n}", "Northfield", "repeat plan"])
    data = io.BytesIO()
    book.save(data)
    html = upload_frame(client, post, audit, data.getvalue(), "frame.xlsx").get_data(as_text=True)
    assert "Row 2: column &#39;notes&#39; looks like it holds a person&#39;s name." in html


def test_many_cells_with_the_same_personal_detail_are_said_once_with_their_count(client, post, audit):
    notes = [f"call 07700 900{n:03d}" if n % 6 == 0 else "plan" for n in range(1, 121)]
    rows = "".join(f"NA-{n},Northfield,{note}\n" for n, note in enumerate(notes, start=1))
    html = upload_frame(client, post, audit, ("reference,locality,notes\n" + rows).encode()).get_data(as_text=True)
    assert html.count("looks like it holds a UK phone number") == 1
    assert (
        "Lines 7, 13, 19, 25, 31 and 15 more (20 rows): column &#39;notes&#39; looks like it holds a UK phone" in html
    )


def test_localities_plan_types_agencies_and_age_bands_are_not_personal_details(client, post, audit):
    data = (
        b"reference,age_years,age_band,locality,plan_type,agencies,repeat_plan\n"
        b"NA-1,2,0-2,Victoria,Child Protection Plan - neglect,CSC;EH,yes\n"
        b"NA-2,12,11-15,Beverley,Child in Need,CSC,no\n"
        b"NA-3,7,6-10,Stanley,Early Help Assessment,EH,no\n"
        b"NA-4,4,3-5,Grace Darling ward,CP plan,CSC,yes\n"
    )
    assert upload_frame(client, post, audit, data).status_code == 302
    assert db.session.scalar(select(func.count(FrameRow.id))) == 4


def test_cli_sample_refuses_personal_details_in_cells(runner, audit, tmp_path):
    frame = tmp_path / "frame.csv"
    frame.write_bytes(PERSONAL_CELLS)
    result = runner.invoke(
        args=["audits", "sample", str(audit.id), "--frame", str(frame), "--size", "1", "--seed", "1"]
    )
    # As an upload: the column of names and dates is left out, and the postcode in a kept column refuses it
    assert result.exit_code != 0 and "Line 5: column 'locality' looks like it holds a UK postcode." in result.output
    assert "Jayden" not in result.output and "12/03/2019" not in result.output and "SW1A" not in result.output
    assert db.session.scalar(select(func.count(SampleFrame.id))) == 0
