"""The one scale on which a drafted briefing puts counts into words, tested at each of its boundaries."""

import pytest

from audit_tools.analysis import in_returns, quantity_words


@pytest.mark.parametrize(
    "count, total, words",
    [
        (22, 22, "all"),
        (1, 1, "all"),
        (9, 10, "almost all"),  # 90% is the lowest "almost all"
        (89, 100, "most"),
        (3, 4, "most"),  # 75% is the lowest "most"
        (74, 100, "more than half"),
        (61, 100, "more than half"),
        (3, 5, "about half"),  # 60% is still "about half"
        (1, 2, "about half"),
        (2, 5, "about half"),  # and so is 40%
        (39, 100, "some"),
        (1, 5, "some"),  # 20% is the lowest "some"
        (19, 100, "a few"),
        (1, 22, "a few"),
        (0, 22, "none"),
    ],
)
def test_each_boundary_of_the_scale(count, total, words):
    assert quantity_words(count, total) == words


@pytest.mark.parametrize(
    "count, total, words",
    [
        (6, 6, "all"),
        (5, 6, "most"),
        (4, 6, "most"),
        (3, 6, "about half"),
        (2, 6, "some"),
        (1, 6, "some"),
        (0, 6, "none"),
    ],
)
def test_counts_of_children_use_the_coarser_scale(count, total, words):
    assert quantity_words(count, total, children=True) == words


def test_every_count_of_a_total_gets_words_that_never_go_down_as_the_count_goes_up():
    order = ["none", "a few", "some", "about half", "more than half", "most", "almost all", "all"]
    for total in range(1, 60):
        ranks = [order.index(quantity_words(count, total)) for count in range(total + 1)]
        assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == len(order) - 1


@pytest.mark.parametrize("count, total", [(-1, 5), (6, 5), (0, 0), (True, 5)])
def test_impossible_counts_are_refused(count, total):
    with pytest.raises(ValueError):
        quantity_words(count, total)


def test_the_opening_of_a_finding():
    assert in_returns(22, 22) == "In every return"
    assert in_returns(0, 22) == "In none of the returns"
    assert in_returns(17, 22) == "In most returns"
    assert in_returns(11, 22) == "In about half of the returns"
