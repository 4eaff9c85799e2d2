"""CSV sample frames: accepted whole, or refused whole with every problem by line."""

from decimal import Decimal

from audit_tools.sampling import age_band, parse_age, parse_frame

HEADER = b"reference,age_years,locality,plan_type\n"


def parse(data: bytes, **kwargs):
    return parse_frame(data, max_bytes=2 * 1024 * 1024, **kwargs)


def test_good_frame_gives_rows_with_bands():
    result = parse(HEADER + b"NA-1,1.5,Northfield,CP\r\nNA-2,12,Eastgate,CP\r\n")
    assert result.ok and [(r.reference, r.age_years, r.age_band, r.line) for r in result.rows] == [
        ("NA-1", Decimal("1.5"), "0-2", 2),
        ("NA-2", Decimal("12.0"), "11-15", 3),
    ]


def test_byte_order_mark_and_header_case_are_accepted():
    assert parse(b"\xef\xbb\xbfReference,Age_Years,Locality,Plan_Type\nA,2,X,Y\n").ok


def test_every_bad_row_is_reported_and_nothing_is_returned():
    result = parse(HEADER + b"A,2,X,Y\n,2,X,Y\nB,-1,X,Y\nC,2,X,Y,extra\n")
    assert result.rows == []
    assert result.errors[0].startswith("Line 3: reference must be")
    assert result.errors[1].startswith("Line 4: age_years must be a number")
    assert result.errors[2] == "Line 5: the row has more values than the header has columns."


def test_problems_stop_after_fifty():
    result = parse(HEADER + b"A,x,X,Y\n" * 200)
    assert len(result.errors) == 51 and result.errors[-1].startswith("Stopped after 50 problems")


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
        "Line 3, column 'locality': looks like a person's name.",
        "Line 4, column 'plan_type': looks like a full date (it could be a date of birth).",
    ]
    assert "Jayden" not in " ".join(result.errors) and "12/03/2019" not in " ".join(result.errors)


def test_ordinary_localities_and_plan_types_are_not_personal_details():
    result = parse(HEADER + b"NA-1,2,Victoria,Child Protection Plan\nNA-2,3,Beverley,Early Help\n")
    assert result.ok and len(result.rows) == 2
