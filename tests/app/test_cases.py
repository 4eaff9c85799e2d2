"""Coordinators add cases by hand and by CSV; a bad file is refused whole with reasons."""

import io
import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Agency, Audit, Case, FrameSource, Return
from tests.app.frame_pages import everything_stored
from tests.app.real_exports import (
    AGENCIES,
    CHILDREN,
    frame_bom_crlf_postcodes,
    frame_csv_with_names,
    frame_xlsx_other_names,
    identifying_values,
)

GOOD = (
    b"reference,age_years,locality,plan_type,agencies\n"
    b"NA-1,1.5,Northfield,CP plan - neglect,CSC;EH\n"
    b"NA-2,8,Eastgate,CP plan - neglect,\n"
)


@pytest.fixture
def audit(client, factory, login):
    factory.user("coordinator", email="co@test.example")
    factory.agency("CSC")
    factory.agency("EH")
    audit = factory.audit(state="setup", cases=0)
    login(client, "co@test.example")
    return audit


def upload(client, post, audit, data: bytes, filename="frame.csv", agencies=None):
    """Upload a file; unless ``agencies`` (ids) says otherwise, CSC is ticked as the default agency."""
    if agencies is None:
        agencies = [db.session.scalar(select(Agency.id).where(Agency.short_name == "CSC"))]
    return post(
        client,
        f"/audits/{audit.id}/cases/upload",
        {"file": (io.BytesIO(data), filename), "agencies": [str(a) for a in agencies]},
        content_type="multipart/form-data",
    )


def case_count(audit) -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.audit_id == audit.id))


def test_good_file_imports_cases_and_returns(client, post, audit, factory):
    default = factory.agency("EH")
    response = upload(client, post, audit, GOOD, agencies=[default.id])
    assert response.status_code == 302
    cases = {c.reference: c for c in db.session.scalars(select(Case).where(Case.audit_id == audit.id))}
    assert set(cases) == {"NA-1", "NA-2"}
    assert sorted(r.agency.short_name for r in cases["NA-1"].returns) == ["CSC", "EH"]
    assert [r.agency.short_name for r in cases["NA-2"].returns] == ["EH"]  # the default for a blank cell
    assert cases["NA-1"].age_band == "0-2"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"reference,age_years,locality,plan_type\nA,2,X,Y\n", "Line 2: no agencies are named."),
        (b"", "The file is empty."),
        (b"reference,age_years,locality\nA,2,X\n", "missing column(s): plan_type"),
        (
            b"reference,age_years,locality,plan_type\nA,2,X,Y\nB,3,X,Y\nA,4,X,Y\n",
            "Line 4: the reference is already on an earlier line",
        ),
        (b"reference,age_years,locality,plan_type\nA,2,X,Y\nB,\xff\xfe,X,Y\n", "Line 3: the file is not UTF-8"),
        (b"reference,age_years,locality,plan_type\nA,two,X,Y\n", "Line 2: age_years must be a number"),
        (b"reference,age_years,locality,plan_type\nA,2,,Y\n", "Line 2: locality is empty"),
        (
            b"reference,age_years,locality,plan_type,agencies\nA,2,X,Y,CSC;NOPE\n",
            "unknown agency 'NOPE'; the agencies are",
        ),
        (b"reference,age_years,locality,plan_type\n", "header row but no cases"),
        (
            b"reference,age_years,locality,plan_type\n" + b"A,2,X,Y\n" * 1_400_000,
            "larger than 2 MB, the largest accepted",
        ),
        (
            b"reference,age_years,locality,plan_type,age_band\nA,2,X,Y,a band of many many words\n",
            "age_band is longer than 20 characters",
        ),
    ],
)
def test_bad_files_are_refused_whole_with_a_specific_reason(client, post, audit, data, expected):
    response = upload(client, post, audit, data, agencies=())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert expected.replace("'", "&#39;") in html, html[html.find("Problems") :][:800]
    assert "The file was not imported" in html
    assert case_count(audit) == 0


def test_ten_megabyte_file_is_refused_clearly(client, post, audit):
    data = b"reference,age_years,locality,plan_type\n" + b"A" * (10 * 1024 * 1024)
    response = upload(client, post, audit, data)
    assert "larger than 2 MB, the largest accepted" in response.get_data(as_text=True)
    assert case_count(audit) == 0


def test_the_same_agency_twice_in_a_row_is_one_return(client, post, audit, factory):
    response = upload(client, post, audit, b"reference,age_years,locality,plan_type,agencies\nA,2,X,Y,CSC;csc; CSC\n")
    assert response.status_code == 302
    assert [r.agency.short_name for r in db.session.scalar(select(Case).where(Case.reference == "A")).returns] == [
        "CSC"
    ]


