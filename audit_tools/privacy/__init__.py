"""What could identify a child: the disclosure check on text, given-name detection, and keyed pseudonyms for case
references."""

from __future__ import annotations

from audit_tools.privacy.disclosure import (
    KIND_LABELS,
    NAME_STOP_WORDS,
    Hit,
    check_text,
    format_hit,
    nhs_number_is_valid,
)
from audit_tools.privacy.person_names import given_names, name_spans
from audit_tools.privacy.pseudonyms import (
    DISPLAY_ALPHABET,
    display_code,
    key_from_environment,
    normalise_case_number,
    pseudonymise,
)

__all__ = [
    "DISPLAY_ALPHABET",
    "Hit",
    "KIND_LABELS",
    "NAME_STOP_WORDS",
    "check_text",
    "display_code",
    "format_hit",
    "given_names",
    "key_from_environment",
    "name_spans",
    "nhs_number_is_valid",
    "normalise_case_number",
    "pseudonymise",
]
