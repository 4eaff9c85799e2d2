"""The theme codebook as a CSV file: export with formulas neutralised, import refused whole on any problem."""

import csv
import io
import json
from pathlib import Path

import pytest

from audit_tools.learning import (
    CodebookError,
    ThemeChange,
    codebook_from_csv,
    codebook_to_csv,
    control_problem,
    formula_problem,
    keyword_problems,
    name_key,
    plan_import,
    read_codebook,
    slug_from_name,
    split_keywords,
    unique_slug,
)
from audit_tools.tools import builtin_themes

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))
CODEBOOK = builtin_themes()
HEADER = "name,description,keywords,category\n"


def problems(text: str) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        codebook_from_csv(text)
    return caught.value.problems


def test_builtin_codebook_round_trips_through_csv():
    text = codebook_to_csv(CODEBOOK)
    assert text.splitlines()[0] == "name,description,keywords,category,slug"
    assert codebook_from_csv(text) == CODEBOOK


def test_export_separates_keywords_with_semicolons():
    row = next(csv.DictReader(io.StringIO(codebook_to_csv(CODEBOOK[:1]))))
    assert row["keywords"].startswith("lived experience; voice of the child; child's voice")


def test_export_neutralises_formula_like_cells():
    theme = {
        "slug": "x",
        "name": '=HYPERLINK("http://x")',
        "description": "+1",
        "category": "@cat",
        "keywords": ["-cmd", "fine"],
    }
    row = next(csv.DictReader(io.StringIO(codebook_to_csv([theme]))))
    assert row == {
        "name": '\'=HYPERLINK("http://x")',
        "description": "'+1",
        "keywords": "'-cmd; fine",
        "category": "'@cat",
        "slug": "x",
    }
    tab = next(csv.DictReader(io.StringIO(codebook_to_csv([{"name": "\tTab", "description": "\rCR"}]))))
    assert tab["name"] == "'\tTab" and tab["description"] == "'\rCR"
    hidden = next(csv.DictReader(io.StringIO(codebook_to_csv([{"name": "  =1", "description": "＝SUM(A1)"}]))))
    assert hidden["name"] == "'  =1" and hidden["description"] == "'＝SUM(A1)"
    assert problems(HEADER + "＝SUM(A1),,,\n") == [
        'Line 2: the name starts with "＝", which a spreadsheet could run as a formula; remove that character'
    ]


def test_import_with_minimal_columns_makes_slugs_from_names():
    themes = codebook_from_csv(
        "\ufeffName, Keywords\nDrift and delay,drift; delay ; ;Drift\nCafé culture,coffee\n2024 priorities,\n"
    )
    assert themes == [
        {
            "slug": "drift_and_delay",
            "name": "Drift and delay",
            "description": "",
            "category": "",
            "keywords": ["drift", "delay", "Drift"],
        },
        {"slug": "cafe_culture", "name": "Café culture", "description": "", "category": "", "keywords": ["coffee"]},
        {"slug": "theme_2024_priorities", "name": "2024 priorities", "description": "", "category": "", "keywords": []},
    ]


def test_import_reads_quoted_cells_and_skips_blank_rows():
    themes = codebook_from_csv(HEADER + '"Drift, delay","Plans roll on,\nunchanged","drift;delay",planning\n\n,,,\n')
    assert themes == [
        {
            "slug": "drift_delay",
            "name": "Drift, delay",
            "description": "Plans roll on,\nunchanged",
            "category": "planning",
            "keywords": ["drift", "delay"],
        }
    ]


def test_slugs_given_are_kept_and_derived_ones_made_unique():
    themes = codebook_from_csv("name,slug\nDrift,drift\nDrift!,\nDrift?,\n")
    assert [t["slug"] for t in themes] == ["drift", "drift_2", "drift_3"]


def test_slug_from_name():
    assert slug_from_name("Lived experience and voice of the child") == "lived_experience_and_voice_of_the_child"
    assert slug_from_name("Ôtherwise: Ünusual") == "otherwise_unusual"
    assert slug_from_name("خطر") == "theme"
    assert len(slug_from_name("word " * 40)) <= 60


def test_missing_name_is_named_by_line():
    assert problems(HEADER + "Drift,,drift,\n,no name here,delay,\n") == ["Line 3: the name is missing"]


def test_too_long_values_are_refused():
    row = ",".join(["N" * 121, "D" * 2001, "k", "C" * 61])
    assert problems(HEADER + row + "\n") == [
        "Line 2: the name is 121 characters long; the limit is 120",
        "Line 2: the description is 2001 characters long; the limit is 2000",
        "Line 2: the category is 61 characters long; the limit is 60",
    ]


