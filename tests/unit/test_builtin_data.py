"""The data shipped with the product: the built-in neglect tool, the theme codebook,
the agency list, the recommendation categories and the demonstration partnership.

Plain JSON and domain functions only: no Flask, no database.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from audit_tools.returns import answer_problems, is_visible, missing_required  # noqa: E402
from audit_tools.tools import GRADE, LONGTEXT, MULTIPLE, SCALE, SINGLE, TEXT, load_builtin, parse_definition  # noqa: E402

DEMO_PATH = ROOT / "audit_app" / "demo" / "demo_data.json"
SECTORS = {"local authority", "health", "police", "education", "voluntary", "justice", "housing", "partnership"}
AUDIENCES = {"managers", "practitioners", "inter_agency"}
CASE_REF = re.compile(r"\b[A-Z]{2}\d{2}-\d{2}\b")
TITLES = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.? [A-Z]")
# Common first names: a demo text that uses one is probably naming a person.
FIRST_NAMES = {
    "Oliver",
    "Jack",
    "Harry",
    "George",
    "Noah",
    "Leo",
    "Charlie",
    "Alfie",
    "Jacob",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Joshua",
    "Liam",
    "Ethan",
    "Mason",
    "Tyler",
    "Kyle",
    "Mohammed",
    "Muhammad",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Lily",
    "Sophie",
    "Emily",
    "Jessica",
    "Chloe",
    "Ella",
    "Freya",
    "Poppy",
    "Ruby",
    "Emma",
    "Sarah",
    "Lucy",
    "Hannah",
    "Kayleigh",
    "Chelsea",
    "Jade",
    "Leanne",
    "Stacey",
    "Michelle",
    "Tracy",
    "Gary",
    "Darren",
    "Wayne",
    "Dean",
}
FREE_TEXT_TYPES = {TEXT, LONGTEXT}


def _data(name: str):
    return json.loads(resources.files("audit_tools.data").joinpath(name).read_text("utf-8"))


@pytest.fixture(scope="module")
def tool():
    return load_builtin()[1]


@pytest.fixture(scope="module")
def themes():
    return _data("themes.json")


@pytest.fixture(scope="module")
def agencies():
    return _data("agencies.json")


@pytest.fixture(scope="module")
def demo():
    return json.loads(DEMO_PATH.read_text("utf-8"))


def _strings(value, skip_keys=frozenset()):
    """Every string inside a JSON value, skipping dictionary entries named in skip_keys."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, skip_keys)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip_keys:
                yield from _strings(item, skip_keys)


# --------------------------------------------------------------------------- the tool


def test_builtin_tool_parses_with_expected_identity(tool):
    raw = _data("neglect_tool.json")
    assert parse_definition(raw) == tool
    assert tool.slug == "neglect-multi-agency"
    assert tool.topic == "Neglect"
    assert tool.description.strip()
    assert 8 <= len(tool.sections) <= 10
    assert 35 <= len(tool.questions) <= 50


def test_tool_overall_judgement_is_a_required_grade_with_required_rationale(tool):
    overall = tool.overall_question
    assert overall is not None and overall.key == "overall_judgement"
    assert overall.type == GRADE and overall.required
    last = tool.sections[-1]
    assert last.title == "Overall judgement"
    rationale = tool.question("overall_rationale")
    assert rationale.type == LONGTEXT and rationale.required and rationale in last.questions


def test_every_question_has_help_and_scale_questions_carry_findings_and_themes(tool):
    assert all(q.help.strip() for q in tool.questions), [q.key for q in tool.questions if not q.help.strip()]
    scales = [q for q in tool.questions if q.type == SCALE]
    assert len(scales) >= 20
    assert [q.key for q in scales if not q.finding] == []
    assert [q.key for q in scales if not q.themes] == []
    # a finding completes "In N of M returns, …": lower-case start, no full stop
    assert [q.key for q in scales if q.finding[0].isupper() or q.finding.endswith(".")] == []


