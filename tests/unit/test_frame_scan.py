"""Personal details in the cells of a frame, by line and column, never repeating the details themselves."""

import gc

from audit_tools.files.collector import collector_paused
from audit_tools.sampling import CLOSING, MAX_SHOWN, personal_details
from audit_tools.sampling.frame_scan import personal_detail_cells


def test_each_kind_of_detail_is_named_with_its_line_and_column():
    rows = [
        (2, {"reference": "NA-1", "notes": "Jayden Smith, born 12/03/2019, SW1A 1AA"}),
        (3, {"reference": "NA-2", "notes": "ring 07700 900123 or mum@example.net"}),
        (4, {"reference": "9434765919", "notes": ""}),
    ]
    assert personal_details(rows) == [
        "Line 2, column 'notes': looks like a person's name, a full date (it could be a date of birth) and a UK "
        "postcode.",
        "Line 3, column 'notes': looks like a UK phone number and an e-mail address.",
        "Line 4, column 'reference': looks like an NHS number.",
        CLOSING,
    ]


def test_nothing_found_is_an_empty_list():
    rows = [
        (
            n,
            {
                "reference": f"NA-{n}",
                "locality": place,
                "plan_type": "CP plan - neglect",
                "age_band": "0-2",
                "agencies": "CSC;EH",
            },
        )
        for n, place in enumerate(["Victoria", "Beverley", "Northfield"], start=2)
    ]
    assert personal_details(rows) == []


def test_a_given_name_alone_is_a_place_in_a_cell_but_a_name_with_a_family_word_is_not():
    assert personal_details([(2, {"locality": "Shirley"})]) == []
    assert (
        personal_details([(2, {"notes": "Shirley's mum"})])[0] == "Line 2, column 'notes': looks like a person's name."
    )


def test_the_list_stops_after_twenty_cells_and_counts_the_rest():
    rows = [(n, {"notes": f"12/03/20{n % 20:02d}"}) for n in range(2, 102)]
    found = personal_details(rows, row_word="Row")
    assert len(found) == MAX_SHOWN + 2
    assert found[0] == "Row 2, column 'notes': looks like a full date (it could be a date of birth)."
    assert found[-2] == "… and 80 more cells like these."


def test_values_are_checked_apart_so_nothing_joins_two_cells():
    assert personal_details([(2, {"a": "12", "b": "March 2019"}), (3, {"a": "Jayden", "b": "Smith"})]) == []
    assert personal_details([(2, {"a": "SW1A", "b": "1AA"}), (3, {"a": "NUL\x00inside"})]) == []


def test_a_hundred_thousand_clean_rows_raise_nothing():
    """(How long the scan takes is measured by tests/perf/bench_sampling.py, not asserted here.)"""
    rows = [
        (
            n,
            {
                "reference": f"NA-{n:06d}",
                "locality": ("Northfield", "Eastgate")[n % 2],
                "plan_type": "CP plan",
                "age_years": "1.5",
                "age_band": "0-2",
                "agencies": "CSC;EH",
            },
        )
        for n in range(100_000)
    ]
    assert personal_details(rows) == []


def test_hostile_strings_in_cells_give_messages_not_errors():
    import json
    from pathlib import Path

    strings = json.loads((Path(__file__).parent.parent / "data" / "blns.json").read_text(encoding="utf-8"))
    found = personal_details([(n, {"notes": text}) for n, text in enumerate(strings, start=2)], shown=1000)
    assert all(message.startswith("Line ") or message == CLOSING for message in found)
    assert all(text not in message for text in strings if len(text) > 3 for message in found[:-1])


def test_a_memo_carries_what_each_value_held_to_the_next_look_at_the_same_upload():
    memo: dict[str, tuple[str, ...]] = {}
    first = personal_detail_cells([(2, {"notes": "SW1A 1AA", "locality": "Northfield"})], memo)
    assert first == [(2, "notes", ("postcode",))]
    assert memo == {"SW1A 1AA": ("postcode",), "Northfield": ()}
    # the second look trusts the memo: a value it has seen is not scanned again, a new one is
    memo["Riverside"] = ("name",)
    again = personal_detail_cells([(5, {"a": "Riverside", "b": "SW1A 1AA", "c": "NG7 2AB"})], memo)
    assert again == [(5, "a", ("name",)), (5, "b", ("postcode",)), (5, "c", ("postcode",))]


def test_the_collector_is_paused_inside_and_switched_back_on_by_the_last_one_out():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("refused")
    except ValueError:
        pass
    assert gc.isenabled()