def test_rows_without_agencies_need_a_default(client, post, audit):
    response = upload(
        client, post, audit, b"reference,age_years,locality,plan_type,agencies\nA,2,X,Y,CSC\nB,3,X,Y,\n", agencies=()
    )
    assert "Line 3: no agencies are named." in response.get_data(as_text=True)
    assert case_count(audit) == 0


def test_reference_already_in_the_audit_is_refused(client, post, audit):
    upload(client, post, audit, GOOD)
    response = upload(client, post, audit, b"reference,age_years,locality,plan_type\nna-1,3,X,Y\n")
    assert "Line 2: the reference is already in this audit." in response.get_data(as_text=True).replace("&#39;", "'")
    assert case_count(audit) == 2


def test_add_case_by_hand_with_agencies(client, post, audit, factory):
    csc = factory.agency("CSC")
    response = post(
        client,
        f"/audits/{audit.id}/cases/new",
        {
            "reference": "NA-9",
            "age_years": "4",
            "locality": "Riverside",
            "plan_type": "CP plan",
            "agencies": [str(csc.id)],
        },
    )
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.reference == "NA-9"))
    assert [r.agency.short_name for r in case.returns] == ["CSC"]


def test_add_case_by_hand_refuses_bad_age_and_keeps_input(client, post, audit):
    response = post(
        client,
        f"/audits/{audit.id}/cases/new",
        {"reference": "NA-9", "age_years": "21", "locality": "Riverside", "plan_type": "CP plan"},
    )
    html = response.get_data(as_text=True)
    assert "Enter an age in years from 0 to 17" in html and 'value="Riverside"' in html
    assert case_count(audit) == 0


def test_ticking_agencies_creates_and_removes_unstarted_returns(client, post, audit, factory):
    upload(client, post, audit, GOOD)
    case = db.session.scalar(select(Case).where(Case.reference == "NA-1"))
    csc = factory.agency("CSC")
    response = post(client, f"/audits/{audit.id}/cases/{case.id}/agencies", {"agencies": [str(csc.id)]})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Return.id)).where(Return.case_id == case.id)) == 1


def test_opening_needs_a_return_and_is_recorded(client, post, audit):
    post(client, f"/audits/{audit.id}/advance")
    db.session.refresh(audit)
    assert audit.state == "setup"
    upload(client, post, audit, GOOD)
    post(client, f"/audits/{audit.id}/advance")
    db.session.refresh(audit)
    assert audit.state == "open"


def test_progress_grid_shows_each_return_state(client, post, audit):
    upload(client, post, audit, GOOD)
    html = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "NA-1" in html and "NA-2" in html
    assert len(re.findall(r"govuk-tag--grey app-state\">\s*Draft\s*<", html)) == 3  # NA-1: CSC and EH; NA-2: CSC


def test_coordinator_creates_an_audit_from_the_builtin_tool(client, post, audit):
    from audit_app.data.tools import published_versions

    version = published_versions()[0]
    form = {
        "title": "Neglect audit 2027",
        "topic": "Neglect",
        "year": "2027",
        "tool_version": str(version.id),
        "purpose": "To learn.",
        "period_start": ["1", "4", "2026"],
        "period_end": ["31", "3", "2027"],
    }
    response = post(client, "/audits/new", form)
    assert response.status_code == 302
    created = db.session.scalar(select(Audit).where(Audit.title == "Neglect audit 2027"))
    assert created.state == "setup" and created.period_end.isoformat() == "2027-03-31"


def test_audit_form_explains_each_mistake_and_keeps_what_was_typed(client, post, audit):
    response = post(
        client,
        "/audits/new",
        {
            "title": "Half-typed title",
            "year": "twenty",
            "period_start": ["1", "4", "2026"],
            "period_end": ["1", "1", "2026"],
        },
    )
    html = response.get_data(as_text=True)
    assert "Enter the topic" in html and "The end of the period must be after its start" in html
    assert 'value="Half-typed title"' in html
    assert db.session.scalar(select(func.count(Audit.id))) == 1


def test_add_case_by_hand_refuses_a_reference_already_there_whatever_its_case(client, post, audit):
    upload(client, post, audit, GOOD)
    response = post(
        client,
        f"/audits/{audit.id}/cases/new",
        {"reference": "na-1", "age_years": "4", "locality": "Riverside", "plan_type": "CP plan"},
    )
    assert "Case na-1 is already in this audit." in response.get_data(as_text=True)
    assert case_count(audit) == 2