def test_contributory_factors_question_offers_the_expected_options(tool):
    question = tool.question("contributory_factors")
    assert question.type == MULTIPLE
    values = {o.value for o in question.options}
    assert {
        "domestic_abuse",
        "parental_substance_misuse",
        "parental_mental_health",
        "poverty",
        "housing",
        "parental_learning_difficulty",
        "none_identified",
    } <= values


def test_current_concern_is_yes_no_with_conditional_follow_up(tool):
    concern = tool.question("current_safeguarding_concern")
    assert concern.required
    assert concern.type in (SINGLE, SCALE)
    assert {o.value for o in concern.options} <= {"yes", "partly", "no"}
    follow_up = tool.question("current_concern_action")
    assert follow_up.type == LONGTEXT
    assert follow_up.show_if is not None and follow_up.show_if.question == concern.key
    assert not is_visible(follow_up, {concern.key: "no"})
    assert is_visible(follow_up, {concern.key: "yes"})


def test_show_if_conditions_refer_to_earlier_questions_and_real_values(tool):
    seen = {}
    for question in tool.questions:
        if question.show_if:
            target = seen.get(question.show_if.question)
            assert target is not None, f"{question.key} depends on a later or unknown question"
            allowed = {o.value for o in target.options}
            assert set(question.show_if.values) <= allowed, question.key
        seen[question.key] = question


def test_gcp2_is_recorded_as_use_only(tool):
    question = tool.question("gcp2_status")
    assert question.type == SINGLE
    # only whether and when it was used: no scoring, no reproduction of its content
    assert all(o.score is None for o in question.options)
    text = json.dumps(_data("neglect_tool.json")).lower()
    assert "level 1" not in text and "level 5" not in text


# --------------------------------------------------------------------------- codebooks


def test_theme_slugs_are_unique_and_complete(themes):
    slugs = [t["slug"] for t in themes]
    assert len(slugs) == len(set(slugs))
    assert 15 <= len(slugs) <= 25
    for theme in themes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", theme["slug"]), theme["slug"]
        assert theme["name"].strip() and theme["description"].strip() and theme["category"].strip()
        assert theme["keywords"] and all(isinstance(k, str) and k.strip() for k in theme["keywords"])


def test_every_theme_used_by_the_tool_exists(tool, themes):
    known = {t["slug"] for t in themes}
    used = {slug for q in tool.questions for slug in q.themes}
    assert used, "the tool tags no themes at all"
    assert used - known == set()


def test_agencies_have_unique_short_names_and_known_sectors(agencies):
    shorts = [a["short_name"] for a in agencies]
    assert len(shorts) == len(set(shorts))
    assert len({a["name"] for a in agencies}) == len(agencies)
    assert 12 <= len(agencies) <= 16
    assert all(0 < len(s) <= 12 for s in shorts)
    assert {a["sector"] for a in agencies} <= SECTORS
    assert {"CSC", "EH", "School", "CAMHS"} <= set(shorts)


def test_recommendation_categories_are_unique(tool):
    categories = _data("recommendation_categories.json")
    slugs = [c["slug"] for c in categories]
    assert len(slugs) == len(set(slugs))
    assert {"communication", "tools_and_resources", "workforce_development"} <= set(slugs)
    assert all(c["name"].strip() for c in categories)


# --------------------------------------------------------------------------- demonstration data


def test_demo_agencies_and_cases_are_consistent(demo, agencies):
    shorts = {a["short_name"] for a in agencies}
    assert set(demo["agencies_involved"]) <= shorts
    refs = [c["reference"] for c in demo["cases"]]
    assert len(refs) == 6 and len(refs) == len(set(refs))
    for case in demo["cases"]:
        assert case["agencies"] and set(case["agencies"]) <= set(demo["agencies_involved"])
        assert isinstance(case["repeat_plan"], bool) and case["months_on_plan"] > 0
        age = case["age_years"]
        expected_band = "0-2" if age < 3 else "3-5" if age < 6 else "6-10"
        assert case["age_band"] == expected_band, case["reference"]
        if age < 3:
            assert "School" not in case["agencies"], "a child under three has no school"


