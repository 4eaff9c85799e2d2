"""Theme suggestions for uncoded excerpts, explained by the excerpt's own words; the codebook as CSV."""

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tools.theme_suggestions import (
    CodebookError, Suggestion, ThemeKeywords, codebook_from_csv, codebook_to_csv, slug_from_name, stem,
    suggest_themes, theme_keywords, tokens,
)
from audit_tools.tool_files import builtin_themes

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))
CODEBOOK = builtin_themes()
HEADER = "name,description,keywords,category\n"


def slugs(text: str, themes=CODEBOOK, **kwargs) -> list[str]:
    return [s.theme_slug for s in suggest_themes(text, themes, **kwargs)]


def problems(text: str) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        codebook_from_csv(text)
    return caught.value.problems


# --- stem and tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("forms", [
    ("assessments", "assessment", "assessed", "assessing", "assess"),
    ("neglected", "neglectful", "neglecting", "neglects", "neglect"),
    ("chronology", "chronologies"),
    ("escalate", "escalated", "escalating", "escalation", "escalations"),
    ("planned", "planning", "plans", "plan"),
    ("shared", "sharing", "share", "shares"),
    ("jointly", "joint"),
    ("improved", "improvement", "improving"),
    ("organised", "organized", "organisation", "organization"),
    ("observed", "observation", "observe"),
    ("agreed", "agreement", "agree"),
    ("children", "child"),
    ("siblings", "sibling"),
    ("families", "family"),
])
def test_forms_of_a_word_share_a_stem(forms):
    assert len({stem(word) for word in forms}) == 1, {word: stem(word) for word in forms}


@pytest.mark.parametrize("apart", [
    ("early", "ear"), ("noted", "not"), ("supervision", "supervisor"), ("hopping", "hoping"), ("need", "ne"),
])
def test_different_words_keep_different_stems(apart):
    assert stem(apart[0]) != stem(apart[1])


@pytest.mark.parametrize("word, expected", [
    ("assessments", "assess"), ("drifted", "drift"), ("chronologies", "chronologi"), ("escalation", "escal"),
    ("is", "is"), ("us", "us"), ("status", "status"), ("crisis", "crisis"), ("thing", "thing"), ("bed", "bed"),
    ("needed", "need"), ("referred", "refer"), ("", ""),
])
def test_stem_examples(word, expected):
    assert stem(word) == expected


def test_stem_copes_with_very_long_words():
    assert stem("y" * 5000).startswith("y") and stem("assessing" * 1000).endswith("assess")


def test_tokens_are_lower_case_words_with_possessives_dropped():
    assert tokens("The child's room, the parents' views — don't; O’Brien") == [
        "the", "child", "room", "the", "parents", "views", "dont", "obrien"]


def test_tokens_keep_accented_letters_and_digits():
    assert tokens("Zoë's café: GCP2 used in 2024") == ["zoë", "café", "gcp2", "used", "in", "2024"]
    assert tokens("Zoe\u0308") == ["zoë"]  # a decomposed accent stays part of the word (and is composed)


def test_tokens_of_empty_or_punctuation_only_text():
    assert tokens("") == [] and tokens(" ... -- ;; '' ") == []


# --- suggestions --------------------------------------------------------------------------------


def test_neglect_audit_excerpt_suggests_chronology_and_drift():
    found = suggest_themes("No chronology on file and the plan drifted for months", CODEBOOK)
    assert found == [
        Suggestion("chronologies", 1.0, ("chronology",)),
        Suggestion("drift_and_delay", 1.0, ("drifted",)),
        Suggestion("smart_planning", 1.0, ("plan",)),
    ]


def test_phrases_score_above_single_words_and_order_is_by_score():
    text = ("Siblings were not seen alone and the voice of the child is absent from the record. "
            "Was not brought to dental appointments three times.")
    found = suggest_themes(text, CODEBOOK, limit=5)
    assert [(s.theme_slug, s.score) for s in found] == [
        ("lived_experience", 6.0), ("was_not_brought", 4.0), ("each_child_individually", 1.0),
        ("information_sharing", 1.0)]
    assert found[0].matched == ("seen alone", "voice of the child")
    assert found[1].matched == ("Was not brought", "dental")  # "not brought" inside it is not counted again


def test_a_phrase_needs_its_words_together_and_in_order():
    themes = [ThemeKeywords("plain_words", ("plain language",))]
    assert slugs("She used plain language.", themes) == ["plain_words"]
    assert slugs("She used plain-language letters.", themes) == ["plain_words"]
    assert slugs("The language was plain.", themes) == []
    assert slugs("It was plain. Language was an issue.", themes) == []  # not across a full stop
    assert slugs("plain, language", themes) == []


def test_matched_words_are_exactly_as_written():
    text = "The CHILD'S VOICE was missing; Drifted for a year. Chronologies absent."
    found = {s.theme_slug: s.matched for s in suggest_themes(text, CODEBOOK, limit=10)}
    assert found["lived_experience"] == ("CHILD'S VOICE",)
    assert found["drift_and_delay"] == ("Drifted",)
    assert found["chronologies"] == ("Chronologies",)
    for matched in found.values():
        assert all(word in text for word in matched)