def test_opening_is_blocked_while_a_case_has_no_agency(client, post, audit, csrf):
    upload(client, post, audit, b"reference,age_years,locality,plan_type\nA,2,X,Y\n")
    post(
        client, f"/audits/{audit.id}/cases/new", {"reference": "B", "age_years": "3", "locality": "X", "plan_type": "Y"}
    )
    page = client.get(f"/audits/{audit.id}/advance").get_data(as_text=True)
    assert "Choose the agencies for case B, or remove them from the audit." in page
    assert post(client, f"/audits/{audit.id}/advance").status_code == 200
    db.session.refresh(audit)
    assert audit.state == "setup"


def test_closing_returns_warns_about_unsubmitted_drafts(client, post, audit):
    upload(client, post, audit, GOOD)
    post(client, f"/audits/{audit.id}/advance")
    db.session.scalar(select(Return).join(Case).where(Case.reference == "NA-2")).state = "submitted"
    db.session.commit()
    page = client.get(f"/audits/{audit.id}/advance").get_data(as_text=True)
    assert "Close returns and reveal them to the panel" in page
    assert "2 returns are not submitted (CSC service: 1, EH service: 1). They will not be counted" in page


def test_a_case_added_by_mistake_can_be_removed_until_work_starts(client, post, audit):
    upload(client, post, audit, GOOD)
    case = db.session.scalar(select(Case).where(Case.reference == "NA-2"))
    assert post(client, f"/audits/{audit.id}/cases/{case.id}/remove").status_code == 302
    assert case_count(audit) == 1
    started = db.session.scalar(select(Case).where(Case.reference == "NA-1"))
    started.returns[0].state = "submitted"
    db.session.commit()
    response = post(client, f"/audits/{audit.id}/cases/{started.id}/remove", follow_redirects=True)
    assert "already started work on case NA-1, so it cannot be removed" in response.get_data(as_text=True)
    assert case_count(audit) == 1


def test_date_errors_name_their_field_and_link_to_its_first_box(client, post, audit):
    response = post(
        client,
        "/audits/new",
        {
            "title": "T",
            "topic": "Neglect",
            "year": "2026",
            "period_start": ["31", "2", "2026"],
            "period_end": ["x", "1", "2026"],
        },
    )
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert (
        "Enter a real date for ‘Period audited: from’" in html and "Enter a real date for ‘Period audited: to’" in html
    )
    assert 'href="#period_start-day"' in html and 'id="period_start-day"' in html


def test_personal_details_in_the_cells_of_a_case_list_are_refused_by_line_and_column(client, post, audit):
    data = (
        b"reference,age_years,locality,plan_type\nNA-1,2,Northfield,CP plan\n"
        b"NA-2,3,M1 1AE,CP plan\nNA-3,4,Eastgate,Mr Jones's son\n"
    )
    html = upload(client, post, audit, data).get_data(as_text=True).replace("&#39;", "'")
    assert "Line 3: column 'locality' looks like it holds a UK postcode." in html
    assert "Line 4: column 'plan_type' looks like it holds a person's name." in html
    assert "M1 1AE" not in html and "Jones" not in html
    assert case_count(audit) == 0


