"""The one rule for names and labels: text that looks empty is refused, whatever invisible characters it holds."""

import json
from pathlib import Path

import pytest

from audit_tools.text import is_blank_looking

BLNS = json.loads((Path(__file__).resolve().parents[1] / "data" / "blns.json").read_text("utf-8"))

BLANK_LOOKING = {
    "empty": "",
    "spaces": "   ",
    "tab and newlines": "\t\r\n",
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "non-breaking space": "\u00a0",
    "narrow no-break space": "\u202f",
    "em space and ideographic space": "\u2003\u3000",
    "line and paragraph separators": "\u2028\u2029",
    "combining marks alone": "\u0301\u0308\u20dd",
    "Hangul filler": "\u3164",
    "halfwidth Hangul filler": "\uffa0",
    "Hangul choseong filler": "\u115f",
    "braille blank": "\u2800",
    "Mongolian vowel separator": "\u180e",
    "variation selector": "\ufe0f",
    "right-to-left mark": "\u200f",
    "tag characters": "\U000e0041\U000e0042",
    "a mixture": " \u200b\u00ad\u2060\ufeff\u3164\u2800 ",
}

VISIBLE = {
    "a word": "Neglect",
    "a word wrapped in zero-width spaces": "\u200bNeglect\u200b",
    "one letter": "x",
    "a digit": "0",
    "punctuation": "-",
    "a letter with a combining accent": "e\u0301",
    "Welsh": "Ŵyr",
    "Arabic": "إهمال",
    "Chinese": "忽视",
    "an emoji": "🙂",
    "an emoji sequence with a joiner": "👩\u200d👧",
    "a visible Hangul letter": "\u3131",
}


@pytest.mark.parametrize("name", BLANK_LOOKING)
def test_text_that_looks_empty_is_blank_looking(name):
    assert is_blank_looking(BLANK_LOOKING[name])


@pytest.mark.parametrize("name", VISIBLE)
def test_text_with_anything_visible_is_not(name):
    assert not is_blank_looking(VISIBLE[name])


def test_none_is_blank_looking():
    assert is_blank_looking(None)


def test_every_hostile_string_with_a_letter_digit_or_symbol_is_visible():
    """The 515 hostile strings: only those made of spaces and invisible characters alone are refused."""
    refused = [s for s in BLNS if is_blank_looking(s)]
    assert all(not any(c.isalnum() or c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" for c in s) for s in refused)
    assert {"", " ", "\ufeff"} <= set(refused) and any("\u200b" in s for s in refused)
    assert len(refused) < 30


# ---------------------------------------------------------------- the same rule for tool files imported as JSON

INVISIBLE = ["\u200b", "\u200c\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u2800", "\u0301", "\u00a0\u2003"]


@pytest.mark.parametrize("blank", INVISIBLE, ids=[f"U+{ord(b[0]):04X}" for b in INVISIBLE])
def test_a_tool_file_with_blank_looking_names_and_labels_is_refused_naming_each_place(blank):
    from audit_tools.tools import DefinitionError, load_builtin, parse_definition

    raw, _ = load_builtin()
    raw = json.loads(json.dumps(raw))
    raw["name"] = blank
    section = raw["sections"][0]
    section["title"] = blank
    question = next(q for q in section["questions"] if q.get("options"))
    question["text"] = blank
    question["options"][0]["label"] = blank
    n = section["questions"].index(question)
    with pytest.raises(DefinitionError) as error:
        parse_definition(raw)
    problems = error.value.problems
    for path in (
        "name",
        "sections[0].title",
        f"sections[0].questions[{n}].text",
        f"sections[0].questions[{n}].options[0].label",
    ):
        assert any(p.startswith(f"{path}: must be a non-empty string") for p in problems), (path, problems)


@pytest.mark.parametrize("blank", ["\u3164", "\u2800", "\u00a0\u2003"])
def test_a_codebook_theme_named_with_only_invisible_characters_is_refused_by_line(blank):
    from audit_tools.learning import CodebookError, codebook_from_csv

    with pytest.raises(CodebookError) as caught:
        codebook_from_csv("name,description,keywords,category\nDrift,,,\n" + blank + ",no name,,\n")
    assert caught.value.problems == ["Line 3: the name is missing"]