def test_matched_phrase_across_a_line_break_is_shown_with_one_space():
    found = suggest_themes("Disguised\n   compliance noted", CODEBOOK)
    assert found[0] == Suggestion("disguised_compliance", 2.0, ("Disguised compliance",))


def test_whole_words_only():
    themes = [ThemeKeywords("rape", ("the rapist",)), ThemeKeywords("ears", ("ear",)), ThemeKeywords("neg", ("neg",))]
    assert suggest_themes("The therapist saw the child early; no negotiation, nothing negative.", themes) == []
    assert slugs("Ear infection untreated", themes) == ["ears"]


def test_acronyms_match_only_when_written_in_capitals():
    assert slugs("We will send a letter; dna results awaited") == []
    found = suggest_themes("Referred to SEND team; two DNAs at the clinic", CODEBOOK, limit=5)
    assert {s.theme_slug: s.matched for s in found} == {
        "neurodiversity_learning_needs": ("SEND",), "was_not_brought": ("DNAs",)}


def test_keywords_that_stem_alike_count_once():
    found = suggest_themes("The father and the other fathers", [ThemeKeywords("dads", ("father", "fathers"))])
    assert found == [Suggestion("dads", 1.0, ("father",))]


def test_a_keyword_counts_once_however_often_it_appears():
    found = suggest_themes("Drift. More drift. Drifting again.", CODEBOOK)
    assert found == [Suggestion("drift_and_delay", 1.0, ("Drift",))]


def test_ties_are_ordered_by_slug_and_limit_applies():
    themes = [ThemeKeywords("b_theme", ("delay",)), ThemeKeywords("a_theme", ("delay",)),
              ThemeKeywords("c_theme", ("delay",))]
    assert slugs("delay", themes) == ["a_theme", "b_theme", "c_theme"]
    assert slugs("delay", themes, limit=2) == ["a_theme", "b_theme"]
    with pytest.raises(ValueError):
        suggest_themes("delay", themes, limit=0)


def test_theme_name_and_description_are_not_used():
    assert slugs("Management oversight", [{"slug": "x", "name": "Oversight", "keywords": ["supervision"]}]) == []


def test_themes_as_mappings_or_theme_keywords_give_the_same_result():
    text = "Information sharing was poor and the manager gave no direction."
    assert suggest_themes(text, CODEBOOK, limit=21) == suggest_themes(text, theme_keywords(CODEBOOK), limit=21)


def test_empty_text_and_empty_codebook_suggest_nothing():
    assert suggest_themes("", CODEBOOK) == []
    assert suggest_themes("   \n\t ", CODEBOOK) == []
    assert suggest_themes("drift", []) == []
    assert suggest_themes("drift", [ThemeKeywords("empty", ()), ThemeKeywords("punct", ("...",))]) == []


def test_hostile_strings_never_crash_and_explain_with_text_from_the_excerpt():
    assert len(BLNS) == 515
    for text in BLNS:
        for suggestion in suggest_themes(text, CODEBOOK, limit=21):
            assert suggestion.score > 0 and suggestion.matched
        suggest_themes("drift", [ThemeKeywords("hostile", (text,))])
        tokens(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_deterministic_explained_suggestions(text):
    first = suggest_themes(text, CODEBOOK, limit=21)
    assert first == suggest_themes(text, CODEBOOK, limit=21)
    assert [s.score for s in first] == sorted((s.score for s in first), reverse=True)
    collapsed = " ".join(text.split())
    assert all(word in collapsed for s in first for word in s.matched)


# --- the codebook as CSV ------------------------------------------------------------------------


def test_builtin_codebook_round_trips_through_csv():
    text = codebook_to_csv(CODEBOOK)
    assert text.splitlines()[0] == "name,description,keywords,category,slug"
    assert codebook_from_csv(text) == CODEBOOK


def test_export_separates_keywords_with_semicolons():
    row = next(csv.DictReader(io.StringIO(codebook_to_csv(CODEBOOK[:1]))))
    assert row["keywords"].startswith("lived experience; voice of the child; child's voice")


def test_export_neutralises_formula_like_cells():
    theme = {"slug": "x", "name": "=HYPERLINK(\"http://x\")", "description": "+1", "category": "@cat",
             "keywords": ["-cmd", "fine"]}
    row = next(csv.DictReader(io.StringIO(codebook_to_csv([theme]))))
    assert row == {"name": "'=HYPERLINK(\"http://x\")", "description": "'+1", "keywords": "'-cmd; fine",
                   "category": "'@cat", "slug": "x"}
    tab = next(csv.DictReader(io.StringIO(codebook_to_csv([{"name": "\tTab", "description": "\rCR"}]))))
    assert tab["name"] == "'\tTab" and tab["description"] == "'\rCR"


def test_import_with_minimal_columns_makes_slugs_from_names():
    themes = codebook_from_csv("\ufeffName, Keywords\nDrift and delay,drift; delay ; ;Drift\nCafé culture,coffee\n"
                               "2024 priorities,\n")
    assert themes == [
        {"slug": "drift_and_delay", "name": "Drift and delay", "description": "", "category": "",
         "keywords": ["drift", "delay", "Drift"]},
        {"slug": "cafe_culture", "name": "Café culture", "description": "", "category": "", "keywords": ["coffee"]},
        {"slug": "theme_2024_priorities", "name": "2024 priorities", "description": "", "category": "",
         "keywords": []},
    ]


def test_import_reads_quoted_cells_and_skips_blank_rows():
    themes = codebook_from_csv(HEADER + '"Drift, delay","Plans roll on,\nunchanged","drift;delay",planning\n\n,,,\n')
    assert themes == [{"slug": "drift_delay", "name": "Drift, delay", "description": "Plans roll on,\nunchanged",
                       "category": "planning", "keywords": ["drift", "delay"]}]


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
        "Line 2: the category is 61 characters long; the limit is 60"]


