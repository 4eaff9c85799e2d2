"""JSON read from untrusted text with bounds, so hostile input gets a plain answer instead of exhausting a worker.

``json.loads`` recurses once per level of nesting (100,000 levels raise RecursionError) and turns
a 900,000-digit number into a ``ValueError`` about "integer string conversion". ``loads`` measures
the nesting first, refuses long numbers and ``NaN``/``Infinity``, and raises only ``JsonLimitError``
(a ``ValueError``) or ``json.JSONDecodeError``, each saying what is wrong in plain words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, NoReturn

MAX_DEPTH = 32
MAX_DIGITS = 20  # enough for any count or score; far below Python's 4,300-digit limit

# A whole string (possessive, so no backtracking) or one bracket; everything else is skipped.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


class JsonLimitError(ValueError):
    """The JSON is well formed, or might be, but larger or deeper than anything the service needs."""


def nesting_depth(text: str, stop_at: int) -> int:
    """How deeply brackets nest outside strings, counted without recursion; stops once past ``stop_at``."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    break
        elif token in "]}":
            depth -= 1
    return deepest


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_digits: int = MAX_DIGITS) -> Any:
    """Parse JSON text, refusing nesting deeper than ``max_depth`` and numbers longer than ``max_digits``."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8-sig")  # UnicodeDecodeError is a ValueError too
    if nesting_depth(text, max_depth) > max_depth:
        raise JsonLimitError(f"it is nested more than {max_depth} levels deep")

    def number(kind: Callable[[str], int | float]) -> Callable[[str], int | float]:
        def convert(literal: str) -> int | float:
            if sum(c.isdigit() for c in literal) > max_digits:
                raise JsonLimitError(f"it holds a number with more than {max_digits} digits")
            return kind(literal)

        return convert

    def constant(name: str) -> NoReturn:
        raise JsonLimitError(f"it holds {name}, which is not a number JSON allows")

    return json.loads(text, parse_int=number(int), parse_float=number(float), parse_constant=constant)
