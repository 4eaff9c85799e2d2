"""Sample frames shaped like real exports (fictional children), for the tests of the mapping step and of
"Upload cases": a CSV with names, dates of birth and full agency names; a workbook with its own column
names, commas between agencies and formatted empty rows; a UTF-8-with-BOM CSV with CRLF, its own age bands
and postcodes."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Border, PatternFill, Side

AGENCIES = [
    ("CSC", "Children's Social Care"),
    ("EH", "Early Help and Family Support Service"),
    ("School", "Schools and early years settings"),
    ("HV", "Health Visiting Service"),
    ("SN", "School Nursing Service"),
    ("CAMHS", "Child and Adolescent Mental Health Services"),
]
# Fictional children.
CHILDREN = [
    ("Amara", "Okonjo", date(2019, 3, 14), "Female", "SW1A 1AA"),
    ("Tobias", "Fenwick", date(2016, 7, 2), "Male", "M1 1AE"),
    ("Priya", "Lindqvist", date(2021, 11, 23), "Female", "LS1 4DY"),
    ("Callum", "Ashdown", date(2012, 1, 30), "Male", "B33 8TH"),
    ("Esme", "Harrowgate", date(2023, 5, 9), "Female", "CR2 6XH"),
    ("Kofi", "Brannigan", date(2014, 9, 17), "Male", "DN55 1PT"),
]
LOCALITIES = ["Northfield", "Riverside", "Eastgate"]


def frame_csv_with_names() -> bytes:
    """A children's social care export: names, date of birth, gender and full agency names."""
    agencies = ["Children's Social Care; Health Visiting", "Children's Social Care; School; CAMHS", "School/CAMHS"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Case ID", "Child Name", "Date of Birth", "Gender", "Locality", "Plan Category", "Agencies Involved"]
    )
    for n, (first, last, born, gender, _postcode) in enumerate(CHILDREN):
        writer.writerow(
            [
                f"CP-{1001 + n}",
                f"{first} {last}",
                born.strftime("%d/%m/%Y"),
                gender,
                LOCALITIES[n % 3],
                "Neglect",
                agencies[n % 3],
            ]
        )
    return out.getvalue().encode()


def frame_xlsx_other_names() -> bytes:
    """A performance team's workbook: its own column names, commas between agencies, formatted empty rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Ref No", "Forename", "Surname", "DOB", "Age (yrs)", "Area", "Plan", "Services"])
    for n, (first, last, born, _gender, _postcode) in enumerate(CHILDREN):
        sheet.append(
            [
                f"EH/{2024}/{n + 7}",
                first,
                last,
                born,
                3 + n,
                LOCALITIES[n % 3],
                "Child in need",
                "Children's Social Care, Health Visiting, School Nursing" if n % 2 else "CSC, School",
            ]
        )
    fill, side = PatternFill("solid", fgColor="FFFFCC"), Side(style="thin")
    for row in range(len(CHILDREN) + 2, 600):
        for column in range(1, 9):
            cell = sheet.cell(row=row, column=column)
            cell.fill, cell.border = fill, Border(top=side, bottom=side)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def frame_bom_crlf_postcodes() -> bytes:
    """An early help system's CSV: UTF-8 with BOM, CRLF line ends, its own age bands and a postcode column."""
    bands = ["Under 1", "1 to 4", "5 to 10", "11 and over"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Child Ref", "Age Group", "Postcode", "Locality", "Plan Type", "Lead Agency"])
    for n, (_first, _last, _born, _gender, postcode) in enumerate(CHILDREN):
        writer.writerow([f"EHA{500 + n}", bands[n % 4], postcode, LOCALITIES[n % 3], "Early help plan", "Early Help"])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def identifying_values() -> list[str]:
    found = []
    for first, last, born, _gender, postcode in CHILDREN:
        found += [first, last, born.isoformat(), born.strftime("%d/%m/%Y"), postcode]
    return found
