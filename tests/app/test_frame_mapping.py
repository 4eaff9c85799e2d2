"""Frames shaped like real exports import through the mapping step without being edited, and nothing
that identifies a child (names, dates of birth, postcodes) is anywhere in the database afterwards."""

from __future__ import annotations

import hashlib
import io
import logging
import re

import pytest
import sqlalchemy as sa

from audit_app.extensions import db
from audit_app.models import AgencyAlias, AuditEvent, FrameRow, FrameSource, SampleFrame, StagedFrame
from tests.app.frame_pages import everything_stored, form_defaults, shown_problems
from tests.app.real_exports import (
    AGENCIES,
    CHILDREN,
    frame_bom_crlf_postcodes,
    frame_csv_with_names,
    frame_xlsx_other_names,
    identifying_values,
)


@pytest.fixture
def audit(client, factory, login):
    for short, name in AGENCIES:
        factory.agency(short, name)
    factory.user("coordinator", email="co@test.example")
    audit = factory.audit(state="setup", cases=0, agencies=())
    db.session.commit()
    login(client, "co@test.example")
    return audit


def upload(client, post, audit, data: bytes, filename: str, source: int = 0):
    return post(
        client,
        f"/audits/{audit.id}/frame",
        {"file": (io.BytesIO(data), filename), "source": str(source)},
        content_type="multipart/form-data",
    )


def map_unedited(client, post, audit, response, **extra):
    assert response.status_code == 302, shown_problems(response.get_data(as_text=True))
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    return html, post(client, response.headers["Location"], {**form_defaults(html), **extra})


@pytest.mark.parametrize(
    "make, filename, left_out",
    [
        (frame_csv_with_names, "cp-export.csv", ["child_name"]),
        (frame_xlsx_other_names, "eh-cohort.xlsx", ["forename", "surname"]),
        (frame_bom_crlf_postcodes, "early-help.csv", ["postcode"]),
    ],
)
def test_real_exports_import_through_the_mapping_step_unedited_and_leave_no_identifier(
    client, post, audit, make, filename, left_out
):
    html, response = map_unedited(client, post, audit, upload(client, post, audit, make(), filename))
    for column in left_out:
        assert re.search(rf"<strong>{column}</strong>: its name says it holds personal details", html), column
    assert response.status_code == 302, shown_problems(response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"/audits/{audit.id}/sample")
    assert db.session.scalar(sa.select(sa.func.count(FrameRow.id))) == len(CHILDREN)
    assert db.session.scalar(sa.select(sa.func.count(StagedFrame.id))) == 0
    stored = everything_stored()
    for value in identifying_values():
        assert value not in stored, value


def test_a_date_of_birth_becomes_an_age_and_band_and_full_agency_names_become_agencies(client, post, audit):
    map_unedited(client, post, audit, upload(client, post, audit, frame_csv_with_names(), "cp.csv"))
    rows = {r.reference: r.attributes for r in db.session.scalars(sa.select(FrameRow))}
    first = rows["CP-1001"]
    assert "date_of_birth" not in first and first["age_years"] and first["age_band"] in ("6-10", "3-5")
    assert first["agencies"] == "CSC;HV" and rows["CP-1002"]["agencies"] == "CSC;School;CAMHS"
    assert rows["CP-1003"]["agencies"] == "School;CAMHS" and first["gender"] == "Female"


def test_the_files_own_age_bands_are_kept(client, post, audit):
    map_unedited(client, post, audit, upload(client, post, audit, frame_bom_crlf_postcodes(), "eh.csv"))
    bands = {r.attributes["age_band"] for r in db.session.scalars(sa.select(FrameRow))}
    assert bands == {"Under 1", "1 to 4", "5 to 10", "11 and over"}


def test_the_mapping_page_shows_examples_escaped_and_says_what_was_left_out(client, post, audit):
    data = b"reference,locality,child_name\nNA-1,<script>x</script>,Amara Okonjo\nNA-2,Riverside,Tobias Fenwick\n"
    response = upload(client, post, audit, data, "f.csv")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert "Amara" not in html and "Okonjo" not in html
    assert "Amara" not in everything_stored()


