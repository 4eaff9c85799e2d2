"""The reliability of a moderated sample: Gwet's AC1, ordinal alpha of pairs and its bootstrap interval,
the threshold words and the per-question report, against published examples, hand sums and properties."""

import random

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tools.analysis import krippendorff_alpha, weighted_kappa
from audit_tools.reliability import (
    ModerationError,
    alpha_words,
    bootstrap_alpha,
    comparison,
    draw_moderation_sample,
    graded_questions,
    grades_reliability,
    gwet_ac1,
    moderation_size,
    ordinal_alpha,
    reliability,
    reliability_report,
    reliability_sentence,
    scale_of,
)
from audit_tools.tools import GRADE_OPTIONS, SCALE_OPTIONS, Question, Section, ToolDefinition

GRADES = ("outstanding", "good", "requires_improvement", "inadequate")


def pairs_from_table(table, order):
    return [(order[i], order[j]) for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section A: two observers, binary data,
# ten units; published alpha = 0.095. With two values ordinal distances are all equal, so ordinal = nominal.
OBSERVER_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
OBSERVER_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def test_ordinal_alpha_of_pairs_matches_krippendorffs_two_observer_example():
    assert round(ordinal_alpha(list(zip(OBSERVER_A, OBSERVER_B, strict=True)), [0, 1]), 3) == 0.095


# The "kappa paradox" table used by Gwet (2008): 125 cases, 118 both "yes", 5 yes/no, 2 no/yes, none both "no".
# By hand: pa = 118/125 = 0.944; pi_yes = 243/250 = 0.972, pe = 2 * 0.972 * 0.028 = 0.054432;
# AC1 = (0.944 - 0.054432) / (1 - 0.054432) = 0.9408. Kappa's chance agreement is 0.94528, so kappa = -0.023.
PARADOX = pairs_from_table([[118, 5], [2, 0]], ["yes", "no"])


def test_ac1_stays_high_where_kappa_falls_below_zero():
    assert round(gwet_ac1(PARADOX, ["yes", "no"]), 4) == 0.9408
    assert round(weighted_kappa(PARADOX, ["yes", "no"], "unweighted"), 3) == -0.023


def test_ac1_of_three_categories_by_hand():
    # pa = 4/6; grades given a:5 b:4 c:3 of 12; pe = (5*7 + 4*8 + 3*9) / 144 / 2 = 47/144; AC1 = 49/97.
    pairs = [("a", "a"), ("a", "a"), ("b", "b"), ("a", "b"), ("c", "c"), ("b", "c")]
    assert gwet_ac1(pairs, "abc") == pytest.approx(49 / 97)


def test_ac1_is_none_without_pairs_and_rejects_an_unknown_grade():
    assert gwet_ac1([], GRADES) is None
    with pytest.raises(ValueError, match="'great' is not one of the grades"):
        gwet_ac1([("good", "great")], GRADES)


def test_weighted_kappas_of_a_three_grade_table_by_hand():
    # rows 6/4/5, columns 5/6/4 (n = 15); six pairs one grade apart, none two apart, so seen = 6 both ways.
    # Linear expected: (6*6 + 2*6*4 + 4*5 + 4*4 + 2*5*5 + 5*6) / 15 = 200/15 → 1 - 90/200 = 0.55.
    # Quadratic expected: (36 + 4*24 + 20 + 16 + 4*25 + 30) / 15 = 298/15 → 1 - 90/298.
    pairs = pairs_from_table([[4, 2, 0], [1, 2, 1], [0, 2, 3]], "abc")
    assert weighted_kappa(pairs, "abc", "linear") == pytest.approx(0.55)
    assert weighted_kappa(pairs, "abc", "quadratic") == pytest.approx(1 - 90 / 298)


def test_bootstrap_interval_is_the_same_for_the_same_seed_and_is_an_independent_recomputation():
    pairs = pairs_from_table([[4, 2, 0, 0], [1, 5, 1, 0], [0, 1, 3, 1], [0, 0, 1, 2]], GRADES)
    cases = [[p] for p in pairs]
    interval = bootstrap_alpha(cases, GRADES, resamples=200, seed=7)
    assert interval == bootstrap_alpha(cases, GRADES, resamples=200, seed=7)
    # The same draws, alpha by the krippendorff package, the percentiles by numpy.
    rng, places = random.Random(7), [(GRADES.index(a), GRADES.index(b)) for a, b in pairs]
    values = []
    for _ in range(200):
        draw = [places[i] for i in rng.choices(range(len(places)), k=len(places))]
        values.append(krippendorff.alpha(np.array(draw, dtype=float).T, level_of_measurement="ordinal"))
    assert interval.low == pytest.approx(np.percentile(values, 2.5))
    assert interval.high == pytest.approx(np.percentile(values, 97.5))
    assert interval.low < ordinal_alpha(pairs, GRADES) < interval.high
    assert str(interval) == f"{interval.low:.3f} to {interval.high:.3f}"


def test_bootstrap_of_perfect_agreement_is_one_to_one_and_none_for_one_pair():
    pairs = [("good", "good"), ("inadequate", "inadequate"), ("outstanding", "outstanding")]
    interval = bootstrap_alpha([[p] for p in pairs], GRADES, resamples=50, seed=1)
    assert (interval.low, interval.high) == (1.0, 1.0)
    assert bootstrap_alpha([[("good", "good")]], GRADES) is None


def test_bootstrap_draws_whole_cases():
    # Each case holds several pairs (one a question); a draw takes a case with all its pairs, so the
    # recomputation below draws case numbers and then lists every pair of each drawn case.
    cases = [
        [("outstanding", "outstanding"), ("inadequate", "inadequate"), ("good", "good")],
        [("outstanding", "inadequate"), ("inadequate", "outstanding")],
        [("good", "requires_improvement")],
        [("good", "good"), ("requires_improvement", "requires_improvement")],
    ]
    interval = bootstrap_alpha(cases, GRADES, resamples=300, seed=11)
    rng, values = random.Random(11), []
    for _ in range(300):
        drawn = [p for i in rng.choices(range(len(cases)), k=len(cases)) for p in cases[i]]
        data = np.array([[GRADES.index(a) for a, _ in drawn], [GRADES.index(b) for _, b in drawn]], dtype=float)
        if len(set(data.flatten())) > 1:
            values.append(krippendorff.alpha(data, level_of_measurement="ordinal", value_domain=[0, 1, 2, 3]))
    assert interval.low == pytest.approx(np.percentile(values, 2.5))
    assert interval.high == pytest.approx(np.percentile(values, 97.5))


@pytest.mark.parametrize(
    "value, words",
    [
        (None, "not measurable"),
        (0.8, "reliable"),
        (0.79951, "reliable"),
        (0.7994, "tentative"),
        (0.667, "tentative"),
        (0.6664, "not reliable"),
        (-0.2, "not reliable"),
    ],
)
def test_alpha_thresholds_in_words_as_shown_to_three_places(value, words):
    assert alpha_words(value) == words


grade = st.sampled_from(GRADES)
pairs_strategy = st.lists(st.tuples(grade, grade), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(pairs_strategy)
def test_ordinal_alpha_of_pairs_equals_the_general_alpha_and_the_krippendorff_package(pairs):
    ours = ordinal_alpha(pairs, GRADES)
    general = krippendorff_alpha([list(p) for p in pairs], "ordinal", order=GRADES)
    if general is None:
        assert ours is None
        return
    assert ours == pytest.approx(general)
    data = np.array([[GRADES.index(a) for a, _ in pairs], [GRADES.index(b) for _, b in pairs]], dtype=float)
    assert ours == pytest.approx(krippendorff.alpha(data, level_of_measurement="ordinal", value_domain=[0, 1, 2, 3]))


@settings(max_examples=60, deadline=None)
@given(pairs_strategy)
def test_every_figure_is_symmetric_in_the_two_raters_and_bounded(pairs):
    swapped = [(b, a) for a, b in pairs]
    one, other = reliability("q", pairs, GRADES, resamples=20), reliability("q", swapped, GRADES, resamples=20)
    for figure in ("exact", "within_one", "kappa_linear", "kappa_quadratic", "alpha", "ac1"):
        assert getattr(one, figure) == pytest.approx(getattr(other, figure))
    assert one.exact.count <= one.within_one.count <= one.pairs
    for value in (one.ac1, one.alpha, one.kappa_linear, one.kappa_quadratic):  # alpha and AC1 may fall below -1
        assert value is None or value <= 1.0 + 1e-9
    if one.interval:
        assert one.interval.low <= one.interval.high


@settings(max_examples=40, deadline=None)
@given(st.lists(grade, min_size=2, max_size=20))
def test_perfect_agreement_scores_one_wherever_measurable(grades):
    pairs = [(g, g) for g in grades]
    assert gwet_ac1(pairs, GRADES) == pytest.approx(1.0)
    if len(set(grades)) > 1:
        assert ordinal_alpha(pairs, GRADES) == pytest.approx(1.0)
        assert weighted_kappa(pairs, GRADES, "quadratic") == pytest.approx(1.0)
    else:
        assert ordinal_alpha(pairs, GRADES) is None


# ---------------------------------------------------------------- the report and the moderation sample

TOOL = ToolDefinition(
    slug="t",
    name="Test tool",
    description="",
    sections=(
        Section(
            "s",
            "Section",
            "",
            (
                Question("voice", "scale", "Was the child seen?", options=SCALE_OPTIONS),
                Question("note", "longtext", "Anything else?"),
                Question("overall", "grade", "Overall", options=GRADE_OPTIONS, overall=True),
            ),
        ),
    ),
)


def test_scales_of_graded_questions_run_best_first_and_leave_out_answers_without_a_score():
    assert scale_of(TOOL.question("voice")) == ("yes", "partly", "no")
    assert scale_of(TOOL.question("overall")) == GRADES
    assert [q.key for q in graded_questions(TOOL)] == ["voice", "overall"]
    assert comparison("good", "good", GRADES) == "same"
    assert comparison("good", "outstanding", GRADES) == "within one"
    assert comparison("good", "inadequate", GRADES) == "different"
    assert comparison("not_known", "yes", ("yes", "partly", "no")) == "no grade"


def test_report_counts_pairs_per_question_and_pools_them_overall():
    gradings = [
        ({"voice": "yes", "overall": "good"}, {"voice": "yes", "overall": "good"}),
        ({"voice": "no", "overall": "inadequate"}, {"voice": "yes", "overall": "requires_improvement"}),
        ({"voice": "not_known", "overall": "good"}, {"voice": "partly", "overall": "outstanding"}),
    ]
    report = reliability_report(TOOL, gradings, resamples=20)
    voice, overall = report.questions
    assert (voice.label, voice.pairs, str(voice.exact)) == ("1.1 Was the child seen?", 2, "1 of 2 (50%)")
    assert (overall.pairs, str(overall.exact), str(overall.within_one)) == (3, "1 of 3 (33%)", "3 of 3 (100%)")
    assert report.overall.pairs == 5 and report.overall.exact.count == 2
    assert report.needs_guidance == ()  # too few pairs to judge a question


def test_a_question_with_low_agreement_on_enough_pairs_needs_guidance():
    disagree = [({"voice": "yes"}, {"voice": "no"}), ({"voice": "no"}, {"voice": "yes"})] * 3
    report = reliability_report(TOOL, disagree, resamples=20)
    assert [r.label for r in report.needs_guidance] == ["1.1 Was the child seen?"]
    assert report.questions[0].verdict == "not reliable"


def test_moderation_sample_is_a_rate_rounded_up_with_a_minimum_and_the_same_for_the_same_seed():
    assert moderation_size(24, 10) == 3 and moderation_size(5, 10) == 2 and moderation_size(1, 10) == 1
    sample = draw_moderation_sample(range(100, 124), 10, seed=42)
    assert len(sample) == 3 and sample == tuple(sorted(sample))
    assert sample == draw_moderation_sample(reversed(range(100, 124)), 10, seed=42)
    assert len({draw_moderation_sample(range(100, 124), 10, seed=s) for s in range(10)}) > 1


@pytest.mark.parametrize("rate", [0, 101])
def test_moderation_rate_outside_one_to_a_hundred_is_refused(rate):
    with pytest.raises(ModerationError, match="from 1 to 100"):
        moderation_size(10, rate)
    with pytest.raises(ModerationError, match="nothing to moderate"):
        draw_moderation_sample([], 10, seed=1)


def test_calibration_counts_each_grade_and_agreeing_pairs_and_measures_alpha_across_questions():
    from audit_tools.reliability import calibration

    gradings = [
        {"voice": "yes", "overall": "good"},
        {"voice": "yes", "overall": "requires_improvement"},
        {"voice": "partly", "overall": "good"},
        {"voice": "not_known"},
    ]
    found = calibration(TOOL, gradings)
    voice, overall = found.questions
    assert dict(voice.counts) == {"Yes": 2, "Partly": 1, "No": 0, "Not applicable": 0, "Not known": 1}
    assert str(voice.same) == "1 of 6 (17%)"  # four answers, six pairs, one pair the same (yes, yes)
    assert (overall.graded, overall.spread, str(overall.same)) == (3, 2, "1 of 3 (33%)")
    assert found.raters == 4 and found.widest == (voice,)  # yes, partly and "not known": three answers
    # units (places on each scale): voice [0, 0, 1], overall [1, 2, 1] -> the general alpha of those
    assert found.alpha == pytest.approx(krippendorff_alpha([[0, 0, 1], [1, 2, 1]], "ordinal", order=[0, 1, 2, 3]))


# ---------------------------------------------------------------- coding reliability


def test_coding_agreement_counts_only_excerpts_either_coder_coded():
    from audit_tools.reliability import coding_agreement

    first = {"a": {"voice"}, "b": {"voice", "drift"}, "c": set(), "d": set(), "e": {"drift"}}
    second = {"a": {"voice"}, "b": {"drift"}, "c": {"voice"}, "d": set()}  # d: neither coded it; e: second left it
    themes, overall = coding_agreement(first, second, ["voice", "drift"])
    voice, drift = themes
    # units a, b, c, e (d set aside). voice: (yes,yes) (yes,no) (no,yes) (no,no) -> 2 of 4 agree
    assert (voice.units, str(voice.exact)) == (4, "2 of 4 (50%)")
    # kappa by hand: pa = 1/2; each coder "coded" 2 of 4, so pe = 1/2 -> 0
    assert voice.kappa == pytest.approx(0.0)
    # drift: (no,no) (yes,yes) (no,no) (yes,no) -> 3 of 4; pa = 3/4, coded 2/4 and 1/4 -> pe = 1/2*1/4 + 1/2*3/4 = 1/2
    assert str(drift.exact) == "3 of 4 (75%)" and drift.kappa == pytest.approx(0.5)
    # AC1 for drift: pi_coded = 3/8, pe = 2 * 3/8 * 5/8 = 15/32; (3/4 - 15/32) / (17/32) = 9/17
    assert drift.ac1 == pytest.approx(9 / 17)
    assert overall.exact.total == 8 and overall.exact.count == 5


def test_if_both_coders_leave_everything_uncoded_nothing_is_measured():
    from audit_tools.reliability import coding_agreement

    themes, overall = coding_agreement({"a": set()}, {"a": set()}, ["voice"])
    assert themes[0].units == 0 and overall.kappa is None and overall.alpha is None


def test_excerpt_sample_is_reproducible_and_independent_of_order():
    from audit_tools.reliability import draw_excerpt_sample

    keys = [f"answer:{n}:voice" for n in range(30)]
    sample = draw_excerpt_sample(keys, 20, seed=5)
    assert len(sample) == 6 and sample == draw_excerpt_sample(reversed(keys), 20, seed=5)
    assert draw_excerpt_sample([], 20, seed=5) == ()


def test_the_sentence_uses_the_overall_alpha_of_the_report_and_its_words():
    gradings = [
        ({"voice": "yes", "overall": "good"}, {"voice": "yes", "overall": "good"}),
        ({"voice": "no", "overall": "inadequate"}, {"voice": "no", "overall": "requires_improvement"}),
        ({"voice": "partly", "overall": "outstanding"}, {"voice": "partly", "overall": "outstanding"}),
        ({"voice": "not_known", "overall": "good"}, {"voice": "yes", "overall": "good"}),
    ]
    found = grades_reliability(TOOL, gradings)
    report = reliability_report(TOOL, gradings, resamples=20)
    assert (found.returns, found.pairs) == (4, report.overall.pairs) == (4, 7)
    assert found.alpha == pytest.approx(report.overall.alpha)
    sentence = reliability_sentence(found)
    assert sentence.startswith("A second auditor re-graded 4 returns without seeing the first grades; ")
    assert sentence.endswith(f"(alpha {found.alpha:.2f}, {alpha_words(found.alpha)}).")


@pytest.mark.parametrize(
    ("alpha", "words"),
    [
        (0.82, "their grades matched closely (alpha 0.82, reliable)"),
        (0.7, "conclusions drawn from the grades are tentative (alpha 0.70, tentative)"),
        (0.4, "read with caution (alpha 0.40, not reliable)"),
    ],
)
def test_the_sentence_words_each_threshold(alpha, words):
    from audit_tools.reliability import GradesReliability

    assert words in reliability_sentence(GradesReliability(6, 40, alpha))


@pytest.mark.parametrize(("returns", "pairs", "alpha"), [(1, 20, 0.9), (3, 4, 0.9), (3, 20, None)])
def test_the_sentence_is_left_out_with_too_few_returns_or_pairs(returns, pairs, alpha):
    from audit_tools.reliability import GradesReliability

    assert reliability_sentence(GradesReliability(returns, pairs, alpha)) == ""
