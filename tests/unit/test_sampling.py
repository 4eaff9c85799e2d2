"""Sampling: reproducible random, stratified and manual samples, allocation, replacements, wording."""

import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tools.sampling import (
    FrameCase,
    Sample,
    SamplingError,
    SamplingPlan,
    StratumResult,
    allocate,
    draw_replacement,
    draw_sample,
    method_statement,
    stratum_of,
)

LOCALITIES = ("Northfield", "Eastgate", "Southmoor", "Westbrook")
AGE_BANDS = ("0-2", "3-5", "6-10", "11-15", "16-17")


def case(reference, **attributes):
    return FrameCase(reference, tuple(sorted(attributes.items())))


def make_frame(count, seed=0):
    rng = random.Random(seed)
    return [
        case(
            f"C-{i:05d}",
            locality=rng.choice(LOCALITIES),
            age_band=rng.choice(AGE_BANDS),
            plan_type=rng.choice(("neglect", "emotional")),
        )
        for i in range(count)
    ]


def refs(cases):
    return [c.reference for c in cases]


def k(*values):
    return tuple(values)


# --------------------------------------------------------------------------- cases and plans


def test_frame_case_attribute_lookup_and_missing_is_empty():
    c = case("A-1", locality="Northfield", age_band="0-2")
    assert c.attributes == (("age_band", "0-2"), ("locality", "Northfield"))
    assert c.attribute("locality") == "Northfield"
    assert c.attribute("plan_type") == ""
    assert stratum_of(c, ("locality", "age_band")) == ("Northfield", "0-2")
    assert stratum_of(c, ("plan_type",)) == ("",)


def test_frame_case_sorts_its_attributes_so_equal_cases_compare_equal():
    assert FrameCase("A", (("b", "2"), ("a", "1"))) == FrameCase("A", (("a", "1"), ("b", "2")))


def test_plan_turns_lists_into_tuples():
    plan = SamplingPlan("stratified", 4, ["locality"], manual_references=["A"])
    assert plan.strata == ("locality",) and plan.manual_references == ("A",)
    hash(plan)


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize(
    "plan",
    [
        SamplingPlan("random", 12),
        SamplingPlan("stratified", 12, ("locality", "age_band")),
        SamplingPlan("stratified", 12, ("locality",), allocation="equal", minimum_per_stratum=2),
    ],
)
def test_same_frame_and_seed_give_the_same_sample_whatever_the_row_order(plan):
    frame = make_frame(200)
    first = draw_sample(frame, plan, 4821)
    shuffled = list(frame)
    random.Random(99).shuffle(shuffled)
    assert shuffled != frame
    again = draw_sample(shuffled, plan, 4821)
    assert again == first
    assert refs(again.chosen) == refs(first.chosen)
    assert len(first.chosen) == 12 and first.seed == 4821 and first.frame_size == 200


@pytest.mark.parametrize(
    "plan",
    [
        SamplingPlan("random", 50),
        SamplingPlan("stratified", 50, ("locality", "age_band")),
    ],
)
def test_another_seed_gives_another_sample(plan):
    frame = make_frame(2000)
    # 50 of 2,000: the chance of the same set twice is about 1 in 10^100.
    assert set(refs(draw_sample(frame, plan, 1).chosen)) != set(refs(draw_sample(frame, plan, 2).chosen))


def test_the_global_random_state_is_neither_used_nor_changed():
    frame = make_frame(300)
    random.seed(1)
    first = draw_sample(frame, SamplingPlan("random", 10), 7)
    state = random.getstate()
    random.seed(2)
    assert draw_sample(frame, SamplingPlan("random", 10), 7) == first
    random.setstate(state)
    draw_sample(frame, SamplingPlan("stratified", 10, ("locality",)), 7)
    assert random.getstate() == state


# --------------------------------------------------------------------------- simple random


def test_random_sample_has_the_size_asked_for_without_repeats():
    frame = make_frame(143)
    sample = draw_sample(frame, SamplingPlan("random", 12), 4821)
    assert len(sample.chosen) == 12 and len(set(sample.chosen)) == 12
    assert set(sample.chosen) <= set(frame)
    assert sample.strata == ()