def test_an_unknown_agency_name_is_asked_once_with_its_row_count_and_remembered(client, post, audit):
    data = b"reference,agencies\nA-1,Youth Justice; CSC\nA-2,Youth Justice\nA-3,Housing Officer\n"
    response = upload(client, post, audit, data, "f.csv")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(re.findall(r"<label[^>]*>\s*Youth Justice\s*</label>", html)) == 1
    assert "2 rows" in html and "1 row" in html
    defaults = form_defaults(html)
    fields = {name: value for name, value in defaults.items() if name.startswith("agency_")}
    assert len(fields) == 2
    refused = post(client, response.headers["Location"], defaults)
    assert refused.status_code == 200 and "Choose the agency that" in refused.get_data(as_text=True)
    youth, housing = sorted(fields)  # order does not matter: one is CAMHS, the other not an agency
    chosen = {**defaults, youth: "CAMHS", housing: "", "remember_as": "Our CP export"}
    done = post(client, response.headers["Location"], chosen)
    assert done.status_code == 302, shown_problems(done.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(AgencyAlias.id))) == 1
    source = db.session.scalar(sa.select(FrameSource))
    assert source.label == "Our CP export" and len(source.not_agencies) == 1


def test_a_remembered_source_imports_the_same_export_again_in_one_step(client, post, audit):
    html, response = map_unedited(
        client,
        post,
        audit,
        upload(client, post, audit, frame_xlsx_other_names(), "eh.xlsx"),
        remember_as="Performance team workbook",
    )
    assert response.status_code == 302
    source = db.session.scalar(sa.select(FrameSource))
    again = upload(client, post, audit, frame_xlsx_other_names(), "eh-2027.xlsx", source=source.id)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/audits/{audit.id}/sample")
    assert db.session.scalar(sa.select(sa.func.count(SampleFrame.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(StagedFrame.id))) == 0


def test_a_name_in_a_kept_cell_refuses_the_import_with_line_and_column(client, post, audit):
    rows = "".join(f"NA-{n},Northfield,{'Neglect'}\n" for n in range(1, 10))
    data = ("Case ID,Locality,Notes\n" + rows + "NA-10,Eastgate,Seen with Mrs Okafor's son\n").encode()
    html, response = map_unedited(client, post, audit, upload(client, post, audit, data, "f.csv"))
    assert response.status_code == 200
    text = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Line 11: column 'notes' looks like it holds a person's name." in text
    assert "Okafor" not in text and "Okafor" not in everything_stored()
    assert db.session.scalar(sa.select(sa.func.count(SampleFrame.id))) == 0


def test_another_coordinator_cannot_open_a_staged_upload(client, post, audit, factory, login):
    response = upload(client, post, audit, frame_csv_with_names(), "cp.csv")
    factory.user("coordinator", email="other@test.example")
    post(client, "/logout")
    login(client, "other@test.example")
    assert client.get(response.headers["Location"]).status_code == 404


def test_the_partnership_sets_the_bands_that_ages_in_years_are_put_in(client, post, audit):
    refused = post(client, "/audits/age-bands", {"bands": "Under 5, 5\n5 to 10, 4"})
    assert "list the bands youngest first" in refused.get_data(as_text=True)
    saved = post(client, "/audits/age-bands", {"bands": "Under 5, 5\n5 to 10, 11\n11 and over, 18"})
    assert saved.status_code == 302
    map_unedited(client, post, audit, upload(client, post, audit, frame_xlsx_other_names(), "eh.xlsx"))
    bands = [r.attributes["age_band"] for r in db.session.scalars(sa.select(FrameRow).order_by(FrameRow.line))]
    assert bands == ["Under 5", "Under 5", "5 to 10", "5 to 10", "5 to 10", "5 to 10"]  # ages 3 to 8


@pytest.mark.parametrize("filename", ["smith_jayden_cp.csv", "Smith_Jayden_CP.csv"])
def test_the_trail_and_the_logs_never_name_the_uploaded_file(client, post, audit, caplog, filename):
    """A file name is typed free text and can name a child: the trail keeps its kind, rows and SHA-256."""
    caplog.set_level(logging.DEBUG)
    data = frame_csv_with_names()
    map_unedited(client, post, audit, upload(client, post, audit, data, filename))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "frame.imported"))
    assert event.after == {"kind": "csv", "rows": len(CHILDREN), "sha256": hashlib.sha256(data).hexdigest()}
    trail = " ".join(repr(tuple(row)) for row in db.session.execute(sa.select(AuditEvent.__table__)))
    for word in ("smith", "jayden"):
        assert word not in trail.lower(), word
    assert "jayden" not in caplog.text.lower()


