"""Small-number suppression: what a briefing may show, and proof that hidden counts cannot be worked out."""

import itertools

import pytest

from audit_tools.analysis import (
    DEFAULT_THRESHOLD,
    NOT_APPLICABLE,
    NOT_SHOWN,
    SECONDARY,
    SMALL_NUMBER,
    SuppressedValue,
    chart_safe,
    is_suppressed,
    show_count,
    show_share,
    show_total,
    suppress_distribution,
    threshold_words,
)


def texts(counts, threshold=DEFAULT_THRESHOLD) -> dict[str, str]:
    return {name: value.text for name, value in suppress_distribution(counts, threshold).items()}


def test_default_threshold_and_its_words():
    assert DEFAULT_THRESHOLD == 5
    assert threshold_words() == "fewer than 6"
    assert threshold_words(3) == "fewer than 4"
    assert threshold_words(1) == "fewer than 2"


@pytest.mark.parametrize("count, hidden", [(0, False), (1, True), (4, True), (5, True), (6, False), (250, False)])
def test_is_suppressed_at_the_default_threshold(count, hidden):
    assert is_suppressed(count) is hidden


@pytest.mark.parametrize(
    "count, shown",
    [
        (0, "0"),
        (1, "fewer than 6"),
        (5, "fewer than 6"),
        (6, "6"),
        (12, "12"),
        (1234, "1,234"),
    ],
)
def test_show_count(count, shown):
    assert show_count(count) == shown


def test_show_count_follows_the_threshold():
    assert show_count(3, threshold=3) == "fewer than 4"
    assert show_count(4, threshold=3) == "4"
    assert show_count(5, threshold=10) == "fewer than 11"
    assert show_count(1, threshold=1) == "fewer than 2" and show_count(2, threshold=1) == "2"


@pytest.mark.parametrize(
    "count, total, shown",
    [
        (14, 21, "67%"),
        (6, 12, "50%"),
        (12, 12, "100%"),
        (0, 12, "0%"),
        (10, 400, "3%"),  # 2.5% rounds up
        (6, 2000, "less than 1%"),
        (1994, 2000, "more than 99%"),
        (3, 12, NOT_SHOWN),  # the count is small
        (0, 4, NOT_SHOWN),  # the total is small
        (7, 9, NOT_SHOWN),  # the other 2 could be worked out from the total
        (0, 0, NOT_APPLICABLE),
    ],
)
def test_show_share(count, total, shown):
    assert show_share(count, total) == shown


def test_show_share_follows_the_threshold():
    assert show_share(4, 10, threshold=3) == "40%"
    assert show_share(3, 10, threshold=3) == NOT_SHOWN


def test_distribution_without_small_counts_is_shown_whole():
    result = suppress_distribution({"Yes": 20, "No": 10, "Not known": 0})
    assert result == {
        "Yes": SuppressedValue(20, "20", "67%"),
        "No": SuppressedValue(10, "10", "33%"),
        "Not known": SuppressedValue(0, "0", "0%"),
    }
    assert all(value.shown for value in result.values())


def test_one_small_count_hides_the_next_smallest_too():
    result = suppress_distribution({"Good": 20, "Requires improvement": 3, "Inadequate": 8, "Not known": 0})
    assert result == {
        "Good": SuppressedValue(20, "20", "65%"),
        "Requires improvement": SuppressedValue(3, "fewer than 6", NOT_SHOWN, SMALL_NUMBER),
        "Inadequate": SuppressedValue(8, NOT_SHOWN, NOT_SHOWN, SECONDARY),
        "Not known": SuppressedValue(0, "0", "0%"),
    }


def test_zero_is_never_chosen_for_secondary_suppression():
    # Hiding the 0 would still let the reader subtract: 31 - 20 - 0 = the small count.
    assert texts({"Yes": 20, "No": 3, "Not known": 0, "N/A": 8})["Not known"] == "0"


def test_a_yes_no_question_with_a_small_answer_hides_both():
    assert texts({"Yes": 14, "No": 2}) == {"Yes": NOT_SHOWN, "No": "fewer than 6"}


def test_secondary_suppression_goes_on_while_a_count_can_be_worked_out():
    # Total 57 - 50 shown = 7 hidden; "fewer than 6" + "not shown" (so at least 6) can only be 1 + 6.
    assert texts({"a": 1, "b": 6, "c": 50}) == {"a": "fewer than 6", "b": NOT_SHOWN, "c": NOT_SHOWN}
    # Two hidden counts adding to 2 must both be 1, so a third is hidden.
    assert texts({"a": 1, "b": 1, "c": 50, "d": 60}) == {
        "a": "fewer than 6",
        "b": "fewer than 6",
        "c": NOT_SHOWN,
        "d": "60",
    }


def test_two_small_counts_that_cannot_be_told_apart_need_no_secondary():
    # 2 + 3 = 5 hidden: could be 1 + 4, 2 + 3, 3 + 2 or 4 + 1.
    assert texts({"a": 2, "b": 3, "c": 50}) == {"a": "fewer than 6", "b": "fewer than 6", "c": "50"}


def test_secondary_ties_are_broken_by_name():
    assert texts({"b": 7, "a": 7, "c": 2}) == {"b": "7", "a": NOT_SHOWN, "c": "fewer than 6"}


def test_small_total_hides_every_non_zero_count_and_every_share():
    result = suppress_distribution({"a": 2, "b": 1, "c": 0})
    assert [v.text for v in result.values()] == ["fewer than 6", "fewer than 6", "0"]
    assert all(v.share == NOT_SHOWN for v in result.values())


