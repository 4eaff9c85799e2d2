"""The mapping step's domain: what is left out as a file is read, suggested roles, agency names, bands."""

from datetime import date
from decimal import Decimal

from audit_tools.sampling import Table
from audit_tools.sampling.frame_mapping import (
    DEFAULT_BANDS,
    NOT_AN_AGENCY,
    UNREADABLE_DATE,
    ColumnRole,
    FrameMapping,
    age_on,
    agency_lookup,
    band_function,
    is_workbench_format,
    mapped_table,
    mapping_problems,
    match_agency,
    stage_table,
    suggested_mapping,
    unmatched_agencies,
)

TODAY = date(2026, 12, 6)
LOOKUP = agency_lookup(
    [
        ("CSC", ["Children's Social Care"]),
        ("EH", ["Early Help and Family Support Service"]),
        ("HV", ["Health Visiting Service"]),
        ("SN", ["School Nursing Service"]),
        ("School", ["Schools and early years settings"]),
    ]
)


def table(columns, *rows):
    return Table(tuple(columns), tuple((n, dict(zip(columns, row, strict=True))) for n, row in enumerate(rows, 2)))


def test_identifying_columns_are_left_out_by_name_and_by_values_and_never_staged():
    staged = stage_table(
        table(
            ("case_id", "forename", "carer", "postcode", "locality"),
            ("A-1", "Amara", "Tobias Fenwick", "SW1A 1AA", "Northfield"),
            ("A-2", "Priya", "Callum Ashdown", "M1 1AE", "Riverside"),
        ),
        TODAY,
    )
    assert staged.columns == ("case_id", "locality")
    assert [o.column for o in staged.left_out] == ["forename", "postcode", "carer"]
    assert "a person's name" in staged.left_out[2].reason
    assert "Amara" not in str(staged) and "Fenwick" not in str(staged) and "SW1A" not in str(staged)


def test_a_date_of_birth_becomes_an_age_and_the_date_is_not_kept():
    staged = stage_table(
        table(("ref", "dob"), ("A-1", "14/03/2019"), ("A-2", "2016-07-02"), ("A-3", "31/02/2019"), ("A-4", "")),
        TODAY,
    )
    assert staged.birth_columns == ("dob",)
    assert [values[1] for _, values in staged.rows] == ["7.7", "10.4", UNREADABLE_DATE, ""]
    assert age_on(date(2008, 1, 1), TODAY) is None and age_on(date(2027, 1, 1), TODAY) is None


def test_a_single_cell_with_personal_details_is_blanked_and_remembered_by_line_and_column():
    rows = [(f"A-{n}", "plan") for n in range(9)] + [("A-9", "Seen with Mrs Okafor's son")]
    staged = stage_table(table(("reference", "notes"), *rows), TODAY)
    assert staged.columns == ("reference", "notes") and staged.findings == ((11, "notes", "a person's name"),)
    assert "Okafor" not in str(staged.rows)
    problems = mapping_problems(staged, suggested_mapping(staged))
    assert problems[0] == "Line 11: column 'notes' looks like it holds a person's name."
    left_out = FrameMapping({"reference": ColumnRole.REFERENCE, "notes": ColumnRole.LEAVE_OUT})
    assert mapping_problems(staged, left_out) == []


def test_roles_are_suggested_from_real_column_names():
    staged = stage_table(
        table(
            (
                "ref_no",
                "age_(yrs)",
                "date_of_birth",
                "area",
                "plan_category",
                "agencies_involved",
                "gender",
                "age_group",
            ),
            ("A-1", "3", "14/03/2019", "X", "CP", "CSC", "Female", "1 to 4"),
        ),
        TODAY,
    )
    roles = suggested_mapping(staged).roles
    assert roles == {
        "ref_no": ColumnRole.REFERENCE,
        "age_(yrs)": ColumnRole.AGE_YEARS,
        "date_of_birth": ColumnRole.LEAVE_OUT,  # an age is given, so the dates are not needed
        "area": ColumnRole.LOCALITY,
        "plan_category": ColumnRole.PLAN_TYPE,
        "agencies_involved": ColumnRole.AGENCIES,
        "gender": ColumnRole.KEEP,
        "age_group": ColumnRole.AGE_BAND,
    }
    assert not is_workbench_format(staged)


def test_agency_names_as_systems_write_them_are_matched():
    for name, short in [
        ("Children’s Social Care", "CSC"),
        ("CHILDRENS SOCIAL CARE", "CSC"),
        ("Health Visiting", "HV"),
        ("Early Help", "EH"),
        ("school", "School"),
        ("School Nursing", "SN"),
    ]:
        assert match_agency(name, LOOKUP) == short, name
    assert match_agency("Youth Justice", LOOKUP) is None
    assert match_agency("Health", LOOKUP) == "HV"


def test_unknown_agency_names_are_counted_once_each_then_mapped_or_dropped():
    staged = stage_table(
        table(
            ("reference", "agencies"),
            ("A-1", "Youth Justice; CSC"),
            ("A-2", "youth justice/Housing Officer"),
            ("A-3", "Children's Social Care, Health Visiting"),
        ),
        TODAY,
    )
    mapping = suggested_mapping(staged)
    assert unmatched_agencies(staged, mapping, LOOKUP) == [("Youth Justice", 2), ("Housing Officer", 1)]
    chosen = FrameMapping(mapping.roles, {"youth justice": "EH", "housing officer": NOT_AN_AGENCY})
    assert unmatched_agencies(staged, chosen, LOOKUP) == []
    _columns, rows = mapped_table(staged, chosen, LOOKUP)
    assert [row["agencies"] for _, row in rows] == ["EH;CSC", "EH", "CSC;HV"]


def test_bands_are_derived_with_the_partnerships_own_edges():
    assert band_function(DEFAULT_BANDS)(Decimal("2.9")) == "0-2"
    under_fives = band_function(((5, "Under 5"), (11, "5 to 10"), (18, "11 and over")))
    assert [under_fives(Decimal(a)) for a in ("0", "4.9", "5", "17.9")] == [
        "Under 5",
        "Under 5",
        "5 to 10",
        "11 and over",
    ]