def test_a_name_in_a_kept_cell_and_a_repeated_reference_are_said_on_the_same_attempt(client, post, audit):
    rows = "".join(f"NA-{n},Northfield,Neglect\n" for n in range(1, 10))
    data = ("Case ID,Locality,Notes\n" + rows + "NA-3,Eastgate,Seen with Mrs Okafor's son\n").encode()
    _html, response = map_unedited(client, post, audit, upload(client, post, audit, data, "f.csv"))
    text = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Line 11: column 'notes' looks like it holds a person's name." in text
    assert "Line 11: the reference is already on an earlier line" in text
    assert "Okafor" not in text and db.session.scalar(sa.select(sa.func.count(SampleFrame.id))) == 0


def _sample_on_the_command_line(runner, audit, path, *extra):
    return runner.invoke(
        args=["audits", "sample", str(audit.id), "--frame", str(path), "--size", "2", "--seed", "7", *extra]
    )


def test_the_command_line_reads_a_real_export_as_an_upload_does(runner, audit, tmp_path):
    """Regression: `flask audits sample` read the file without the staging step, so it refused an export
    with names and dates of birth that the upload page takes (leaving those columns out)."""
    path = tmp_path / "cp-export.csv"
    path.write_bytes(frame_csv_with_names())
    result = _sample_on_the_command_line(runner, audit, path)
    assert result.exit_code == 0, result.output
    assert len([line for line in result.stdout.splitlines() if line.startswith("CP-")]) == 2
    assert "Columns left out and not kept: child_name" in result.stderr
    rows = {r.reference: r.attributes for r in db.session.scalars(sa.select(FrameRow))}
    assert rows["CP-1001"]["agencies"] == "CSC;HV" and "date_of_birth" not in rows["CP-1001"]
    stored = everything_stored()
    for value in identifying_values():
        assert value not in stored and value not in result.output, value


def test_the_command_line_uses_a_remembered_source_by_its_name(client, post, runner, audit, tmp_path):
    map_unedited(
        client,
        post,
        audit,
        upload(client, post, audit, frame_xlsx_other_names(), "eh.xlsx"),
        remember_as="Performance team workbook",
    )
    path = tmp_path / "eh-2027.xlsx"
    path.write_bytes(frame_xlsx_other_names())
    unknown = _sample_on_the_command_line(runner, audit, path, "--source", "Performance workbook")
    assert unknown.exit_code != 0 and "No remembered source is called 'Performance workbook'" in unknown.output
    assert "Remembered: 'Performance team workbook'." in unknown.output
    assert db.session.scalar(sa.select(sa.func.count(SampleFrame.id))) == 1
    # No such name could have been saved: a NUL, too long, a byte that is not UTF-8 (as the shell passes it,
    # a lone surrogate: it was a UnicodeEncodeError's traceback), or nothing at all (it was ignored).
    for odd in ("Performance\x00team workbook", "x" * 10_000, "ab\udcff", "", "  "):
        refused = _sample_on_the_command_line(runner, audit, path, "--source", odd)
        assert refused.exit_code == 1 and "No remembered source is called" in refused.output
    result = _sample_on_the_command_line(runner, audit, path, "--source", "Performance team workbook")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(SampleFrame.id))) == 2
