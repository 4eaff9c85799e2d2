"""Answers as long and wide spreadsheets, CSV and Excel, never running a typed formula."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from audit_tools.analysis import LONG_COLUMNS, ReturnAnswers, long_sheet, to_csv, to_xlsx, wide_sheet
from audit_tools.files import runs_as_formula, spreadsheet_safe
from audit_tools.tools import parse_definition

TOOL = parse_definition(
    {
        "schema_version": 1,
        "slug": "small-tool",
        "name": "Small tool",
        "topic": "Neglect",
        "description": "For tests.",
        "sections": [
            {
                "key": "practice",
                "title": "Practice",
                "description": "",
                "questions": [
                    {"key": "seen_alone", "type": "scale", "text": "Was the child seen alone?"},
                    {
                        "key": "factors",
                        "type": "multiple",
                        "text": "Which factors?",
                        "options": [
                            {"value": "domestic_abuse", "label": "Domestic abuse"},
                            {"value": "poverty", "label": "Poverty"},
                        ],
                    },
                ],
            },
            {
                "key": "overall",
                "title": "Overall",
                "description": "",
                "questions": [
                    {"key": "why", "type": "longtext", "text": "Why?", "required": False},
                ],
            },
        ],
    }
)
HOSTILE = '=HYPERLINK("http://example.invalid","click")'


def police_return(**changes) -> ReturnAnswers:
    fields = dict(
        case_reference="NA-01",
        age_years=Decimal("1.5"),
        age_band="0-2",
        locality="Northfield",
        plan_type="Child protection plan",
        agency="Police",
        state="submitted",
        attributes={"repeat_plan": "no"},
        answers={
            "seen_alone": [("partly", 1.0)],
            "factors": [("domestic_abuse", None), ("poverty", None)],
            "why": [(HOSTILE, None)],
        },
        notes={"seen_alone": "Home visit 3 May", "factors": "-see chronology"},
        panel_judgement="Requires improvement",
    )
    return ReturnAnswers(**{**fields, **changes})


@pytest.mark.parametrize("text", ["=1+1", "+44 20 7946 0000", "-cmd", "@SUM(A1)", "\tx", "\rx", "  =x", "＝1"])
def test_formula_like_text_gets_an_apostrophe(text):
    assert runs_as_formula(text)
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff=1+1",
        "\u200b=HYPERLINK(x)",
        "\u2066-cmd",
        "\u00a0@SUM(A1)",
        "\u200e\u200f+1",
        "\u034f=1",  # combining grapheme joiner (a mark, default-ignorable)
        "\ufe0f=1",  # variation selector
        "\U000e0101=1",  # variation selector supplement
        "\u3164=1",  # Hangul filler (a letter that shows nothing)
        "\u2800=1",  # Braille pattern blank
    ],
)
def test_a_formula_behind_invisible_characters_gets_an_apostrophe_too(text):
    """A byte-order mark, a zero-width space or a direction mark is not whitespace to Python's strip but may be
    skipped by a spreadsheet or pasted along with the formula: it does not hide the formula from the guard."""
    assert runs_as_formula(text)
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Good", "Yes, partly", "3 visits", "a=b", "\ufeffGood", "\u200b"])
def test_plain_text_is_left_alone(text):
    assert spreadsheet_safe(text) == text


def test_long_sheet_has_a_row_per_answer_in_the_tools_order():
    sheet = long_sheet(TOOL, [police_return()])
    rows = list(sheet.rows)
    assert sheet.header[:7] == (
        "Case reference",
        "Age (years)",
        "Age band",
        "Locality",
        "Plan type",
        "Panel's agreed judgement",
        "repeat_plan",
    )
    assert sheet.header[-len(LONG_COLUMNS) :] == LONG_COLUMNS
    assert [row[-7:] for row in rows] == [
        ["1.1", "seen_alone", "Was the child seen alone?", "partly", "Partly", 1.0, "Home visit 3 May"],
        ["1.2", "factors", "Which factors?", "domestic_abuse", "Domestic abuse", None, "-see chronology"],
        ["1.2", "factors", "Which factors?", "poverty", "Poverty", None, "-see chronology"],
        ["2.1", "why", "Why?", HOSTILE, HOSTILE, None, ""],
    ]
    assert rows[0][:9] == [
        "NA-01",
        1.5,
        "0-2",
        "Northfield",
        "Child protection plan",
        "Requires improvement",
        "no",
        "Police",
        "Submitted",
    ]


def test_a_note_without_an_answer_still_gets_a_row():
    item = police_return(answers={}, notes={"seen_alone": "Could not find the visit records"})
    rows = list(long_sheet(TOOL, [item]).rows)
    assert len(rows) == 1 and rows[0][-4:] == ["", "", None, "Could not find the visit records"]


def test_wide_sheet_has_a_row_per_return_and_a_note_column_where_notes_are_taken():
    sheet = wide_sheet(TOOL, [police_return(), police_return(agency="School", state="accepted", answers={}, notes={})])
    assert sheet.header[-5:] == (
        "1.1 seen_alone: Was the child seen alone?",
        "1.1 seen_alone: evidence note",
        "1.2 factors: Which factors?",
        "1.2 factors: evidence note",
        "2.1 why: Why?",
    )
    first, second = list(sheet.rows)
    assert first[-5:] == ["Partly", "Home visit 3 May", "Domestic abuse; Poverty", "-see chronology", HOSTILE]
    assert second[7:9] == ["School", "Accepted"] and second[-5:] == ["", "", "", "", ""]


def test_csv_neutralises_formulas_and_reads_back():
    data = to_csv(long_sheet(TOOL, [police_return()]))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Case reference"
    assert rows[1][1] == "1.5" and rows[1][-2] == "1"  # numbers without a trailing ".0"
    assert rows[1][5] == "Requires improvement"
    assert rows[2][-1] == "'-see chronology"
    assert rows[4][-3] == "'" + HOSTILE
    assert not any(cell and cell[0] in "=+-@" for row in rows for cell in row)


def test_workbook_keeps_formula_like_text_as_text_and_numbers_as_numbers():
    item = police_return(case_reference="NA-\x0701")  # a control character no workbook can hold
    sheet = load_workbook(io.BytesIO(to_xlsx(wide_sheet(TOOL, [item])))).active
    header, row = list(sheet.iter_rows())
    assert header[0].value == "Case reference" and header[0].font.b
    assert sheet.freeze_panes == "A2"
    assert row[0].value == "NA-\ufffd01"
    assert row[1].value == 1.5 and row[1].data_type == "n"
    hostile = row[-1]
    assert (hostile.value, hostile.data_type, hostile.quotePrefix) == (HOSTILE, "s", True)
    assert row[-2].value == "-see chronology" and row[-2].data_type == "s"


NUMBERED = parse_definition(
    {
        "schema_version": 1,
        "slug": "numbers-tool",
        "name": "Numbers tool",
        "topic": "Neglect",
        "description": "For tests.",
        "sections": [
            {
                "key": "visits",
                "title": "Visits",
                "description": "",
                "questions": [{"key": "visits", "type": "number", "text": "How many visits?"}],
            }
        ],
    }
)


def test_a_number_questions_answers_are_numbers_in_both_layouts_and_both_files():
    item = police_return(answers={"visits": [("12", None)]}, notes={})
    assert list(long_sheet(NUMBERED, [item]).rows)[0][-4:-2] == [12.0, 12.0]
    assert list(wide_sheet(NUMBERED, [item]).rows)[0][-2:] == [12.0, ""]  # the answer, then its note
    rows = list(csv.reader(io.StringIO(to_csv(wide_sheet(NUMBERED, [item])).decode("utf-8-sig"))))
    assert rows[1][-2] == "12"  # not "12.0"
    cell = list(load_workbook(io.BytesIO(to_xlsx(wide_sheet(NUMBERED, [item])))).active.iter_rows())[1][-2]
    assert (cell.value, cell.data_type) == (12, "n")


def test_a_number_answer_that_is_not_a_number_stays_text_and_guarded():
    item = police_return(answers={"visits": [("-1+2", None)]}, notes={})
    assert list(wide_sheet(NUMBERED, [item]).rows)[0][-2] == "-1+2"
    rows = list(csv.reader(io.StringIO(to_csv(wide_sheet(NUMBERED, [item])).decode("utf-8-sig"))))
    assert rows[1][-2] == "'-1+2"


def test_large_numbers_keep_every_digit_in_csv():
    item = police_return(answers={"visits": [("1234567", None)]}, notes={})
    rows = list(csv.reader(io.StringIO(to_csv(wide_sheet(NUMBERED, [item])).decode("utf-8-sig"))))
    assert rows[1][-2] == "1234567"


def test_files_come_in_pieces_and_the_pieces_make_the_whole_file():
    from audit_tools.analysis import csv_chunks, xlsx_chunks

    many = [police_return(case_reference=f"NA-{n:04d}") for n in range(600)]
    pieces = list(csv_chunks(long_sheet(TOOL, many)))  # 2,400 rows
    assert len(pieces) > 1 and b"".join(pieces) == to_csv(long_sheet(TOOL, many))
    pieces = list(xlsx_chunks(long_sheet(TOOL, many)))
    assert len(pieces) > 1 and pieces[0].startswith(b"PK")  # a ZIP file, sent before its last row is written
    sheet = load_workbook(io.BytesIO(b"".join(pieces))).active
    assert sheet.max_row == 1 + 4 * 600 and sheet.cell(2401, 1).value == "NA-0599"