def test_random_sample_of_the_whole_frame_takes_every_case():
    frame = make_frame(9)
    assert set(draw_sample(frame, SamplingPlan("random", 9), 3).chosen) == set(frame)


@pytest.mark.parametrize(
    "size, message",
    [
        (0, "The sample size must be at least 1 case; it was 0."),
        (-3, "The sample size must be at least 1 case; it was -3."),
        (11, "The sample size (11) is larger than the sample frame (10 cases): at most 10 can be drawn."),
        (2.5, "The sample size must be a whole number of cases; it was 2.5."),
    ],
)
def test_random_size_out_of_range_is_refused_with_the_numbers(size, message):
    with pytest.raises(SamplingError) as error:
        draw_sample(make_frame(10), SamplingPlan("random", size), 1)
    assert str(error.value) == message


# --------------------------------------------------------------------------- allocation


def test_proportional_allocation_60_30_10_of_10_is_6_3_1():
    assert allocate({k("a"): 60, k("b"): 30, k("c"): 10}, 10, "proportional", 0) == {k("a"): 6, k("b"): 3, k("c"): 1}


def test_proportional_allocation_50_30_20_of_7_by_largest_remainder():
    # Quotas 7 × 50/100 = 3.5, 7 × 30/100 = 2.1, 7 × 20/100 = 1.4 → whole parts 3 + 2 + 1 = 6;
    # the one case left goes to the largest remainder (0.5, group a) → 4 / 2 / 1.
    assert allocate({k("a"): 50, k("b"): 30, k("c"): 20}, 7, "proportional", 0) == {k("a"): 4, k("b"): 2, k("c"): 1}


def test_proportional_allocation_45_35_20_of_6_by_largest_remainder():
    # Quotas 2.7, 2.1, 1.2 → 2 + 2 + 1 = 5; the sixth case goes to a (remainder 0.7) → 3 / 2 / 1.
    assert allocate({k("a"): 45, k("b"): 35, k("c"): 20}, 6, "proportional", 0) == {k("a"): 3, k("b"): 2, k("c"): 1}


def test_proportional_ties_go_to_the_larger_group_then_key_order():
    # Quotas 1.5 / 1.5 / 1.0 (populations 3, 3, 2 of 8, size 4): one case left, equal
    # remainders and populations, so the first key (a) gets it.
    assert allocate({k("b"): 3, k("a"): 3, k("c"): 2}, 4, "proportional", 0) == {k("a"): 2, k("b"): 1, k("c"): 1}


def test_proportional_equal_remainders_go_to_the_larger_population_first():
    # Populations 1 / 3 / 6 of 10, size 5: quotas 0.5, 1.5, 3.0 → 0 + 1 + 3 = 4; a and b tie on
    # remainder 0.5, and the larger group (b) gets the fifth case → 0 / 2 / 3.
    assert allocate({k("a"): 1, k("b"): 3, k("c"): 6}, 5, "proportional", 0) == {k("a"): 0, k("b"): 2, k("c"): 3}


def test_equal_allocation_gives_the_remainder_to_the_largest_groups():
    # 8 over 3 groups: 2 each, the 2 left go to the two largest groups (c = 30, b = 20).
    assert allocate({k("a"): 10, k("b"): 20, k("c"): 30}, 8, "equal", 0) == {k("a"): 2, k("b"): 3, k("c"): 3}


def test_equal_allocation_breaks_population_ties_by_key_order():
    assert allocate({k("c"): 10, k("b"): 10, k("a"): 10}, 5, "equal", 0) == {k("a"): 2, k("b"): 2, k("c"): 1}


def test_equal_allocation_never_gives_a_group_more_than_it_has():
    # An even share would be 4 each; c has only 2, so its other 2 are shared by a and b.
    assert allocate({k("a"): 10, k("b"): 5, k("c"): 2}, 12, "equal", 0) == {k("a"): 5, k("b"): 5, k("c"): 2}