@pytest.mark.parametrize(
    "field, value, kind",
    [
        ("locality", "SW1A 1AA", "a UK postcode"),
        ("plan_type", "Jayden Smith's plan", "a person's name"),
        ("locality", "born 12/03/2019", "a full date"),
    ],
)
def test_a_case_added_by_hand_with_personal_details_is_refused_by_field_and_keeps_the_input(
    client, post, audit, field, value, kind
):
    data = {
        "reference": "NA-9",
        "age_years": "3",
        "locality": "Northfield",
        "plan_type": "CP plan - neglect",
        field: value,
    }
    response = post(client, f"/audits/{audit.id}/cases/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and str(escape(kind)) in page
    assert f'id="{field}-error"' in page or f"#{field}" in page  # the error points to the field
    assert case_count(audit) == 0


def test_cases_added_by_any_path_are_checked_for_personal_details(app, audit, factory):
    """The data layer refuses them too, whatever called it (a demo loader, a command, a new page)."""
    from audit_app.data import audits as audit_data
    from audit_tools.sampling import case_row

    coordinator = factory.user("coordinator", email="co2@test.example")
    with pytest.raises(audit_data.AuditError, match="a UK postcode"):
        audit_data.add_cases(audit, [case_row("NA-8", 3, "NG7 2AB", "CP plan")], coordinator)
    db.session.rollback()
    assert case_count(audit) == 0


def _partnership(factory) -> list[int]:
    """The agencies with their full names, as a real export writes them."""
    for short, name in AGENCIES:
        factory.agency(short, name).name = name
    db.session.commit()
    return [db.session.scalar(select(Agency.id).where(Agency.short_name == "CSC"))]


@pytest.mark.parametrize(
    "make, filename, left_out",
    [(frame_csv_with_names, "cp-export.csv", "child_name"), (frame_xlsx_other_names, "eh-cohort.xlsx", "forename")],
)
def test_a_real_export_uploads_as_cases_without_editing_and_leaves_no_identifier(
    client, post, audit, factory, make, filename, left_out
):
    """Upload cases goes through the frame's staging and mapping: names left out, dates of birth turned
    into ages, full agency names matched; nothing that identifies a child is stored."""
    response = upload(client, post, audit, make(), filename=filename, agencies=_partnership(factory))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    cases = list(db.session.scalars(select(Case).where(Case.audit_id == audit.id).order_by(Case.id)))
    assert len(cases) == len(CHILDREN)
    assert all(c.age_years is not None and c.locality and c.plan_type and c.returns for c in cases)
    flashed = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert f"Columns left out and not kept: {left_out}" in flashed
    stored = everything_stored()
    for value in identifying_values():
        assert value not in stored, value


def test_full_agency_names_in_an_upload_become_the_partnerships_agencies(client, post, audit, factory):
    upload(client, post, audit, frame_csv_with_names(), agencies=_partnership(factory))
    first = db.session.scalar(select(Case).where(Case.reference == "CP-1001"))
    assert sorted(r.agency.short_name for r in first.returns) == ["CSC", "HV"]
    assert "date_of_birth" not in first.attributes and first.attributes["gender"] == "Female"


def test_an_export_without_ages_is_refused_clearly_and_stores_no_postcode(client, post, audit, factory):
    html = upload(client, post, audit, frame_bom_crlf_postcodes(), agencies=_partnership(factory)).get_data(
        as_text=True
    )
    assert "missing column(s): age_years" in html and case_count(audit) == 0
    assert not any(postcode in html + everything_stored() for *_, postcode in CHILDREN)


def test_every_check_of_an_upload_runs_in_one_pass_and_says_each_kind_once(client, post, audit):
    rows = "".join(f"NA-{n},{2 + n % 9},Northfield,CP plan,Youth Justice\n" for n in range(7))
    data = ("reference,age_years,locality,plan_type,agencies\n" + rows + "NA-1,4,NG7 2AB,CP plan,CSC\n").encode()
    html = upload(client, post, audit, data).get_data(as_text=True).replace("&#39;", "'")
    assert "Lines 2, 3, 4, 5, 6 and 2 more (7 rows): unknown agency 'Youth Justice'; the agencies are CSC, EH." in html
    assert "Line 9: the reference is already on an earlier line" in html
    assert "Line 9: column 'locality' looks like it holds a UK postcode." in html
    assert "NG7" not in html and case_count(audit) == 0


def test_a_mapping_remembered_for_a_source_is_used_when_cases_are_uploaded_from_it(client, post, audit):
    data = b"Ref,Division,Years,Plan Type,Agencies Involved\nNA-1,North,3,CP plan,CSC\nNA-2,South,5,CP plan,EH\n"
    refused = upload(client, post, audit, data).get_data(as_text=True)
    assert "missing column(s): age_years, locality" in refused and case_count(audit) == 0
    roles = {"ref": "reference", "division": "locality", "years": "age_years", "plan_type": "plan_type"}
    source = FrameSource(label="Our CP export", roles={**roles, "agencies_involved": "agencies"}, not_agencies=[])
    db.session.add(source)
    db.session.commit()
    page = client.get(f"/audits/{audit.id}/cases/upload").get_data(as_text=True)
    assert "Our CP export" in page
    response = post(
        client,
        f"/audits/{audit.id}/cases/upload",
        {"file": (io.BytesIO(data), "cp.csv"), "source": str(source.id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    localities = {c.reference: c.locality for c in db.session.scalars(select(Case).where(Case.audit_id == audit.id))}
    assert localities == {"NA-1": "North", "NA-2": "South"}


def test_the_upload_page_offers_excel_files_as_well_as_csv(client, post, audit):
    """The reader takes .xlsx, so the page's file box says so and lets the browser pick one; a post with no file
    names the kinds it takes."""
    page = client.get(f"/audits/{audit.id}/cases/upload").get_data(as_text=True)
    assert "Cases file (CSV or Excel .xlsx)" in page and 'accept=".csv,text/csv,.xlsx,' in page
    response = post(client, f"/audits/{audit.id}/cases/upload", {}, content_type="multipart/form-data")
    assert "Choose the CSV or Excel file of cases to upload" in response.get_data(as_text=True)
