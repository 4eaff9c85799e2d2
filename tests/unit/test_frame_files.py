"""Sample frame files (CSV, XLSX) read into plain rows, or refused whole with every problem by line or row."""

import csv
import datetime as dt
import io
import json
import random
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font
from openpyxl.worksheet.formula import ArrayFormula

from audit_tools.sampling import IDENTIFYING_COLUMNS, Table, TableError, frame_files, read_table
from audit_tools.text import has_control_characters

MB = 1024 * 1024
BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))

EXPECTED = Table(
    columns=("reference", "age_years", "locality", "plan_type", "plan_start"),
    rows=(
        (
            2,
            {
                "reference": "NA-1",
                "age_years": "8",
                "locality": "Northfield",
                "plan_type": "CP",
                "plan_start": "2024-03-01",
            },
        ),
        (
            3,
            {
                "reference": "NA-2",
                "age_years": "1.5",
                "locality": "Eastgate",
                "plan_type": "CIN",
                "plan_start": "2023-11-30",
            },
        ),
    ),
)


def read(data: bytes, filename: str = "frame.csv", **kwargs) -> Table:
    return read_table(data, filename, max_bytes=kwargs.pop("max_bytes", 2 * MB), **kwargs)


def problems(data: bytes, filename: str = "frame.csv", **kwargs) -> list[str]:
    with pytest.raises(TableError) as caught:
        read(data, filename, **kwargs)
    return caught.value.problems


