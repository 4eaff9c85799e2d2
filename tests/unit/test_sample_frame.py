"""Files of cases: one reader and one set of checks, every problem found in one pass and said once."""

from dataclasses import dataclass, field
from decimal import Decimal

from audit_tools.sampling import (
    UPLOAD_COLUMNS,
    FrameChecks,
    FrameError,
    FrameRow,
    TableError,
    age_band,
    candidate_cases,
    frame_row_of,
    parse_age,
    read_table,
)

HEADER = b"reference,age_years,locality,plan_type\n"


@dataclass
class Result:
    rows: list[FrameRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def parse(data: bytes, filename: str = "cases.csv", **checks) -> Result:
    """What "Upload cases from a CSV or Excel file" does with a file: the shared reader, then the shared checks."""
    try:
        table = read_table(data, filename, max_bytes=2 * 1024 * 1024)
        cases = candidate_cases(table.columns, table.rows, FrameChecks(required_columns=UPLOAD_COLUMNS, **checks))
    except (TableError, FrameError) as error:
        return Result(errors=error.problems)
    return Result(rows=[frame_row_of(c) for c in cases])


def test_good_frame_gives_rows_with_bands():
    result = parse(HEADER + b"NA-1,1.5,Northfield,CP\r\nNA-2,12,Eastgate,CP\r\n")
    assert result.ok and [(r.reference, r.age_years, r.age_band, r.line) for r in result.rows] == [
        ("NA-1", Decimal("1.5"), "0-2", 2),
        ("NA-2", Decimal("12"), "11-15", 3),
    ]


def test_byte_order_mark_and_header_case_are_accepted():
    assert parse(b"\xef\xbb\xbfReference,Age_Years,Locality,Plan_Type\nA,2,X,Y\n").ok


def test_every_bad_row_is_reported_and_nothing_is_returned():
    result = parse(HEADER + b"A,2,X,Y\n,2,X,Y\nB,-1,X,Y\nC,2,X,Y,extra\n")
    assert result.rows == []
    assert result.errors == ["Line 5: the row has more values than the header has columns."]
    result = parse(HEADER + b"A,2,X,Y\n,2,X,Y\nB,-1,X,Y\n")
    assert result.errors[0].startswith("Line 3: reference must be")
    assert result.errors[1].startswith("Line 4: age_years must be a number")


def test_problems_of_one_kind_are_said_once_with_their_count_and_first_lines():
    result = parse(HEADER + b"A,x,X,Y\n" * 200)
    assert result.errors[0] == (
        "Lines 2, 3, 4, 5, 6 and 195 more (200 rows): age_years must be a number of years from 0 to 17, like 1.5."
    )
    assert result.errors[1] == (
        "Lines 3, 4, 5, 6, 7 and 194 more (199 rows): the reference is already on an earlier line; "
        "each child is listed once."
    )
    assert len(result.errors) == 2


def test_duplicates_and_other_problems_are_found_in_the_same_pass():
    result = parse(HEADER + b"A,2,X,Y\nA,x,X,Y\nB,2,,Y\n", known_agencies={"CSC"})
    assert result.errors == [
        "Line 3: age_years must be a number of years from 0 to 17, like 1.5.",
        "Line 3: the reference is already on an earlier line; each child is listed once.",
        "Line 4: locality is empty.",
    ]


def test_unknown_agencies_are_said_once_each_with_the_accepted_names():
    data = b"reference,age_years,locality,plan_type,agencies\n" + b"".join(
        b"A%d,2,X,Y,CSC;Social work\n" % n for n in range(12)
    )
    result = parse(data, known_agencies={"CSC", "EH"})
    assert result.errors == [
        "Lines 2, 3, 4, 5, 6 and 7 more (12 rows): unknown agency 'Social work'; the agencies are CSC, EH."
    ]


def test_agencies_may_be_separated_by_semicolons_commas_or_slashes():
    data = b'reference,age_years,locality,plan_type,agencies\nA,2,X,Y,"csc, EH / CSC"\n'
    assert parse(data, known_agencies={"CSC", "EH"}).rows[0].agencies == ("CSC", "EH")


def test_bands_the_file_gives_are_kept_when_any_band_is_accepted():
    data = b"reference,age_band,age_years,locality,plan_type\nA,Under 5s,2,X,Y\n"
    assert "age_band must be one of" in parse(data).errors[0]
    assert parse(data, age_bands=None).rows[0].age_band == "Under 5s"


def test_an_xlsx_file_is_read_by_the_same_reader_and_checked_the_same_way():
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["reference", "age_years", "locality", "plan_type"])
    sheet.append(["A", 2, "X", "Y"])
    sheet.append(["A", 3, "X", "Y"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse(buffer.getvalue(), "cases.xlsx", row_word="Row")
    assert result.errors == ["Row 3: the reference is already on an earlier line; each child is listed once."]


def test_identifying_columns_are_refused_with_the_reason():
    result = parse(b"reference,NHS_number,postcode,age_years,locality,plan_type\nA,1,2,3,X,Y\n")
    assert "nhs_number, postcode look like personal details" in result.errors[0]


def test_ages_and_bands():
    assert parse_age("NaN") is None and parse_age("18") is None and parse_age("abc") is None
    assert [age_band(Decimal(a)) for a in ("0", "2.9", "3", "10.9", "11", "16")] == [
        "0-2",
        "0-2",
        "3-5",
        "6-10",
        "11-15",
        "16-17",
    ]


def test_ages_are_written_in_whole_or_tenths_of_years_only():
    assert parse_age("1.5") == Decimal("1.5") and parse_age(" 8 ") == Decimal("8")
    for text in ("1e1", "1_0", "1.25", "-1", "18", "", "NaN", "Infinity"):
        assert parse_age(text) is None, text


def test_personal_details_in_cells_are_refused_with_line_and_column():
    result = parse(HEADER + b"NA-1,2,Northfield,CP\nNA-2,3,Jayden Smith,CP\nNA-3,4,Eastgate,born 12/03/2019\n")
    assert result.rows == []
    assert result.errors[:2] == [
        "Line 3: column 'locality' looks like it holds a person's name.",
        "Line 4: column 'plan_type' looks like it holds a full date (it could be a date of birth).",
    ]
    assert "Jayden" not in " ".join(result.errors) and "12/03/2019" not in " ".join(result.errors)


def test_ordinary_localities_and_plan_types_are_not_personal_details():
    result = parse(HEADER + b"NA-1,2,Victoria,Child Protection Plan\nNA-2,3,Beverley,Early Help\n")
    assert result.ok and len(result.rows) == 2
