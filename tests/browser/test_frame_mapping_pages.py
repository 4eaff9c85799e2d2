"""A coordinator imports a case system's export through the mapping step, then imports the same export
again with the remembered mapping in one step, and uploads it as cases with the same mapping; the upload
and mapping pages pass axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

COORDINATOR = "coordinator@demo.example"
# Fictional children, as a children's social care system exports them.
EXPORT = "Case ID,Child Name,Date of Birth,Gender,Locality,Plan Category,Agencies Involved\n" + "".join(
    f"CP-{2000 + n},{name},{day:02d}/0{1 + n % 9}/{2012 + n % 12},{('Female', 'Male')[n % 2]},"
    f'{("Northfield", "Riverside")[n % 2]},Neglect,"Children\'s Social Care; Health Visiting{"; CAMHS" * (n % 2)}"\n'
    for n, (name, day) in enumerate(
        [("Amara Okonjo", 14), ("Tobias Fenwick", 2), ("Priya Lindqvist", 23), ("Callum Ashdown", 30)] * 5, start=1
    )
)


def test_an_export_is_mapped_once_then_imported_in_one_step(page: Page, live_server, axe_report, tmp_path):
    sign_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/audits/")
    page.get_by_role("button", name="Create an audit").click()
    page.get_by_label("Title").fill("Browser-test mapped frame")
    page.get_by_label("Topic").fill("Neglect")
    page.get_by_label("Audit year").fill("2027")
    page.get_by_role("button", name="Create audit").click()
    page.get_by_role("button", name="Draw a sample from a sample frame").click()
    export = tmp_path / "cp-export.csv"
    export.write_text(EXPORT, encoding="utf-8")

    page.get_by_label(re.compile("Sample frame")).set_input_files(str(export))
    page.get_by_role("button", name="Import the sample frame").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is in each column")
    expect(page.locator("#left-out")).to_contain_text("child_name")
    expect(page.get_by_role("main")).not_to_contain_text("Okonjo")
    expect(page.get_by_label("What is the column date_of_birth?")).to_have_value("date_of_birth")
    axe_report.check(page, "what is in each column")
    screenshot(page, "frame-01-mapping")
    page.get_by_label("Remember this mapping as (optional)").fill("Browser CP export")
    page.get_by_role("button", name="Import the sample frame").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draw the sample")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("child_name")

    page.get_by_role("link", name="Import a different frame").click()
    axe_report.check(page, "import a frame with a remembered source")
    page.get_by_label(re.compile("Sample frame")).set_input_files(str(export))
    page.get_by_label("Where is the file from?").select_option(label="Browser CP export")
    page.get_by_role("button", name="Import the sample frame").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draw the sample")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Sample frame imported")
    screenshot(page, "frame-02-imported-in-one-step")

    # "Upload cases" reads the same export with the same staging and the remembered mapping
    page.goto(page.url.replace("/sample", "/cases/upload"))
    page.get_by_label("Cases file (CSV or Excel .xlsx)").set_input_files(str(export))
    page.get_by_label("Where is the file from?").select_option(label="Browser CP export")
    axe_report.check(page, "upload cases from a remembered source")
    screenshot(page, "frame-03-upload-cases-with-a-source")
    page.get_by_role("button", name="Upload cases").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("20 cases imported")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("child_name")
    expect(page.get_by_role("main")).not_to_contain_text("Okonjo")
    axe_report.assert_clean()