def xlsx(rows, *, build=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if build:
        build(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


# --- good files --------------------------------------------------------------------------------------------


def test_good_csv_gives_stripped_rows_with_normalised_columns():
    data = (
        b"\xef\xbb\xbfReference, Age Years ,Locality,Plan  Type,PLAN_START\r\n"
        b"NA-1,8, Northfield ,CP,2024-03-01\r\n"
        b"NA-2,1.5,Eastgate,CIN,2023-11-30\r\n\r\n,,,,\r\n"
    )
    assert read(data) == EXPECTED


def test_good_xlsx_gives_the_same_table_as_the_csv():
    def build(workbook, sheet):
        sheet.cell(row=9, column=3).font = Font(bold=True)  # a styled, empty trailing cell
        sheet.cell(row=10, column=2, value="   ")
        workbook.create_sheet("Notes").append(["not", "read"])

    data = xlsx(
        [
            ["Reference", " Age Years ", "Locality", "Plan  Type", "PLAN_START"],
            ["NA-1", 8.0, " Northfield ", "CP", dt.date(2024, 3, 1)],
            ["NA-2", 1.5, "Eastgate", "CIN", dt.datetime(2023, 11, 30)],
        ],
        build=build,
    )
    assert read(data, "Frame.XLSX") == EXPECTED


def test_xlsx_values_are_written_as_a_spreadsheet_shows_them():
    data = xlsx(
        [
            ["reference", "a", "b", "c", "d", "e"],
            ["R1", 12345678901, 0.1, 1e-05, True, dt.datetime(2024, 3, 1, 14, 30)],
            ["R2", None, -3, 2.50, False, dt.time(9, 15)],
        ]
    )
    assert [values for _, values in read(data, "f.xlsx").rows] == [
        {"reference": "R1", "a": "12345678901", "b": "0.1", "c": "0.00001", "d": "TRUE", "e": "2024-03-01 14:30:00"},
        {"reference": "R2", "a": "", "b": "-3", "c": "2.5", "d": "FALSE", "e": "09:15:00"},
    ]


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its stored sheet size replaced (files from other programs can get it wrong)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="%s"' % ref.encode(), content)
                assert count == 1
            target.writestr(info, content)
    return out.getvalue()


def test_a_wrong_stored_sheet_size_is_ignored():
    good = xlsx([["reference", "locality"], ["A", "X"], ["B", "Y"], ["C", "Z"]])
    expected = read(good, "f.xlsx")
    assert len(expected.rows) == 3
    assert read(_with_dimension(good, "A1:A2"), "f.xlsx") == expected
    assert read(_with_dimension(good, "A1:XFD1048576"), "f.xlsx") == expected
    stray = xlsx([["reference", "locality"], ["A", "X"], ["B", "Y", "stray"]])
    assert problems(_with_dimension(stray, "A1:B2"), "f.xlsx")[0].startswith("Row 3, column C: a value to the right")


def test_short_rows_are_filled_and_trailing_empty_values_ignored():
    table = read(b"reference,locality,plan_type,\nA,X\nB,Y,Z,,\n")
    assert table.columns == ("reference", "locality", "plan_type")
    assert table.rows == (
        (2, {"reference": "A", "locality": "X", "plan_type": ""}),
        (3, {"reference": "B", "locality": "Y", "plan_type": "Z"}),
    )


def test_rows_are_numbered_by_the_line_they_start_on():
    table = read(b'\nreference,notes\nA,"two\nlines"\n\nB,x\n')
    assert [line for line, _ in table.rows] == [3, 6]
    assert table.rows[0][1]["notes"] == "two\nlines"


def test_ordinary_values_that_start_with_signs_are_accepted():
    values = ["-1", "+44 20 7946 0000", "-", "-1.5", "1-2", "a=b", "2024-01-01", "- none"]
    table = read(csv_bytes([["reference", "v"]] + [["R", v] for v in values]))
    assert [row["v"] for _, row in table.rows] == values


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n", b",,,\n\n"])
def test_empty_files_are_refused(data):
    assert problems(data) == ["The file is empty."]


def test_header_only_is_refused_in_both_formats():
    assert problems(b"reference,locality\n\n") == ["The file has a header row but no cases."]
    assert problems(xlsx([["reference", "locality"]]), "f.xlsx") == ["The file has a header row but no cases."]


def test_duplicate_and_empty_column_names_are_refused():
    assert problems(b"reference,Plan Type,,plan_type\nA,B,C,D\n") == [
        "Line 1: column C has no name. Give every column a name in the header row, or delete the empty column.",
        "Line 1: the column name plan_type appears more than once (columns B and D).",
    ]
    assert problems(xlsx([["reference", "x", "X"], ["A", 1, 2]]), "f.xlsx") == [
        "Row 1: the column name x appears more than once (columns B and C)."
    ]


def test_identifying_columns_are_refused_explaining_data_minimisation():
    found = problems(b"reference,Child Name,DOB,Home Address,Post Code,NHS Number,locality\nA,1,2,3,4,5,6\n")
    assert len(found) == 1
    assert found[0].startswith(
        "Line 1: the column(s) child_name, dob, home_address, post_code, nhs_number look like personal details."
    )
    assert "pseudonymous references only, never names, birth dates, addresses, postcodes or NHS numbers" in found[0]
    assert "data minimisation" in found[0]
    assert "Row 1: the column(s) date_of_birth" in problems(xlsx([["Date of Birth"], ["x"]]), "f.xlsx")[0]


@pytest.mark.parametrize(
    "name",
    [
        "name",
        "first_name",
        "surname",
        "date_of_birth",
        "d.o.b",
        "birthday",
        "dob",
        "address",
        "postcode",
        "post_code",
        "nhs_no",
        "phone",
        "mobile",
        "email",
        "e_mail",
        "upn",
        "ni_number",
        "national_insurance",
        "chi",
    ],
)
def test_identifying_names(name):
    assert IDENTIFYING_COLUMNS.search(name)


@pytest.mark.parametrize(
    "name",
    [
        "reference",
        "age_years",
        "age_band",
        "locality",
        "plan_type",
        "agencies",
        "child_count",
        "children",
        "repeat_plan",
        "plan_start",
        "gender",
        "ethnicity",
    ],
)
def test_attribute_names_are_not_taken_for_identifiers(name):
    assert not IDENTIFYING_COLUMNS.search(name)


def test_rows_with_more_values_than_the_header_are_refused():
    assert problems(b"reference,locality\nA,X\nB,Y,extra\nC,Z\n") == [
        "Line 3: the row has more values than the header has columns."
    ]


def test_xlsx_values_right_of_the_header_are_refused():
    found = problems(xlsx([["reference", "locality"], ["A", "X"], ["B", "Y", None, "stray"]]), "f.xlsx")
    assert found == [
        "Row 3, column D: a value to the right of the last named column. Give the column a name in "
        "the header row, or clear it."
    ]


def test_formula_cells_in_xlsx_are_refused():
    def build(workbook, sheet):
        sheet["B3"] = "=1+1"
        sheet["C4"] = ArrayFormula("C4:C4", "=SUM(B2:B3)")
        text = sheet["A5"]
        text.value, text.data_type = '=HYPERLINK("http://x")', "s"  # stored as text, still refused

    data = xlsx(
        [["reference", "age_years", "locality"], ["A", 1, "X"], ["B", None, "Y"], ["C", 2, None], [None, 3, "Z"]],
        build=build,
    )
    assert problems(data, "f.xlsx") == [
        "Row 3, column B (age_years): formulas are not accepted; paste the values instead.",
        "Row 4, column C (locality): formulas are not accepted; paste the values instead.",
        "Row 5, column A (reference): formulas are not accepted; paste the values instead.",
    ]


def test_a_formula_in_the_xlsx_header_is_refused():
    assert problems(xlsx([["reference", "=A1"], ["A", "B"]]), "f.xlsx") == [
        "Row 1, column B: formulas are not accepted; paste the values instead."
    ]


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "  =1+1",
        "@SUM(A1:A2)",
        "+cmd|' /C calc'!A0",
        '-HYPERLINK("x")',
        "-2+3+cmd|' /C calc'!A0",
        "+A1",
        "=",
        "-é",
        "\ufeff=HYPERLINK(x)",
        "\u200b@SUM(A1)",
        "＝HYPERLINK(x)",  # the full-width forms
        "＋A1",
        "\u3164＠SUM(A1)",
    ],
)
def test_formula_like_csv_cells_are_refused(value):
    assert problems(csv_bytes([["reference", "locality"], ["A", "X"], ["B", value]])) == [
        "Line 3, column B (locality): formulas are not accepted; paste the values instead."
    ]