def test_minimum_per_stratum_takes_from_the_group_with_the_most_to_spare():
    populations = {k("a"): 90, k("b"): 5, k("c"): 5}
    # Without a minimum: quotas 9, 0.5, 0.5 → 9 / 1 / 0 (the tie goes to b by key order).
    assert allocate(populations, 10, "proportional", 0) == {k("a"): 9, k("b"): 1, k("c"): 0}
    # At least 2 each: b and c need 3 more, all taken from a (7 above its minimum).
    assert allocate(populations, 10, "proportional", 2) == {k("a"): 6, k("b"): 2, k("c"): 2}


def test_minimum_spreads_the_taking_over_the_groups_furthest_above_it():
    # Proportional 6 / 6 / 0 / 0 of 12; minimum 3 needs 6 more, taken alternately from a and b.
    populations = {k("a"): 50, k("b"): 50, k("c"): 3, k("d"): 3}
    assert allocate(populations, 12, "proportional", 0) == {k("a"): 6, k("b"): 6, k("c"): 0, k("d"): 0}
    assert allocate(populations, 12, "proportional", 3) == {k("a"): 3, k("b"): 3, k("c"): 3, k("d"): 3}


def test_minimum_is_capped_at_a_small_groups_population():
    # b has only one case, so its minimum of 2 becomes 1; a gives it up: 5 → 4.
    assert allocate({k("a"): 20, k("b"): 1}, 5, "proportional", 2) == {k("a"): 4, k("b"): 1}


def test_the_whole_population_can_be_allocated():
    populations = {k("a"): 3, k("b"): 7, k("c"): 1}
    assert allocate(populations, 11, "proportional", 0) == populations
    assert allocate(populations, 11, "equal", 1) == populations


@pytest.mark.parametrize(
    "args, message",
    [
        (({k("a"): 5}, 3, "optimal", 0), "Unknown allocation 'optimal': choose proportional or equal."),
        (({}, 3, "equal", 0), "There are no groups to share the sample between."),
        (({k("a"): 5, k("b"): 2}, 0, "equal", 0), "The sample size must be at least 1 case; it was 0."),
        (
            ({k("a"): 5, k("b"): 2}, 8, "equal", 0),
            "The sample size (8) is larger than the groups together (7 cases): at most 7 can be drawn.",
        ),
        (({k("a"): 5}, 3, "equal", -1), "The minimum per group must be a whole number of 0 or more; it was -1."),
        (
            ({k("a"): 10, k("b"): 10, k("c"): 10}, 5, "proportional", 2),
            "At least 2 cases from each of the 3 groups needs 6 cases, but the sample size is 5. "
            "Lower the minimum per group or draw a larger sample.",
        ),
        (
            ({k("a"): 10, k("b"): 1, k("c"): 10}, 6, "equal", 3),
            "At least 3 cases from each of the 3 groups (or all the cases of a smaller group) needs 7 cases, "
            "but the sample size is 6. Lower the minimum per group or draw a larger sample.",
        ),
        (({k("Northfield"): -1}, 1, "equal", 0), "The group Northfield has an impossible number of cases (-1)."),
    ],
)
def test_impossible_allocations_are_explained(args, message):
    with pytest.raises(SamplingError) as error:
        allocate(*args)
    assert str(error.value) == message


# --------------------------------------------------------------------------- stratified draws


def test_stratified_sizes_match_allocate_exactly_and_sum_to_size():
    frame = make_frame(500)
    plan = SamplingPlan("stratified", 23, ("locality", "age_band"), minimum_per_stratum=1)
    sample = draw_sample(frame, plan, 11)
    populations = Counter(stratum_of(c, plan.strata) for c in frame)
    expected = allocate(dict(populations), 23, "proportional", 1)
    drawn = Counter(stratum_of(c, plan.strata) for c in sample.chosen)
    assert {key: drawn.get(key, 0) for key in expected} == expected
    assert sum(drawn.values()) == len(sample.chosen) == 23
    assert [r.key for r in sample.strata] == sorted(populations)
    assert {r.key: (r.population, r.drawn) for r in sample.strata} == {
        key: (populations[key], expected[key]) for key in populations
    }