def test_long_keyword_and_too_many_keywords_are_refused():
    assert problems(HEADER + f"A,,ok;{'k' * 61},\n") == [
        f'Line 2: the keyword "{"k" * 30}…" is 61 characters long; the limit is 60'
    ]
    many = ";".join(f"word{i}" for i in range(41))
    assert problems(HEADER + f"A,,{many},\n") == ["Line 2: there are 41 keywords; the limit is 40"]
    assert codebook_from_csv(HEADER + "A,," + ";".join(f"w{i}" for i in range(40)) + ",\n")[0]["keywords"][-1] == "w39"


def test_duplicate_names_ignoring_capitals_are_refused():
    assert problems(HEADER + "Drift,,,\nDelay,,,\n  drift ,,,\n") == [
        'Line 4: the name "drift" is already used on line 2 (names must differ, ignoring capitals)'
    ]


def test_line_numbers_count_lines_inside_quoted_cells():
    assert problems(HEADER + 'Drift,"two\nlines",,\n,,x,\n') == ["Line 4: the name is missing"]


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("=1+1", '"="'),
        ("+44 7700", '"+"'),
        ("-cmd", '"-"'),
        ("@SUM(A1)", '"@"'),
        ("\tTabbed", "a tab"),
        (" =1+1", '"="'),
        ("\ufeff=1+1", '"="'),
        ("\u200b-cmd", '"-"'),
        ("\u3164=1", '"="'),
    ],
)
def test_formula_like_cells_are_refused(cell, shown):
    quoted = '"' + cell + '"'
    assert problems(HEADER + f"Theme,{quoted},,\n") == [
        f"Line 2: the description starts with {shown}, which a spreadsheet could run as a formula; "
        "remove that character"
    ]


def test_a_keyword_with_a_formula_behind_an_invisible_character_names_the_formula_character():
    assert problems(HEADER + "Theme,,drift; \u200b=cmd,\n") == [
        'Line 2: the keyword "\u200b=cmd" starts with "=", which a spreadsheet could run as a formula; '
        "remove that character"
    ]


def test_formula_like_keyword_is_refused():
    assert problems(HEADER + "Theme,,drift; =cmd|' /C calc'!A0,\n") == [
        'Line 2: the keyword "=cmd|\' /C calc\'!A0" starts with "=", which a spreadsheet could run as a formula; '
        "remove that character"
    ]


def test_carriage_return_at_the_start_of_a_cell_is_refused():
    assert problems(HEADER + 'Theme,"\rhidden",,\n') == [
        "Line 2: the description starts with a carriage return, which a spreadsheet could run as a formula; "
        "remove that character"
    ]


def test_header_problems():
    assert problems("title,keywords,colour\nA,b,c\n") == [
        'Line 1: "title" is not a codebook column; use name, description, keywords, category, slug',
        'Line 1: "colour" is not a codebook column; use name, description, keywords, category, slug',
        'Line 1: the header has no "name" column',
    ]
    assert problems("name,name\nA,B\n") == ['Line 1: the column "name" appears more than once']


def test_empty_file_header_only_and_extra_values():
    assert problems("") == ["Line 1: the file is empty; it needs a header row (name, description, keywords, category)"]
    assert problems(HEADER) == ["Line 2: there are no themes under the header row"]
    assert problems(HEADER + "A,b,c,d,e\n") == ["Line 2: there are 5 values but the header names 4 columns"]


def test_invalid_and_duplicate_slugs_are_refused():
    assert problems("name,slug\nA,Not A Slug\nB,b\nC,b\n") == [
        'Line 2: the slug "Not A Slug" must start with a lower-case letter and use only lower-case letters, '
        "digits and underscores (at most 60)",
        'Line 4: the slug "b" is already used on line 3',
    ]


def test_unreadable_csv_is_refused_with_its_line():
    found = problems(HEADER + "A,,,\n" + 'B,"unfinished,,\n')
    assert len(found) == 1 and found[0].startswith("Line 3: this is not readable CSV")


def test_control_characters_are_refused():
    assert problems(HEADER + "A\x00,,,\nB,x\x1b[31m,,\n") == [
        "Line 2: the name contains a control character (U+0000); remove it",
        "Line 3: the description contains a control character (U+001B); remove it",
    ]
    assert codebook_from_csv(HEADER + 'A,"two\r\nlines\tand a tab",,\n')[0]["description"] == "two\r\nlines\tand a tab"


def test_every_problem_is_reported_and_the_list_is_capped():
    found = problems(HEADER + ",,,\n" * 1 + "".join(f",x{i},,\n" for i in range(60)))
    assert len(found) == 51 and found[-1].startswith("Stopped after 50 problems")