def test_formula_like_text_in_xlsx_is_refused_too():
    assert problems(xlsx([["reference", "locality"], ["@SUM(A1)", "X"]]), "f.xlsx") == [
        "Row 2, column A (reference): formulas are not accepted; paste the values instead."
    ]


def test_more_than_max_rows_is_refused():
    data = b"reference\n" + b"".join(b"R%d\n" % i for i in range(4))
    assert len(read(data, max_rows=4).rows) == 4
    found = problems(data + b"R9\n", max_rows=4)
    assert len(found) == 1 and found[0].startswith("The file has more than 4 cases")
    assert problems(xlsx([["reference"]] + [[f"R{i}"] for i in range(5)]), "f.xlsx", max_rows=4) == found


def test_non_utf8_is_refused_naming_the_line():
    assert problems(b"reference,locality\nA,X\nB,Caf\xe9\n") == [
        "Line 3: the file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8 (comma delimited)' and "
        "upload it again."
    ]
    assert "UTF-16" in problems("reference,locality\nA,X\n".encode("utf-16"))[0]


@pytest.mark.parametrize(
    "data, name", [(b"reference;locality;plan_type\nA;X;Y\n", "semicolons"), (b"reference\tlocality\nA\tX\n", "tabs")]
)
def test_other_separators_are_refused_asking_for_commas(data, name):
    assert problems(data) == [
        f"Line 1: the columns seem to be separated by {name}; use commas. Save the file from "
        "your spreadsheet as 'CSV UTF-8 (comma delimited)' and upload it again."
    ]


def test_unpaired_quotes_are_refused_with_the_line():
    found = problems(b'reference,locality\nA,X\nB,"unclosed\nC,Z\n')
    assert len(found) == 1 and found[0].startswith("Line 3: the quote marks")