def test_stratified_worked_example_on_a_frame():
    frame = (
        [case(f"N{i:02d}", locality="Northfield") for i in range(60)]
        + [case(f"E{i:02d}", locality="Eastgate") for i in range(30)]
        + [case(f"S{i:02d}", locality="Southmoor") for i in range(10)]
    )
    sample = draw_sample(frame, SamplingPlan("stratified", 10, ("locality",)), 5)
    assert sample.strata == (
        StratumResult(("Eastgate",), 30, 3),
        StratumResult(("Northfield",), 60, 6),
        StratumResult(("Southmoor",), 10, 1),
    )
    # Drawn stratum by stratum in key order.
    assert [c.attribute("locality") for c in sample.chosen] == ["Eastgate"] * 3 + ["Northfield"] * 6 + ["Southmoor"]


def test_equal_allocation_draw_with_a_minimum():
    frame = [case(f"N{i:02d}", locality="Northfield") for i in range(40)] + [
        case(f"E{i}", locality="Eastgate") for i in range(2)
    ]
    sample = draw_sample(frame, SamplingPlan("stratified", 8, ("locality",), "equal"), 5)
    assert {r.key: r.drawn for r in sample.strata} == {("Eastgate",): 2, ("Northfield",): 6}


def test_cases_without_the_attribute_form_their_own_group():
    frame = [case("A", locality="Northfield"), case("B", locality="Northfield"), case("C")]
    sample = draw_sample(frame, SamplingPlan("stratified", 2, ("locality",), "equal"), 1)
    assert {r.key: r.drawn for r in sample.strata} == {("",): 1, ("Northfield",): 1}


@pytest.mark.parametrize(
    "plan, message",
    [
        (
            SamplingPlan("stratified", 5),
            "A stratified sample needs at least one attribute to stratify by, such as locality or age band.",
        ),
        (
            SamplingPlan("stratified", 5, ("locality", "ward")),
            "No case in the sample frame has the attribute ward to stratify by. "
            "The frame's attributes are: age_band, locality, plan_type.",
        ),
        (
            SamplingPlan("stratified", 5, ("locality", "locality")),
            "The attribute locality is named more than once to stratify by.",
        ),
        (
            SamplingPlan("stratified", 41, ("locality",)),
            "The sample size (41) is larger than the sample frame (40 cases): at most 40 can be drawn.",
        ),
        (SamplingPlan("stratified", 0, ("locality",)), "The sample size must be at least 1 case; it was 0."),
        (
            SamplingPlan("stratified", 6, ("locality",), minimum_per_stratum=2),
            "At least 2 cases from each of the 4 groups needs 8 cases, but the sample size is 6. "
            "Lower the minimum per group or draw a larger sample.",
        ),
        (
            SamplingPlan("stratified", 6, ("locality",), allocation="neyman"),
            "Unknown allocation 'neyman': choose proportional or equal.",
        ),
        (SamplingPlan("systematic", 6), "Unknown sampling method 'systematic': choose random, stratified or manual."),
    ],
)
def test_impossible_stratified_plans_are_explained(plan, message):
    frame = [case(f"C{i:02d}", locality=LOCALITIES[i % 4], age_band="0-2", plan_type="neglect") for i in range(40)]
    with pytest.raises(SamplingError) as error:
        draw_sample(frame, plan, 1)
    assert str(error.value) == message


def test_bad_frames_and_seeds_are_refused():
    with pytest.raises(SamplingError, match="^The sample frame has no cases to draw from.$"):
        draw_sample([], SamplingPlan("random", 1), 1)
    with pytest.raises(SamplingError) as error:
        draw_sample([case("A"), case("B"), case("A"), case("B"), case("C")], SamplingPlan("random", 1), 1)
    assert str(error.value) == (
        "The sample frame has more than one case with the reference A, B; each case must appear once."
    )
    with pytest.raises(SamplingError, match="^The seed must be a whole number; it was '12'.$"):
        draw_sample(make_frame(5), SamplingPlan("random", 1), "12")


# --------------------------------------------------------------------------- manual pick


def test_manual_pick_keeps_the_order_given():
    frame = make_frame(40)
    sample = draw_sample(frame, SamplingPlan("manual", manual_references=("C-00030", "C-00002", "C-00017")), 0)
    assert refs(sample.chosen) == ["C-00030", "C-00002", "C-00017"]
    assert sample.frame_size == 40 and sample.strata == ()