def test_hostile_strings_import_or_explain():
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["name", "description", "keywords", "category"])
    for i, text in enumerate(BLNS):
        writer.writerow([f"Theme {i}", text, text[:60], ""])
    with pytest.raises(CodebookError) as caught:
        codebook_from_csv(rows.getvalue())
    assert caught.value.problems and all(p.startswith(("Line ", "Stopped")) for p in caught.value.problems)


# --- rules shared with the codebook editor ------------------------------------------------------


def test_keywords_are_split_at_semicolons_and_line_breaks():
    assert split_keywords(" drift ;delay\nstart again\r\n\n; drift ;") == ["drift", "delay", "start again"]
    assert split_keywords("") == [] and split_keywords(" ; \n ") == []
    assert codebook_from_csv(HEADER + 'A,,"drift\ndelay",\n')[0]["keywords"] == ["drift", "delay"]


def test_value_rules_name_the_column():
    assert formula_problem("name", "=1") == (
        'the name starts with "=", which a spreadsheet could run as a formula; remove that character'
    )
    assert formula_problem("category", "  +1") is not None and formula_problem("name", "a=1") is None
    assert formula_problem("name", "") is None and formula_problem("name", "   ") is None
    assert control_problem("name", "a\x07") == "the name contains a control character (U+0007); remove it"
    assert control_problem("description", "two\nlines\tand\r\n") is None
    assert keyword_problems(["ok", "-no"]) == [
        'the keyword "-no" starts with "-", which a spreadsheet could run as a formula; remove that character'
    ]


def test_name_key_ignores_capitals_and_spacing():
    assert name_key("  Drift   AND delay ") == name_key("drift and delay") == "drift and delay"


def test_unique_slug():
    assert unique_slug("drift", {"voice"}) == "drift"
    assert unique_slug("drift", {"drift", "drift_2"}) == "drift_3"
    assert len(unique_slug("d" * 60, {"d" * 60})) == 60


def test_read_codebook_keeps_lines_columns_and_whether_a_slug_was_given():
    found = read_codebook("name,slug,keywords\nDrift,drift,\n\nVoice of the child,,voice\n")
    assert found.columns == ("name", "slug", "keywords")
    assert [(r.line, r.slug, r.slug_given) for r in found.rows] == [
        (2, "drift", True),
        (4, "voice_of_the_child", False),
    ]


# --- what an import changes -------------------------------------------------------------------


EXISTING = [
    {
        "id": 1,
        "slug": "drift",
        "name": "Drift and delay",
        "description": "Plans roll on.",
        "category": "planning",
        "keywords": ["drift"],
    },
    {"id": 2, "slug": "voice", "name": "Voice of the child", "description": "", "category": "", "keywords": []},
]


def plan(text: str):
    return plan_import(read_codebook(text), EXISTING)


def plan_problems(text: str) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        plan(text)
    return caught.value.problems


def test_a_row_updates_the_theme_with_its_slug_else_its_name_and_adds_the_rest():
    found = plan(
        "name,slug,keywords\nDrift and delay (renamed),drift,drift; delay\nVOICE OF THE CHILD,,\nFathers,,father\n"
    )
    assert found.updated == (
        ThemeChange(
            2, 1, "drift", {"name": "Drift and delay (renamed)", "keywords": ["drift", "delay"]}, ("name", "keywords")
        ),
        ThemeChange(3, 2, "voice", {"name": "VOICE OF THE CHILD", "keywords": []}, ("name",)),
    )
    assert found.added == (
        ThemeChange(4, None, "fathers", {"name": "Fathers", "description": "", "category": "", "keywords": ["father"]}),
    )
    assert found.unchanged == 0


def test_only_the_files_columns_change_and_identical_rows_are_unchanged():
    found = plan("name,keywords\nDrift and delay,drift\nVoice of the child,\n")
    assert found.updated == () and found.added == () and found.unchanged == 2


def test_a_new_theme_gets_a_slug_no_other_theme_has():
    found = plan("name,slug\nDrift!,\nNew,drift_2\n")
    assert [c.slug for c in found.added] == ["drift_3", "drift_2"]  # "drift" is taken in the codebook


def test_an_import_may_not_give_a_theme_another_themes_name_or_change_one_theme_twice():
    assert plan_problems("name,slug\nVoice of the child,drift\n") == [
        'Line 2: the name "Voice of the child" is already used by another theme in the codebook (slug voice); '
        "choose another name or give that theme's slug"
    ]
    assert plan_problems("name,slug\nAnything,drift\nDrift and delay,\n") == [
        'Line 3: this row and line 2 would both change the theme "Drift and delay"'
    ]
