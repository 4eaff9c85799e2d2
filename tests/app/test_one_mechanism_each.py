"""Each shared mechanism of audit_app lives in one module, so a new feature reuses it instead of copying it.

- "change, then commit, or roll back and tell the person": ``audit_app/transactions.py``;
- the optimistic lock's round trip (posted version, signed base, the conflict page's choices):
  ``audit_app/concurrency.py``;
- answers ↔ return form fields: ``audit_app/form_builder.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

APP = Path(__file__).parents[2] / "audit_app"


def _sources() -> dict[str, str]:
    return {path.relative_to(APP.parent).as_posix(): path.read_text("utf-8") for path in sorted(APP.rglob("*.py"))}


def _holding(pattern: str) -> set[str]:
    return {name for name, text in _sources().items() if re.search(pattern, text)}


def test_the_sources_are_read():
    assert "audit_app/transactions.py" in _sources() and len(_sources()) > 50


def test_only_the_transaction_helper_rolls_back():
    assert _holding(r"\.rollback\(") == {"audit_app/transactions.py"}


@pytest.mark.parametrize(
    "pattern",
    [
        r"def version_of\(",  # reading the posted version
        r"(?<!def )\bread_base\(",  # the signed base the form started from (saved_base.py signs and reads it)
        r"(?<!def )\bsign_base\(",
        r"[\"']resolve_conflict[\"']\)",  # the conflict page's post, read from the request
        r"request\.form\.items\(\)",  # the conflict page's choices, read by hand
        r"\bexpire_all\(",  # reading what is saved now for the conflict page
    ],
)
def test_the_lock_round_trip_is_written_once(pattern):
    assert _holding(pattern) == {"audit_app/concurrency.py"}, pattern


def test_no_view_reads_a_posted_version_of_its_own():
    assert _holding(r"def _?posted_(version|base)\b") == {"audit_app/concurrency.py"}
    assert _holding(r"int\(\s*(str\()?(form|self)\.(lock_)?version") == set()


def test_answers_become_form_fields_in_the_form_builder_only():
    assert _holding(r"def (form_data|hidden_pairs|filled_return_form)\b") == {"audit_app/form_builder.py"}
    assert _holding(r"\bform_data\(") == {"audit_app/form_builder.py"}  # others fill a form through it