@pytest.mark.parametrize(
    "references, message",
    [
        ((), "No references were given for a manual pick."),
        (("C-00001", "X-9", "C-00002", "Y-1"), "These references are not in the sample frame: X-9, Y-1."),
        (("C-00001", "C-00002", "C-00001"), "These references are named more than once: C-00001."),
    ],
)
def test_manual_pick_problems_are_listed(references, message):
    with pytest.raises(SamplingError) as error:
        draw_sample(make_frame(40), SamplingPlan("manual", manual_references=references), 0)
    assert str(error.value) == message


def test_a_long_list_of_missing_references_is_shortened():
    missing = tuple(f"X-{i:02d}" for i in range(25))
    with pytest.raises(SamplingError) as error:
        draw_sample(make_frame(5), SamplingPlan("manual", manual_references=missing), 0)
    assert str(error.value).endswith("X-18, X-19 and 5 more.")


# --------------------------------------------------------------------------- replacements


def two_locality_frame(northfield=10, eastgate=10):
    return [case(f"N{i:02d}", locality="Northfield") for i in range(northfield)] + [
        case(f"E{i:02d}", locality="Eastgate") for i in range(eastgate)
    ]


def test_replacement_comes_from_the_same_stratum_and_is_deterministic():
    frame = two_locality_frame()
    sample = draw_sample(frame, SamplingPlan("stratified", 4, ("locality",)), 3)
    for gone in sample.chosen:
        excluded = {gone.reference}
        replacement = draw_replacement(frame, sample, excluded, 3)
        assert replacement.attribute("locality") == gone.attribute("locality")
        assert replacement not in sample.chosen and replacement.reference not in excluded
        assert draw_replacement(list(reversed(frame)), sample, excluded, 3) == replacement


def test_replacement_depends_on_seed_and_exclusions_and_not_on_the_global_random():
    frame = [case(f"N{i:03d}", locality="Northfield") for i in range(500)] + [case("E1", locality="Eastgate")]
    sample = draw_sample(frame, SamplingPlan("stratified", 2, ("locality",), "equal"), 3)
    gone = next(c for c in sample.chosen if c.attribute("locality") == "Northfield")
    picks = {draw_replacement(frame, sample, {gone.reference}, seed).reference for seed in range(10)}
    assert len(picks) > 1
    random.seed(1)
    first = draw_replacement(frame, sample, {gone.reference}, 3)
    random.seed(2)
    assert draw_replacement(frame, sample, [gone.reference], 3) == first


def test_a_second_replacement_in_the_same_stratum_is_a_new_case():
    frame = two_locality_frame()
    sample = draw_sample(frame, SamplingPlan("stratified", 4, ("locality",)), 8)
    north = [c for c in sample.chosen if c.attribute("locality") == "Northfield"]
    first = draw_replacement(frame, sample, {north[0].reference}, 8)
    sample = replace(sample, chosen=sample.chosen + (first,))
    excluded = {north[0].reference, first.reference}
    second = draw_replacement(frame, sample, excluded, 8)
    assert second.attribute("locality") == "Northfield"
    assert second not in sample.chosen and second.reference not in excluded


def test_replacement_is_none_when_the_stratum_is_exhausted():
    frame = two_locality_frame(northfield=2, eastgate=20)
    sample = draw_sample(frame, SamplingPlan("stratified", 4, ("locality",), "equal"), 1)
    assert {r.key: r.drawn for r in sample.strata} == {("Eastgate",): 2, ("Northfield",): 2}
    assert draw_replacement(frame, sample, {"N00"}, 1) is None
    # The other group still has cases to give.
    gone = next(c for c in sample.chosen if c.attribute("locality") == "Eastgate")
    assert draw_replacement(frame, sample, {gone.reference, "N00"}, 1).attribute("locality") == "Eastgate"


