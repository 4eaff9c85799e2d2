"""Links that leave the workbench (in e-mails, printed invitations, a briefing's PDF) name the configured address.

A request's ``Host`` header is written by whoever sends the request: a link built from it
(``url_for(..., _external=True)``) can point an invitation or a reminder at someone else's
site. Every such link is built here from ``APP_BASE_URL`` instead, which production requires
(``ProductionConfig.check``). Development and tests may leave it unset: then, and only then,
the link names the host of the request being answered (or the local development server
outside a request), so ``flask run`` works without configuration.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def configured_base_url() -> str | None:
    """APP_BASE_URL without its trailing slash, or None when it is not set."""
    value = (current_app.config.get("APP_BASE_URL") or "").strip()
    return value.rstrip("/") or None


def external_url(endpoint: str, **values: Any) -> str:
    """The full address of ``endpoint`` for someone outside the app: under APP_BASE_URL, never the request's Host."""
    base = configured_base_url()
    if base is None:
        if has_request_context():
            return url_for(endpoint, _external=True, **values)
        base = DEVELOPMENT_BASE_URL
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
