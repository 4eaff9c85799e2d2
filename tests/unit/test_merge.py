"""Three-way merge of a form two people saved at once: nobody's save is lost without being asked."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_tools.merge import COMBINE, KEEP_MINE, KEEP_SAVED, fingerprint, fingerprints, same, settle
from audit_tools.merge import three_way as merge_with_base
from audit_tools.returns import answer_problems, merge_answers, resolve
from audit_tools.tools import load_builtin


def three_way(keys, base, theirs, mine):
    """The merge with ``base`` given as plain values (forms carry only their fingerprints)."""
    return merge_with_base(keys, None if base is None else fingerprints(base), theirs, mine)


_, TOOL = load_builtin()
KEYS = ["a", "b", "c", "d"]

values = st.one_of(
    st.none(), st.sampled_from(["", "x", "y", "z"]), st.lists(st.sampled_from(["p", "q", "r"]), max_size=3, unique=True)
)
forms = st.fixed_dictionaries({k: values for k in KEYS})


def test_a_field_only_the_other_side_changed_takes_their_value_without_asking():
    merge = three_way(KEYS, base={"a": "1", "b": "1"}, theirs={"a": "2", "b": "1"}, mine={"a": "1", "b": "3"})
    assert merge.agreed == {"a": "2", "b": "3"} and merge.clashes == ()
    assert merge.kept_theirs == ("a",) and merge.kept_mine == ("b",)


def test_a_field_both_changed_differently_is_a_clash_and_both_changing_it_alike_is_not():
    merge = three_way(KEYS, base={"a": "1", "b": "1"}, theirs={"a": "2", "b": "5"}, mine={"a": "3", "b": "5"})
    assert merge.clashes == ("a",) and merge.agreed == {"b": "5"}


def test_clearing_a_field_is_a_change_like_any_other():
    merge = three_way(KEYS, base={"a": "1", "b": "1"}, theirs={"b": "1"}, mine={"a": "1"})
    assert merge.agreed == {} and merge.kept_theirs == ("a",) and merge.kept_mine == ("b",)


def test_without_a_base_every_difference_is_asked_about_and_nothing_is_taken_from_mine():
    merge = three_way(KEYS, base=None, theirs={"a": "2", "b": "same"}, mine={"a": "1", "b": "same", "c": "new"})
    assert merge.clashes == ("a", "c") and merge.agreed == {"b": "same"}


def test_a_multiple_choice_in_another_order_is_no_change():
    assert same(["p", "q"], ["q", "p"]) and same(None, "") and same([], None) and not same("p", ["p"])
    merge = three_way(["m"], base={"m": ["p", "q"]}, theirs={"m": ["q", "p"]}, mine={"m": ["p", "q", "r"]})
    assert merge.agreed == {"m": ["p", "q", "r"]}


def test_a_fingerprint_tells_answers_apart_as_same_does():
    assert fingerprint(None) == fingerprint("") == fingerprint([])
    assert fingerprint(["p", "q"]) == fingerprint(["q", "p"]) and fingerprint("p") != fingerprint(["p"])
    assert fingerprints({"a": "x", "b": "", "c": None}).keys() == {"a"}
    assert "secret text" not in str(fingerprints({"a": "secret text"}))


@given(values, values)
def test_fingerprints_agree_with_same(a, b):
    assert (fingerprint(a) == fingerprint(b)) == same(a, b)


def test_a_clash_needs_an_explicit_choice_and_combining_only_where_allowed():
    merge = three_way(
        ["a", "b", "c"], base={}, theirs={"a": "T", "b": "T", "c": "T"}, mine={"a": "M", "b": "M", "c": "M"}
    )
    result, unsettled = settle(
        merge,
        {"a": "T", "b": "T", "c": "T"},
        {"a": "M", "b": "M", "c": "M"},
        {"a": KEEP_SAVED, "b": COMBINE, "c": COMBINE},
        {"b": "T+M", "c": "T+M"},
        combinable=["b"],
    )
    assert result == {"a": "T", "b": "T+M"} and unsettled == ["c"]  # c may not be combined
    assert settle(merge, {}, {}, {}, {})[1] == ["a", "b", "c"]  # no choice is no default
    assert settle(merge, {}, {}, {"a": "whatever"}, {})[1] == ["a", "b", "c"]


@given(forms, forms, forms)
def test_the_merge_never_loses_a_change_without_asking(base, theirs, mine):
    merge = three_way(KEYS, base, theirs, mine)
    for key in KEYS:
        if key in merge.clashes:
            assert not same(theirs[key], mine[key])
            assert not same(theirs[key], base[key]) and not same(mine[key], base[key])
            continue
        got = merge.agreed.get(key)
        if not same(theirs[key], base[key]):  # they changed it: kept unless I made the same change
            assert same(got, theirs[key])
        if not same(mine[key], base[key]):  # I changed it: kept unless they made the same change
            assert same(got, mine[key])
        if same(theirs[key], base[key]) and same(mine[key], base[key]):
            assert same(got, base[key])


@given(forms, forms)
def test_with_no_base_the_result_keeps_the_saved_value_until_someone_chooses(theirs, mine):
    merge = three_way(KEYS, None, theirs, mine)
    result, unsettled = settle(merge, theirs, mine, {}, {})
    assert unsettled == list(merge.clashes)
    for key in KEYS:
        assert key in merge.clashes or same(result.get(key), theirs[key])


@given(forms, forms, forms, st.sampled_from([KEEP_MINE, KEEP_SAVED]))
def test_settling_every_clash_the_same_way_gives_that_side_where_they_clashed(base, theirs, mine, choice):
    merge = three_way(KEYS, base, theirs, mine)
    result, unsettled = settle(merge, theirs, mine, {k: choice for k in KEYS}, {})
    assert unsettled == []
    for key in merge.clashes:
        assert same(result.get(key), (mine if choice == KEEP_MINE else theirs)[key])


def test_a_return_merge_covers_answers_and_notes_and_combines_only_free_text():
    base = {"overall_judgement": "good", "overall_rationale": "Old."}
    saved = {"overall_judgement": "inadequate", "overall_rationale": "Theirs.", "agency_role": "lead_professional"}
    mine = {"overall_judgement": "outstanding", "overall_rationale": "Mine.", "overall_judgement:note": "Records"}
    merge = merge_answers(TOOL, fingerprints(base), saved, mine)
    assert set(merge.clashes) == {"overall_judgement", "overall_rationale"}
    assert merge.agreed == {"agency_role": "lead_professional", "overall_judgement:note": "Records"}
    result, unsettled = resolve(
        TOOL,
        merge,
        saved,
        mine,
        {"overall_judgement": "merged", "overall_rationale": "merged"},
        {"overall_judgement": "superb", "overall_rationale": "Theirs.\r\nMine."},
    )
    assert unsettled == ["overall_judgement"]  # a judgement is chosen, never typed
    assert result["overall_rationale"] == "Theirs.\nMine."


@pytest.mark.parametrize(
    "value, message",
    [
        ("-5000", "Enter a number from 0 to 100,000."),
        ("100001", "Enter a number from 0 to 100,000."),
        ("nan", "Enter a number, like 3 or 2.5."),
        ("inf", "Enter a number, like 3 or 2.5."),
        ("9" * 400, "Enter a number, like 3 or 2.5."),
    ],
)
def test_a_number_answer_is_a_count_from_0_to_a_bound(value, message):
    number = next(q for q in TOOL.questions if q.type == "number")
    assert answer_problems(TOOL, {number.key: value}) == {number.key: message}
    assert answer_problems(TOOL, {number.key: "2.5"}) == {} and answer_problems(TOOL, {number.key: "0"}) == {}