def test_replacing_names_the_case_whose_stratum_is_used():
    frame = two_locality_frame()
    sample = draw_sample(frame, SamplingPlan("stratified", 4, ("locality",)), 2)
    gone = next(c for c in sample.chosen if c.attribute("locality") == "Eastgate")
    replacement = draw_replacement(frame, sample, (), 2, replacing=gone.reference)
    assert replacement.attribute("locality") == "Eastgate" and replacement not in sample.chosen
    assert replacement == draw_replacement(frame, sample, {gone.reference}, 2)
    with pytest.raises(SamplingError, match="^The case Z-1 is not in the sample frame.$"):
        draw_replacement(frame, sample, (), 2, replacing="Z-1")


def test_replacement_for_a_sample_rebuilt_without_its_strata():
    frame = two_locality_frame(northfield=3, eastgate=30)
    sample = draw_sample(frame, SamplingPlan("stratified", 6, ("locality",), "equal"), 4)
    gone = next(c for c in sample.chosen if c.attribute("locality") == "Northfield")
    rebuilt = replace(sample, strata=())
    assert draw_replacement(frame, rebuilt, {gone.reference}, 4) == draw_replacement(frame, sample, {gone.reference}, 4)


def test_nothing_to_replace_is_explained():
    frame = two_locality_frame()
    sample = draw_sample(frame, SamplingPlan("stratified", 4, ("locality",)), 2)
    with pytest.raises(SamplingError, match="nothing to replace"):
        draw_replacement(frame, sample, {"not-sampled"}, 2)


@pytest.mark.parametrize(
    "plan", [SamplingPlan("random", 3), SamplingPlan("manual", manual_references=("N00", "E05", "N09"))]
)
def test_random_and_manual_replacements_come_from_the_whole_frame(plan):
    frame = two_locality_frame(northfield=10, eastgate=6)
    sample = draw_sample(frame, plan, 6)
    gone = sample.chosen[0].reference
    replacement = draw_replacement(frame, sample, {gone}, 6)
    assert replacement in frame and replacement not in sample.chosen
    assert replacement == draw_replacement(frame, sample, {gone}, 6)
    # Exclude everything not chosen: nothing is left.
    rest = {c.reference for c in frame if c not in sample.chosen}
    assert draw_replacement(frame, sample, rest | {gone}, 6) is None


# --------------------------------------------------------------------------- method statement


def test_method_statement_for_a_random_sample():
    sample = Sample(SamplingPlan("random", 12), 4821, 143, tuple(case(f"C{i}") for i in range(12)))
    assert method_statement(sample) == "12 cases were drawn at random from 143 children (seed 4821)."
    one = replace(sample, chosen=sample.chosen[:1], frame_size=1500)
    assert method_statement(one, population="families") == (
        "1 case was drawn at random from 1,500 families (seed 4821)."
    )


def test_method_statement_for_a_stratified_sample_lists_the_groups():
    plan = SamplingPlan("stratified", 12, ("locality", "age_band"), minimum_per_stratum=2)
    strata = (
        StratumResult(("Eastgate", "0-2"), 50, 4),
        StratumResult(("Northfield", "0-2"), 60, 5),
        StratumResult(("Southmoor", ""), 33, 3),
    )
    sample = Sample(plan, 4821, 143, tuple(case(f"C{i}") for i in range(12)), strata)
    assert method_statement(sample) == (
        "12 cases were drawn at random from 143 children, stratified by locality and age band with "
        "proportional allocation (at least 2 per group) (seed 4821): Eastgate / 0-2 4 of 50, "
        "Northfield / 0-2 5 of 60, Southmoor / not recorded 3 of 33."
    )


def test_method_statement_uses_labels_and_equal_allocation():
    frame = two_locality_frame(northfield=30, eastgate=10)
    sample = draw_sample(frame, SamplingPlan("stratified", 6, ("locality",), "equal"), 9)
    assert method_statement(sample, strata_labels={"locality": "early help locality"}) == (
        "6 cases were drawn at random from 40 children, stratified by early help locality with equal "
        "allocation (seed 9): Eastgate 3 of 10, Northfield 3 of 30."
    )


def test_method_statement_does_not_list_more_than_eight_groups():
    frame = make_frame(400)
    sample = draw_sample(frame, SamplingPlan("stratified", 30, ("locality", "age_band", "plan_type")), 5)
    assert len(sample.strata) == 40
    assert method_statement(sample) == (
        "30 cases were drawn at random from 400 children, stratified by locality, age band and plan type "
        "with proportional allocation across 40 groups (seed 5)."
    )