def test_long_keyword_and_too_many_keywords_are_refused():
    assert problems(HEADER + f"A,,ok;{'k' * 61},\n") == [
        f'Line 2: the keyword "{"k" * 30}…" is 61 characters long; the limit is 60']
    many = ";".join(f"word{i}" for i in range(41))
    assert problems(HEADER + f"A,,{many},\n") == ["Line 2: there are 41 keywords; the limit is 40"]
    assert codebook_from_csv(HEADER + "A,," + ";".join(f"w{i}" for i in range(40)) + ",\n")[0]["keywords"][-1] == "w39"


def test_duplicate_names_ignoring_capitals_are_refused():
    assert problems(HEADER + "Drift,,,\nDelay,,,\n  drift ,,,\n") == [
        'Line 4: the name "drift" is already used on line 2 (names must differ, ignoring capitals)']


def test_line_numbers_count_lines_inside_quoted_cells():
    assert problems(HEADER + 'Drift,"two\nlines",,\n,,x,\n') == ["Line 4: the name is missing"]


@pytest.mark.parametrize("cell, shown", [
    ("=1+1", '"="'), ("+44 7700", '"+"'), ("-cmd", '"-"'), ("@SUM(A1)", '"@"'), ("\tTabbed", "a tab"),
    (" =1+1", '"="'),
])
def test_formula_like_cells_are_refused(cell, shown):
    quoted = '"' + cell + '"'
    assert problems(HEADER + f"Theme,{quoted},,\n") == [
        f"Line 2: the description starts with {shown}, which a spreadsheet could run as a formula; "
        "remove that character"]


def test_formula_like_keyword_is_refused():
    assert problems(HEADER + "Theme,,drift; =cmd|' /C calc'!A0,\n") == [
        "Line 2: the keyword \"=cmd|' /C calc'!A0\" starts with \"=\", which a spreadsheet could run as a formula; "
        "remove that character"]


def test_carriage_return_at_the_start_of_a_cell_is_refused():
    assert problems(HEADER + 'Theme,"\rhidden",,\n') == [
        "Line 2: the description starts with a carriage return, which a spreadsheet could run as a formula; "
        "remove that character"]


def test_header_problems():
    assert problems("title,keywords,colour\nA,b,c\n") == [
        'Line 1: "title" is not a codebook column; use name, description, keywords, category, slug',
        'Line 1: "colour" is not a codebook column; use name, description, keywords, category, slug',
        'Line 1: the header has no "name" column']
    assert problems("name,name\nA,B\n") == ['Line 1: the column "name" appears more than once']


def test_empty_file_header_only_and_extra_values():
    assert problems("") == ["Line 1: the file is empty; it needs a header row (name, description, keywords, category)"]
    assert problems(HEADER) == ["Line 2: there are no themes under the header row"]
    assert problems(HEADER + "A,b,c,d,e\n") == ["Line 2: there are 5 values but the header names 4 columns"]


def test_invalid_and_duplicate_slugs_are_refused():
    assert problems("name,slug\nA,Not A Slug\nB,b\nC,b\n") == [
        'Line 2: the slug "Not A Slug" must start with a lower-case letter and use only lower-case letters, '
        "digits and underscores (at most 60)",
        'Line 4: the slug "b" is already used on line 3']


def test_unreadable_csv_is_refused_with_its_line():
    found = problems(HEADER + "A,,,\n" + 'B,"unfinished,,\n')
    assert len(found) == 1 and found[0].startswith("Line 3: this is not readable CSV")


def test_control_characters_are_refused():
    assert problems(HEADER + "A\x00,,,\nB,x\x1b[31m,,\n") == [
        "Line 2: the name contains a control character (U+0000); remove it",
        "Line 3: the description contains a control character (U+001B); remove it"]
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
