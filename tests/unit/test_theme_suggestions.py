"""Theme suggestions for uncoded excerpts, explained by the excerpt's own words."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tools.learning import Suggestion, ThemeKeywords, stem, suggest_themes, theme_keywords, tokens
from audit_tools.tools import builtin_themes

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))
CODEBOOK = builtin_themes()


def slugs(text: str, themes=CODEBOOK, **kwargs) -> list[str]:
    return [s.theme_slug for s in suggest_themes(text, themes, **kwargs)]


# --- stem and tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
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
    ],
)
def test_forms_of_a_word_share_a_stem(forms):
    assert len({stem(word) for word in forms}) == 1, {word: stem(word) for word in forms}


@pytest.mark.parametrize(
    "apart",
    [
        ("early", "ear"),
        ("noted", "not"),
        ("supervision", "supervisor"),
        ("hopping", "hoping"),
        ("need", "ne"),
    ],
)
def test_different_words_keep_different_stems(apart):
    assert stem(apart[0]) != stem(apart[1])


@pytest.mark.parametrize(
    "word, expected",
    [
        ("assessments", "assess"),
        ("drifted", "drift"),
        ("chronologies", "chronologi"),
        ("escalation", "escal"),
        ("is", "is"),
        ("us", "us"),
        ("status", "status"),
        ("crisis", "crisis"),
        ("thing", "thing"),
        ("bed", "bed"),
        ("needed", "need"),
        ("referred", "refer"),
        ("", ""),
    ],
)
def test_stem_examples(word, expected):
    assert stem(word) == expected


def test_stem_copes_with_very_long_words():
    assert stem("y" * 5000).startswith("y") and stem("assessing" * 1000).endswith("assess")


def test_tokens_are_lower_case_words_with_possessives_dropped():
    assert tokens("The child's room, the parents' views — don't; O’Brien") == [
        "the",
        "child",
        "room",
        "the",
        "parents",
        "views",
        "dont",
        "obrien",
    ]


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
    text = (
        "Siblings were not seen alone and the voice of the child is absent from the record. "
        "Was not brought to dental appointments three times."
    )
    found = suggest_themes(text, CODEBOOK, limit=5)
    assert [(s.theme_slug, s.score) for s in found] == [
        ("lived_experience", 6.0),
        ("was_not_brought", 4.0),
        ("each_child_individually", 1.0),
        ("information_sharing", 1.0),
    ]
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
        "neurodiversity_learning_needs": ("SEND",),
        "was_not_brought": ("DNAs",),
    }


def test_keywords_that_stem_alike_count_once():
    found = suggest_themes("The father and the other fathers", [ThemeKeywords("dads", ("father", "fathers"))])
    assert found == [Suggestion("dads", 1.0, ("father",))]


def test_a_keyword_counts_once_however_often_it_appears():
    found = suggest_themes("Drift. More drift. Drifting again.", CODEBOOK)
    assert found == [Suggestion("drift_and_delay", 1.0, ("Drift",))]


def test_ties_are_ordered_by_slug_and_limit_applies():
    themes = [
        ThemeKeywords("b_theme", ("delay",)),
        ThemeKeywords("a_theme", ("delay",)),
        ThemeKeywords("c_theme", ("delay",)),
    ]
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
