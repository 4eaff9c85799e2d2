"""Names nobody told the workbench about: found by shape, measured on a corpus of briefing sentences."""

import pytest

from audit_tools.privacy import check_text, given_names, name_spans
from scripts.measure_names import measure, read_corpus


def names_in(text: str) -> list[str]:
    return [h.text for h in check_text(text) if h.kind == "name"]


def test_the_corpus_is_big_enough_and_fictional_in_style():
    with_names, clean = read_corpus()
    assert len(with_names) >= 50 and len(clean) >= 50
    assert sum(len(spans) for _, spans in with_names) >= 50


def test_names_are_found_and_ordinary_capitals_are_not_at_the_goal():
    figures = measure()
    assert figures.found_share >= 0.95, figures.misses
    assert figures.false_share <= 0.05, figures.false_sentences


def test_the_likeliest_slip_is_found():
    assert names_in("Jayden Smith was not brought to the dentist.") == ["Jayden Smith"]


@pytest.mark.parametrize(
    "text, name",
    [
        ("Mrs Okonkwo rang the school.", "Okonkwo"),
        ("The letter went to Dr A. Shah at the practice.", "A. Shah"),
        ("J. Robinson signed the agreement.", "J. Robinson"),
        ("Anne-Marie Doyle was invited.", "Anne-Marie Doyle"),
        ("Her daughter Faith was not registered with a GP.", "Faith"),
        ("Jack's dad could not attend.", "Jack"),
        ("Hope, aged 3, had speech delay.", "Hope"),
        ("The worker met Summer Hughes at home.", "Summer Hughes"),
        ("Zoë was seen at the clinic.", "Zoë"),
        ("Master Oliver was on the discharge letter.", "Oliver"),
    ],
)
def test_titles_patterns_and_context_find_the_name(text, name):
    assert names_in(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Early Help and Children's Social Care met in Nottingham.",
        "Health Visiting used the Graded Care Profile and the Child Protection Plan.",
        "Signs of Safety and Eyes On are the practice models.",
        "The panel met on Monday in May and again in April.",
        "Mark each case; we hope the learning will reach every team, with grace.",
        "Rose Hill Primary and Hope Street Surgery made referrals.",
        "The Designated Safeguarding Lead and the Team Manager agreed.",
        "Lessons from Child H and Appendix B were shared.",
        "THE SUMMARY WAS WRITTEN FOR CAMHS AND THE BOARD.",
    ],
)
def test_places_services_documents_months_and_job_titles_are_not_names(text):
    assert names_in(text) == []


def test_the_list_ships_with_its_sources_and_both_kinds():
    names = given_names()
    assert len(names) > 10_000
    assert names["jayden"] == "name" and names["faith"] == "word"


def test_hostile_text_gives_no_error():
    import json
    from pathlib import Path

    for text in json.loads((Path(__file__).parent.parent / "data" / "blns.json").read_text(encoding="utf-8")):
        list(name_spans(text))


def test_unknown_names_can_be_left_out():
    assert check_text("Jayden Smith", find_unknown_names=False) == []


def test_a_charity_named_after_a_doctor_is_not_a_person():
    assert names_in("Dr Barnardo's and the NSPCC ran the course.") == []


def test_a_given_name_alone_can_be_left_to_places_but_a_family_word_still_finds_it():
    assert [h.text for h in check_text("Victoria", lone_given_names=False)] == []
    assert [h.text for h in check_text("Victoria's mum", lone_given_names=False)] == ["Victoria"]
    assert [h.text for h in check_text("Victoria Jones", lone_given_names=False)] == ["Victoria Jones"]
