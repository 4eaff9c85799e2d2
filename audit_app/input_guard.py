"""One guard at the door for input the database cannot hold, so no view can forget it.

* Every ``<int:…>`` in a route is a database id: 1 to 2,147,483,647 (PostgreSQL's ``integer``).
  A larger or smaller number is "Page not found" before any view runs, instead of an
  out-of-range error (PostgreSQL) or an overflow (SQLite) and a 500.
* Every ``<name>`` path segment holding a control character is "Page not found" likewise.
* Every form field, query-string value, uploaded file's name and JSON string sent loses any NUL as the
  request is parsed: PostgreSQL refuses NUL in text and JSON, and nothing a person types holds
  one. Other control characters are kept: both databases store them, and what was typed is
  stored exactly (tests/app/test_hostile_text.py).
* A JSON body nested too deeply or holding a huge number is a 400, not a RecursionError.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError

from audit_tools.files import bounded_json
from audit_tools.text import has_control_characters

LARGEST_ID = 2**31 - 1  # PostgreSQL integer; SQLite's is larger, so this bound suits both
MAX_PAGE = 1_000_000  # far beyond any list the service shows, small enough for any OFFSET


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` bounded to the ids the database can hold; any other number does not match the route."""

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = LARGEST_ID, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class PlainTextConverter(UnicodeConverter):
    """``<name>`` that never matches a path segment holding a control character (NUL above all)."""

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


def clean(value: Any) -> Any:
    """Strings without NUL, in a value from a form or from JSON (lists and objects too)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, FileStorage) and value.filename:
        value.filename = clean(value.filename)  # a sample frame's file name is stored with it
    return value


class CleanMultiDict(ImmutableMultiDict):
    """The form and query-string store: every key and text value loses its NULs as it is stored."""

    def __init__(self, mapping: _Pairs | None = None) -> None:
        super().__init__([(clean(key), clean(value)) for key, value in _pairs(mapping)])


_Pairs = MultiDict[str, Any] | Mapping[str, Any] | Iterable[tuple[str, Any]]


def _pairs(mapping: _Pairs | None) -> Iterable[tuple[str, Any]]:
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return mapping.items(multi=True)
    if isinstance(mapping, Mapping):
        return [
            (key, item)
            for key, value in mapping.items()
            for item in (value if isinstance(value, (list, tuple)) else [value])
        ]
    return mapping


def _loads(data: str | bytes, **_kwargs: Any) -> Any:
    """JSON bodies: bounded (deep nesting or huge numbers are a ValueError, so Flask answers 400), cleaned."""
    return clean(bounded_json.loads(data, max_depth=64))


_GUARDED_JSON = SimpleNamespace(loads=_loads, dumps=json.dumps)


class GuardedRequest(Request):
    """Flask's request with form, query-string and JSON values cleaned of NUL."""

    parameter_storage_class = CleanMultiDict

    @property
    def json_module(self) -> Any:  # stands in for the json module: loads and dumps
        return _GUARDED_JSON

    @json_module.setter
    def json_module(self, _value: object) -> None:
        """Flask sets its JSON provider on each request; request bodies keep the bounded reader."""


def page_number(text: str | None) -> int:
    """A ``?page=`` value as a page number from 1 to MAX_PAGE; anything else (words, 0, -5, 10**30) is 1 or the most."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, min(int(text[:12]), MAX_PAGE))


def database_id(text: str | None) -> int | None:
    """A query-string id, or None when it is not a whole number the database could hold."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= LARGEST_ID else None


def init_app(app: Flask) -> None:
    """Install the guard; must run before any blueprint adds its routes (converters are looked up then)."""
    app.request_class = GuardedRequest
    app.url_map.converters.update(int=DatabaseIdConverter, default=PlainTextConverter, string=PlainTextConverter)