def test_demo_ages_span_one_and_a_half_to_eight(demo):
    ages = [c["age_years"] for c in demo["cases"]]
    assert min(ages) == 1.5
    assert max(ages) == 8


def test_every_case_agency_pair_has_exactly_one_return(demo):
    pairs = Counter((r["case"], r["agency"]) for r in demo["returns"])
    expected = {(c["reference"], a) for c in demo["cases"] for a in c["agencies"]}
    assert set(pairs) == expected
    assert all(n == 1 for n in pairs.values()), [p for p, n in pairs.items() if n > 1]


def test_every_demo_return_is_valid_and_complete(tool, demo):
    for ret in demo["returns"]:
        answers = ret["answers"]
        where = f"{ret['case']}/{ret['agency']}"
        assert answer_problems(tool, answers) == {}, where
        assert [q.key for q in missing_required(tool, answers)] == [], where
        hidden = [q.key for q in tool.questions if q.key in answers and not is_visible(q, answers)]
        assert hidden == [], f"{where} answers questions that are not shown: {hidden}"


def test_demo_judgements_are_varied(tool, demo):
    grades = Counter(r["answers"]["overall_judgement"] for r in demo["returns"])
    assert len(grades) >= 3
    assert grades["outstanding"] <= 1
    scale_values = Counter(
        v for r in demo["returns"] for k, v in r["answers"].items() if tool.question(k).type == SCALE
    )
    assert scale_values["yes"] and scale_values["partly"] and scale_values["no"]


def test_demo_agencies_sometimes_disagree_about_a_case(demo):
    by_case: dict[str, set[str]] = {}
    for ret in demo["returns"]:
        by_case.setdefault(ret["case"], set()).add(ret["answers"]["overall_judgement"])
    assert sum(len(grades) > 1 for grades in by_case.values()) >= 3


def test_demo_free_text_names_no_case_and_no_person(tool, demo):
    texts = []
    for ret in demo["returns"]:
        texts += [v for k, v in ret["answers"].items() if tool.question(k).type in FREE_TEXT_TYPES]
    texts += list(_strings({k: v for k, v in demo.items() if k not in ("cases", "returns")}))
    assert len(texts) > 40
    for text in texts:
        assert not CASE_REF.search(text), text
        assert not TITLES.search(text), text
        words = set(re.findall(r"\b[A-Z][a-z]+\b", text))
        assert not words & FIRST_NAMES, (words & FIRST_NAMES, text)
        assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", text), text  # no date of birth-like dates
        assert not re.search(r"[\w.]+@[\w.]+", text), text  # no e-mail addresses


def test_demo_resources_use_example_domains_only(demo):
    urls = [r["url"] for r in demo["partnership"]["resources"]]
    assert urls
    for url in urls:
        assert re.match(r"https://([a-z0-9-]+\.)*example\.org(/|$)", url), url


def test_demo_learning_points_and_recommendations(demo, agencies):
    audiences = Counter(p["audience"] for p in demo["learning_points"])
    assert set(audiences) == AUDIENCES
    assert all(3 <= n <= 5 for n in audiences.values()), audiences
    categories = {c["slug"] for c in _data("recommendation_categories.json")}
    leads = {a["short_name"] for a in agencies}  # every lead is a known agency, so none shows as "Not set"
    assert 4 <= len(demo["recommendations"]) <= 6
    for rec in demo["recommendations"]:
        assert rec["category"] in categories
        assert rec["lead"] in leads
        assert rec["text"].strip() and rec["timeframe"].strip()


def test_demo_audit_window_and_partnership(demo):
    audit = demo["audit"]
    assert audit["topic"] == "Neglect" and audit["year"] == 2026
    assert audit["period_start"] < audit["period_end"]
    partnership = demo["partnership"]
    assert partnership["name"].endswith("Safeguarding Children Partnership")
    assert partnership["series_title"] == "Eyes On"
    assert partnership["definition"].count(".") >= 2