@pytest.mark.parametrize("filename", ["frame.txt", "frame.xls", "frame", "frame.csv.exe", ""])
def test_other_file_types_are_refused_naming_the_allowed_ones(filename):
    found = problems(b"reference\nA\n", filename)
    assert len(found) == 1 and ".csv" in found[0] and ".xlsx" in found[0]


def test_a_workbook_named_csv_is_refused_clearly():
    assert "is a spreadsheet workbook, not CSV text" in problems(xlsx([["reference"], ["A"]]), "frame.csv")[0]


def _zip(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"reference,locality\nA,X\n",
        b"PK\x03\x04 not really a zip",
        _zip(readme_txt=b"hello"),
        xlsx([["reference"], ["A"]])[:2000],
        bytes(random.Random(4).randrange(256) for _ in range(5000)),
    ],
    # Named, not shown: a ZIP holds the time it was written, so ids made of the bytes would differ between the
    # parallel test workers (pytest-xdist refuses to run when the workers collect different tests).
    ids=["csv-text", "zip-signature-only", "zip-without-workbook", "truncated-workbook", "random-bytes"],
)
def test_corrupt_or_fake_workbooks_get_one_clear_message(data):
    found = problems(data, "frame.xlsx")
    assert found == [frame_files._NOT_XLSX]
    assert "could not be read as an Excel workbook (.xlsx)" in found[0]


def test_old_excel_or_password_protected_workbooks_are_explained():
    found = problems(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "frame.xlsx")
    assert len(found) == 1 and "older Excel file (.xls) or a password-protected workbook" in found[0]


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused():
    bomb = _zip(**{"xl/worksheets/sheet1.xml": b"\0" * (3 * MB)})
    found = problems(bomb, "f.xlsx", max_bytes=100_000)
    assert len(found) == 1 and found[0].startswith("The workbook unpacks to more than")


def test_a_10_mb_file_is_refused_before_it_is_parsed(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a file that is too large")

    monkeypatch.setattr(frame_files.csv, "reader", must_not_parse)
    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    monkeypatch.setattr(zipfile, "ZipFile", must_not_parse)
    huge = b"\xff" * (10 * MB)  # not UTF-8 either: only the size may be reported
    message = (
        "The file is larger than 2 MB, the largest accepted. A sample frame needs only one short row per "
        "case: check it is the right file."
    )
    assert problems(huge) == [message]
    assert problems(b"PK\x03\x04" + huge, "frame.xlsx") == [message]


def test_every_problem_is_listed_and_the_list_stops_after_fifty():
    data = b"reference,name,locality\n" + b"A,x,=1\n" * 200
    found = problems(data)
    assert len(found) == 51
    assert found[0].startswith("Line 1: the column(s) name look like personal details")
    assert found[1] == "Line 2, column C (locality): formulas are not accepted; paste the values instead."
    assert found[-1] == "Stopped after 50 problems; correct these and upload the file again."


def test_several_kinds_of_problem_are_reported_together():
    found = problems(b"reference,postcode,,x\nA,1,2,3\nB,2,3,4,5\nC,@x,1,1\n")
    assert [p.split(":")[0] for p in found] == ["Line 1", "Line 1", "Line 3", "Line 4, column B (postcode)"]


# --- size, speed and hostile input -------------------------------------------------------------------------


def test_fifty_thousand_csv_rows_are_read(capsys):
    rng = random.Random(50_000)
    lines = ["reference,age_years,locality,plan_type,age_band,agencies,repeat_plan,plan_start"]
    lines += [
        f"NA-{i:06d},{rng.randint(0, 17)},{rng.choice(['Northfield', 'Eastgate', 'Westmoor'])},Neglect,"
        f"6-10,CSC;Health;Police,{rng.choice(['yes', 'no'])},2024-01-{1 + i % 28:02d}"
        for i in range(50_000)
    ]
    data = ("\n".join(lines) + "\n").encode()
    start = time.perf_counter()
    table = read(data, max_bytes=10 * MB)
    elapsed = time.perf_counter() - start
    assert len(table.rows) == 50_000 and table.rows[-1][0] == 50_001
    assert table.rows[-1][1]["reference"] == "NA-049999"
    with capsys.disabled():
        print(f"\nframe_files csv rows=50000 cols=8 bytes={len(data)} read_s={elapsed:.3f}")


def _outcome(data: bytes, filename: str):
    try:
        return read(data, filename)
    except TableError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)
        return error