def test_empty_and_all_zero_distributions():
    assert suppress_distribution({}) == {}
    assert suppress_distribution({"a": 0, "b": 0}) == {
        "a": SuppressedValue(0, "0", NOT_APPLICABLE),
        "b": SuppressedValue(0, "0", NOT_APPLICABLE),
    }


def test_distribution_follows_the_threshold():
    assert texts({"a": 3, "b": 4, "c": 9}, threshold=3) == {"a": "fewer than 4", "b": NOT_SHOWN, "c": "9"}
    assert texts({"a": 4, "b": 5, "c": 9}, threshold=3) == {"a": "4", "b": "5", "c": "9"}


def _reader_can_work_out_a_hidden_count(counts: dict[str, int], threshold: int) -> bool:
    """Brute force: list every table consistent with what is printed; is some hidden cell always the same?"""
    result, total_text = suppress_distribution(counts, threshold), show_total(counts, threshold)
    total = sum(counts.values())
    shown_sum = sum(value.count for value in result.values() if value.shown)
    hidden = [name for name, value in result.items() if not value.shown]
    ceiling = total + 5  # "not shown" has no upper bound the reader knows of, except the total
    options = [
        range(1, threshold + 1) if result[name].reason == SMALL_NUMBER else range(threshold + 1, ceiling)
        for name in hidden
    ]
    if total_text == f"{total:,}":
        least, most = total, total
    elif total_text == threshold_words(threshold):
        least, most = 1, threshold
    else:
        assert total_text == NOT_SHOWN and all(value.share in (NOT_SHOWN, NOT_APPLICABLE) for value in result.values())
        least, most = 0, float("inf")
    possible = [combo for combo in itertools.product(*options) if least <= shown_sum + sum(combo) <= most]
    assert tuple(counts[name] for name in hidden) in possible
    return any(len({combo[i] for combo in possible}) == 1 for i in range(len(hidden)))


@pytest.mark.parametrize("threshold", [2, 3, 5])
def test_no_hidden_count_can_be_worked_out(threshold):
    for values in itertools.product(range(0, 10), repeat=3):
        counts = dict(zip("abc", values, strict=False))
        assert not _reader_can_work_out_a_hidden_count(counts, threshold), counts


def test_no_hidden_count_can_be_worked_out_among_many_small_categories():
    for values in itertools.product(range(0, 4), repeat=5):
        counts = dict(zip("abcde", values, strict=False))
        assert not _reader_can_work_out_a_hidden_count(counts, 3), counts


def test_threshold_one_is_allowed_but_its_words_can_only_mean_one():
    # With zeros shown, "fewer than 2" is 1; hiding other cells or the total could not change that.
    assert texts({"a": 1, "b": 9}, threshold=1) == {"a": "fewer than 2", "b": "9"}
    assert show_total({"a": 1, "b": 9}, threshold=1) == "10"


def test_total_is_hidden_when_secondary_suppression_cannot_protect():
    # 0, 1 and 6 under a total of 7: hiding the 1 and the 6 leaves only 1 + 6, so the total goes instead.
    counts = {"a": 0, "b": 1, "c": 6}
    assert show_total(counts) == NOT_SHOWN
    assert suppress_distribution(counts) == {
        "a": SuppressedValue(0, "0", NOT_SHOWN),
        "b": SuppressedValue(1, "fewer than 6", NOT_SHOWN, SMALL_NUMBER),
        "c": SuppressedValue(6, "6", NOT_SHOWN),
    }


def test_show_total():
    assert show_total({"a": 20, "b": 3, "c": 8}) == "31"
    assert show_total({"a": 2000, "b": 3, "c": 8}) == "2,011"
    assert show_total({"a": 2, "b": 1}) == "fewer than 6"
    assert show_total({"a": 0}) == "0" and show_total({}) == "0"
    # Five categories of 1 under "fewer than 6" could only be 1 each.
    assert show_total({name: 1 for name in "abcde"}) == NOT_SHOWN
    assert show_total({name: 1 for name in "abcd"}) == "fewer than 6"


def test_chart_is_safe_only_without_small_counts():
    assert chart_safe({"Yes": 12, "No": 6, "Not known": 0}) is True
    assert chart_safe({"Yes": 12, "No": 5}) is False
    assert chart_safe({"Yes": 12, "No": 1}, threshold=1) is False
    assert chart_safe({"Yes": 12, "No": 4}, threshold=3) is True
    assert chart_safe({}) is True


@pytest.mark.parametrize("threshold", [0, -1, 2.5, True, "5", None])
def test_invalid_threshold_is_refused_everywhere(threshold):
    for call in (
        lambda: threshold_words(threshold),
        lambda: is_suppressed(3, threshold),
        lambda: show_count(3, threshold),
        lambda: show_share(3, 10, threshold),
        lambda: suppress_distribution({"a": 3}, threshold),
        lambda: chart_safe({"a": 3}, threshold),
    ):
        with pytest.raises(ValueError, match="threshold"):
            call()


@pytest.mark.parametrize("count", [-1, 1.5, True, "3", None])
def test_invalid_count_is_refused(count):
    with pytest.raises(ValueError, match="count"):
        show_count(count)
    with pytest.raises(ValueError, match="count"):
        suppress_distribution({"a": 10, "b": count})


def test_count_above_its_total_is_refused():
    with pytest.raises(ValueError, match="more than its total"):
        show_share(11, 10)