def test_method_statement_for_a_manual_pick():
    frame = make_frame(40)
    sample = draw_sample(frame, SamplingPlan("manual", manual_references=tuple(refs(frame[:6]))), 0)
    assert method_statement(sample) == "6 cases were chosen by the PAQA sub-group from 40 children."


# --------------------------------------------------------------------------- properties

populations_strategy = st.dictionaries(
    st.tuples(st.sampled_from(LOCALITIES), st.sampled_from(AGE_BANDS)),
    st.integers(min_value=0, max_value=60),
    min_size=1,
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(
    populations=populations_strategy,
    size=st.integers(-2, 250),
    minimum=st.integers(0, 8),
    allocation=st.sampled_from(("proportional", "equal")),
)
def test_allocation_sums_to_size_respects_caps_and_minimums_or_is_refused(populations, size, minimum, allocation):
    total = sum(populations.values())
    floors = {key: min(minimum, population) for key, population in populations.items()}
    feasible = 1 <= size <= total and sum(floors.values()) <= size
    try:
        sizes = allocate(populations, size, allocation, minimum)
    except SamplingError:
        assert not feasible
        return
    assert feasible
    assert set(sizes) == set(populations)
    assert sum(sizes.values()) == size
    for key, n in sizes.items():
        assert floors[key] <= n <= populations[key]
    if minimum == 0 and allocation == "proportional":
        # Hamilton: every group gets its quota rounded down or up.
        for key, n in sizes.items():
            assert size * populations[key] // total <= n <= -(-size * populations[key] // total)
    if minimum == 0 and allocation == "equal":
        # As even as possible: a group more than one below another has given all its cases.
        smallest_uncapped = min((n for key, n in sizes.items() if n < populations[key]), default=None)
        if smallest_uncapped is not None:
            assert max(sizes.values()) <= smallest_uncapped + 1


frames_strategy = st.lists(
    st.tuples(st.sampled_from(LOCALITIES[:3]), st.sampled_from(AGE_BANDS[:3])), min_size=1, max_size=80
)


@settings(max_examples=200, deadline=None)
@given(rows=frames_strategy, data=st.data())
def test_draws_are_subsets_of_the_frame_without_duplicates(rows, data):
    frame = [case(f"R{i:03d}", locality=loc, age_band=band) for i, (loc, band) in enumerate(rows)]
    method = data.draw(st.sampled_from(("random", "stratified", "manual")))
    seed = data.draw(st.integers(0, 2**32))
    if method == "manual":
        picked = data.draw(st.lists(st.sampled_from(refs(frame)), min_size=1, unique=True))
        plan = SamplingPlan("manual", manual_references=tuple(picked))
    else:
        plan = SamplingPlan(
            method,
            data.draw(st.integers(1, len(frame))),
            data.draw(st.sampled_from((("locality",), ("age_band", "locality")))),
            data.draw(st.sampled_from(("proportional", "equal"))),
            data.draw(st.integers(0, 3)),
        )
    try:
        sample = draw_sample(frame, plan, seed)
    except SamplingError as error:
        assert method == "stratified" and "At least" in str(error)
        return
    assert len(set(refs(sample.chosen))) == len(sample.chosen)
    assert set(sample.chosen) <= set(frame)
    assert sample.frame_size == len(frame)
    if method == "manual":
        assert refs(sample.chosen) == list(plan.manual_references)
    else:
        assert len(sample.chosen) == plan.size
    if method == "stratified":
        drawn = Counter(stratum_of(c, plan.strata) for c in sample.chosen)
        assert all(drawn[r.key] == r.drawn <= r.population for r in sample.strata)
        replacement = draw_replacement(frame, sample, {sample.chosen[0].reference}, seed)
        if replacement is not None:
            assert replacement not in sample.chosen
            assert stratum_of(replacement, plan.strata) == stratum_of(sample.chosen[0], plan.strata)
    assert draw_sample(list(reversed(frame)), plan, seed) == sample