def test_hostile_strings_as_csv_values_and_names_never_crash():
    strings = [s for s in BLNS if isinstance(s, str)]
    outcome = _outcome(csv_bytes([["reference", "value"]] + [[f"R{i}", s] for i, s in enumerate(strings)]), "frame.csv")
    assert isinstance(outcome, TableError)  # formula-like strings and control characters: each is named
    refused = {int(p.split(",")[0].split()[1]) for p in outcome.problems[:50]}
    assert refused and all(
        strings[line - 2].strip()[0] in "=@+-" or has_control_characters(strings[line - 2]) for line in refused
    )
    for s in strings:
        result = _outcome(csv_bytes([["reference", "value"], ["R1", s]]), "frame.csv")
        if isinstance(result, Table):
            assert result.rows in (((2, {"reference": "R1", "value": s.strip()}),), ())
        result = _outcome(csv_bytes([["reference", s], ["R1", "x"]]), "frame.csv")
        assert isinstance(result, (Table, TableError))
        assert isinstance(_outcome(s.encode("utf-8", "surrogatepass"), "frame.csv"), (Table, TableError))


def _xml_can_hold(text: str) -> bool:
    """openpyxl writes characters XML 1.0 cannot hold (U+FFFE …) without escaping them, giving a broken file."""
    return not any(
        (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" or 0xD800 <= ord(c) < 0xE000 for c in text
    )


def test_hostile_strings_as_xlsx_values_never_crash():
    strings = [s for s in BLNS if isinstance(s, str) and _xml_can_hold(s)]
    data = xlsx([["reference", "value"]] + [[f"R{i}", s] for i, s in enumerate(strings)])
    outcome = _outcome(data, "frame.xlsx")
    assert isinstance(outcome, TableError)  # formula-like strings, each named by row, not a "damaged file"
    assert all("formulas are not accepted" in p for p in outcome.problems[:50])
    safe = [s for s in strings if not frame_files.is_formula_like(s.strip())]
    table = _outcome(xlsx([["reference", "value"]] + [[f"R{i}", s] for i, s in enumerate(safe)]), "frame.xlsx")
    assert isinstance(table, Table)
    read_back = {values["reference"]: values["value"] for _, values in table.rows}
    for i, s in enumerate(safe):  # XML reads a carriage return as a line feed; empty rows are dropped
        assert read_back.get(f"R{i}", "") == s.replace("\r\n", "\n").replace("\r", "\n").strip()
    broken = _with_text_replaced(xlsx([["reference", "value"], ["R1", "BROKEN"]]), "BROKEN", "\ufffe")
    assert isinstance(_outcome(broken, "frame.xlsx"), TableError)


def _with_text_replaced(data: bytes, placeholder: str, text: str) -> bytes:
    """The workbook with ``placeholder`` replaced by ``text`` in its XML: a character no XML writer would
    put there (openpyxl refuses it outright when lxml is installed), as a damaged file would hold it."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(placeholder.encode(), text.encode()))
    return out.getvalue()


# --- hostile workbooks: refused by measuring, before any parser reads them (issue 16, item 6) -----------------
# Their cost (time, peak memory) is printed by tests/perf/bench_frame_files.py; here only what is refused and why.

from tests import hostile_workbooks as hostile  # noqa: E402


@pytest.fixture
def parsers_must_not_run(monkeypatch):
    """Fail if the worksheet or the shared strings are parsed: the refusal must come from measuring them."""

    def must_not_parse(*_args, **_kwargs):
        raise AssertionError("a hostile part was parsed before it was refused")

    from audit_tools.files import xlsx_sheet

    monkeypatch.setattr(xlsx_sheet, "sheet_rows", must_not_parse)
    monkeypatch.setattr(xlsx_sheet, "shared_strings", must_not_parse)
    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)


def test_a_million_formatted_empty_rows_are_refused_as_too_many_rows(parsers_must_not_run):
    data = hostile.formatted_empty_rows(1_048_576)
    assert len(data) < 10 * MB  # the upload limit lets it in
    found = problems(data, "f.xlsx", max_bytes=10 * MB)
    assert found == [
        "The worksheet has too many rows: more than 101,000, counting empty rows that have formatting. A sample frame "
        "has at most 100,000 cases. Copy just the list of cases into a new workbook, or save it as 'CSV UTF-8 (comma "
        "delimited)', and upload that."
    ]


def test_formatted_empty_rows_count_up_to_the_bound_and_no_further():
    bound = 10 + frame_files.EXTRA_ROWS
    within = read(hostile.formatted_empty_rows(bound - 5), "f.xlsx", max_rows=10)  # the 2 real rows + formatted ones
    assert [values for _, values in within.rows] == [{"reference": "NA-1", "locality": "Northfield"}]
    found = problems(hostile.formatted_empty_rows(bound + 5), "f.xlsx", max_rows=10)
    assert len(found) == 1 and "too many rows: more than 1,010" in found[0]


def test_a_shared_strings_bomb_is_refused_before_it_is_read(parsers_must_not_run):
    found = problems(hostile.shared_strings_bomb(5_000_000), "f.xlsx", max_bytes=10 * MB)
    assert found == [
        "The workbook holds more than 202,000 different pieces of text, far more than a sample frame of 100,000 "
        "cases needs. Copy just the list of cases into a new workbook, or save it as 'CSV UTF-8 (comma delimited)', "
        "and upload that."
    ]


def test_a_zip_bomb_is_refused_from_its_declared_size(parsers_must_not_run):
    found = problems(hostile.zip_bomb(200 * MB), "f.xlsx", max_bytes=10 * MB)
    assert len(found) == 1 and found[0].startswith("The workbook unpacks to more than 100 MB")


def test_a_part_whose_size_is_declared_smaller_than_it_is_is_damaged_not_expanded(parsers_must_not_run):
    lying = hostile.lying_sizes(hostile.formatted_empty_rows(200_000), declared=1_000)
    assert problems(lying, "f.xlsx", max_bytes=10 * MB) == [frame_files._NOT_XLSX]


def test_thousands_of_parts_are_refused_before_the_zip_is_opened(monkeypatch):
    data = hostile.many_parts(5_000)
    monkeypatch.setattr(zipfile, "ZipFile", lambda *_a, **_k: pytest.fail("opened the zip"))
    found = problems(data, "f.xlsx", max_bytes=10 * MB)
    assert len(found) == 1 and found[0].startswith("The workbook is made of more than 1,000 parts")


def test_a_styles_bomb_is_refused(parsers_must_not_run):
    found = problems(hostile.styles_bomb(400_000), "f.xlsx", max_bytes=10 * MB)
    assert len(found) == 1 and "too much formatting, in xl/styles.xml" in found[0]


def test_rows_of_countless_empty_cells_are_refused(parsers_must_not_run):
    found = problems(hostile.wide_rows(100_000, 90), "f.xlsx", max_bytes=10 * MB)
    assert len(found) == 1 and "(too many cells, or too much formatting, in xl/worksheets/sheet1.xml)" in found[0]


def test_a_frame_of_100000_cases_is_within_every_bound():
    table = read(hostile.good_frame(100_000), "f.xlsx", max_bytes=10 * MB)
    assert len(table.rows) == 100_000 and table.rows[-1] == (100_001, table.rows[-1][1])
    assert table.rows[0][1] == {
        "reference": "NA-000000",
        "age_years": table.rows[0][1]["age_years"],
        "locality": table.rows[0][1]["locality"],
        "plan_type": "Neglect",
        "age_band": "6-10",
        "agencies": "CSC;Health",
        "repeat_plan": table.rows[0][1]["repeat_plan"],
        "plan_start": "2024-01-01",
    }


_PREFIXED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><x:sheetData>'
    b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>reference</x:t></x:is></x:c>'
    b'<x:c r="B1" t="inlineStr"><x:is><x:r><x:t>loc</x:t></x:r><x:r><x:t>ality</x:t></x:r></x:is></x:c></x:row>'
    b'<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>NA-1</x:t></x:is></x:c><x:c r="B2"><x:v>7</x:v></x:c>'
    b"</x:row>%s</x:sheetData></x:worksheet>"
)


def test_namespace_prefixed_worksheets_are_read_and_counted_alike():
    good = hostile.replace_parts(hostile.base_workbook(), sheet=_PREFIXED % b"")
    assert read(good, "f.xlsx").rows == ((2, {"reference": "NA-1", "locality": "7"}),)
    rows = b"".join(b'<x:row r="%d" s="1" customFormat="1"/>' % n for n in range(3, 1_100))
    found = problems(hostile.replace_parts(hostile.base_workbook(), sheet=_PREFIXED % rows), "f.xlsx", max_rows=10)
    assert len(found) == 1 and "too many rows" in found[0]


def test_a_worksheet_declaring_entities_is_refused_as_damaged():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c t="inlineStr"><is><t>reference</t></is></c></row>'
        b'<row r="2"><c t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    assert problems(hostile.replace_parts(hostile.base_workbook(), sheet=laughs), "f.xlsx") == [frame_files._NOT_XLSX]


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "x\x01", "\x1b[0m"])
def test_control_characters_in_csv_values_are_refused_with_line_and_column(value):
    assert problems(csv_bytes([["reference", "locality"], ["A", "X"], ["B", value]])) == [
        f"Line 3, column B (locality): {frame_files.CONTROL_MESSAGE}."
    ]
    found = problems(csv_bytes([["reference", f"loc{value}"], ["A", "X"]]))
    assert found == [f"Line 1, column B: {frame_files.CONTROL_MESSAGE}."]


def test_tabs_and_line_breaks_inside_values_are_not_control_characters():
    table = read(b'reference,notes\nA,"a\tb\r\nc"\n')
    assert table.rows[0][1]["notes"] == "a\tb\r\nc"


def test_a_csv_of_endless_empty_rows_is_refused_as_too_many_rows():
    bound = 10 + frame_files.EXTRA_ROWS
    assert len(read(b"reference\nA\n" + b",\n" * (bound - 3), max_rows=10).rows) == 1
    found = problems(b"reference\nA\n" + b",\n" * bound, max_rows=10)
    assert found == [
        "The file has too many rows: more than 1,010, counting empty ones. A sample frame has at most 10 "
        "cases. Delete the empty rows and upload it again."
    ]
    found = problems(b"reference,locality\n" + b"\n" * (10 * MB - 30), max_bytes=10 * MB)
    assert len(found) == 1 and found[0].startswith("The file has too many rows: more than 101,000, counting empty")


def test_rows_times_columns_is_bounded_in_both_formats():
    header = [f"c{n}" for n in range(24)]  # 24 columns: at most 10 * 12 // 24 = 5 rows of max_rows=10
    five = [header] + [[f"v{r}{n}" for n in range(24)] for r in range(5)]
    assert len(read(csv_bytes(five), max_rows=10).rows) == 5
    message = (
        "The file has more values than a sample frame of 10 cases needs: with 24 columns, at most 5 rows are "
        "accepted. Delete the columns the audit does not use, or check it is the right file."
    )
    six = five + [[f"w{n}" for n in range(24)]]
    assert problems(csv_bytes(six), max_rows=10) == [message]
    assert problems(xlsx(six), "f.xlsx", max_rows=10) == [message]
