"""Reference data every installation needs: agencies, built-in audit tools, the theme codebook
and the recommendation categories."""

import json
from importlib import resources
from typing import Any

from sqlalchemy import select

from audit_app.data.tools import ensure_builtin_tools, list_tools
from audit_app.data.users import ensure_agencies
from audit_app.extensions import db
from audit_app.models import RecommendationCategory, Theme
from audit_tools.tools import builtin_themes


def _builtin(name: str) -> Any:
    return json.loads(resources.files("audit_tools.data").joinpath(name).read_text("utf-8"))


def seed_reference_data() -> tuple[int, int]:
    """Add what is missing; returns (agencies added, tools added). Running it again changes nothing."""
    tools_before = len(list_tools())
    added_agencies = ensure_agencies(_builtin("agencies.json"))
    ensure_builtin_tools()
    ensure_themes(builtin_themes())
    ensure_recommendation_categories(_builtin("recommendation_categories.json"))
    return added_agencies, len(list_tools()) - tools_before


def ensure_themes(themes: list[dict]) -> int:
    """Add built-in themes whose slug is not in the codebook yet; a theme people have edited is left alone."""
    known = set(db.session.scalars(select(Theme.slug)))
    names = {n.lower() for n in db.session.scalars(select(Theme.name))}
    new = [t for t in themes if t["slug"] not in known and t["name"].lower() not in names]
    db.session.add_all(
        Theme(
            slug=t["slug"],
            name=t["name"],
            description=t.get("description", ""),
            keywords=list(t.get("keywords", [])),
            category=t.get("category", ""),
        )
        for t in new
    )
    db.session.flush()
    return len(new)


def ensure_recommendation_categories(categories: list[dict]) -> int:
    known = set(db.session.scalars(select(RecommendationCategory.slug)))
    new = [(position, c) for position, c in enumerate(categories) if c["slug"] not in known]
    db.session.add_all(RecommendationCategory(slug=c["slug"], name=c["name"], position=position) for position, c in new)
    db.session.flush()
    return len(new)
