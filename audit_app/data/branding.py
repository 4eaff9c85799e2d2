"""The partnership's branding and briefing settings: logo, colour, titles, wording, rules.

The logo is checked by what its bytes are, never by its name: it must be a PNG or JPEG that
really decodes, within size limits. It is re-encoded, so whatever else the file carried
(camera details, places, comments) is not kept.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select

from audit_app.data.events import record_event
from audit_app.data.settings import get_setting, set_setting
from audit_app.extensions import db
from audit_app.models import Logo, User
from audit_tools.errors import WorkbenchError
from reports.colours import contrast_ratio

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 2000
MIN_CONTRAST = 4.5
# Settings this page changes, with the value used when none is stored.
BRIEFING_SETTINGS = (
    "partnership_name",
    "series_title",
    "accent_colour",
    "definition",
    "suppression_threshold",
    "author_may_approve",
    "resources",
)
FALLBACKS: dict[str, Any] = {"author_may_approve": False}
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"), b"\xff\xd8\xff": ("JPEG", "image/jpeg")}


class LogoError(WorkbenchError):
    """The uploaded file cannot be the logo; the message says why and what to do."""


@dataclass(frozen=True)
class LogoInfo:
    mimetype: str
    width: int
    height: int
    size: int


def briefing_settings_values() -> dict[str, Any]:
    """Every setting of the briefing settings page, stored or default."""
    values = {key: get_setting(key) for key in BRIEFING_SETTINGS}
    return {key: FALLBACKS[key] if value is None and key in FALLBACKS else value for key, value in values.items()}


def change_settings(values: dict[str, Any], user: User) -> list[str]:
    """Store the settings that differ from what is stored; one audit event with before and after. Returns their keys."""
    current = briefing_settings_values()
    changed = [key for key, value in values.items() if current.get(key) != value]
    for key in changed:
        set_setting(key, values[key])
    if changed:
        record_event(
            "settings.changed",
            "settings",
            None,
            user=user,
            before={k: current.get(k) for k in changed},
            after={k: values[k] for k in changed},
        )
    return changed


def contrast_problem(colour: str) -> str | None:
    """Why a #rrggbb accent colour cannot be used for text on white, or None when it can."""
    ratio = contrast_ratio(colour, "#ffffff")
    if ratio >= MIN_CONTRAST:
        return None
    shown = math.floor(ratio * 10) / 10  # rounded down: 4.46 must not read as the 4.5 it misses
    return (
        f"Choose a darker colour: {colour} has a contrast of {shown}:1 against white, and headings and "
        f"links in the briefing need at least {MIN_CONTRAST}:1 so that everyone can read them"
    )


def current_logo() -> Logo | None:
    """The logo's row (bytes, type and size); ``data.briefings.briefing_logo`` gives its bytes alone."""
    return db.session.scalar(select(Logo).order_by(Logo.uploaded_at.desc(), Logo.id.desc()).limit(1))


def save_logo(data: bytes, user: User) -> LogoInfo:
    """Check, clean and store a new logo in place of the old one; raises LogoError, storing nothing."""
    image_format, mimetype, image = _checked_image(data)
    cleaned = _reencoded(image, image_format)
    before = _logo_facts(current_logo())
    db.session.execute(delete(Logo))
    logo = Logo(
        mimetype=mimetype,
        data=cleaned,
        sha256=hashlib.sha256(cleaned).hexdigest(),
        width=image.width,
        height=image.height,
        uploaded_by_id=user.id,
    )
    db.session.add(logo)
    db.session.flush()
    record_event("settings.logo", "settings", None, user=user, before=before, after=_logo_facts(logo))
    return LogoInfo(mimetype, image.width, image.height, len(cleaned))


def remove_logo(user: User) -> bool:
    before = _logo_facts(current_logo())
    if before is None:
        return False
    db.session.execute(delete(Logo))
    db.session.flush()
    record_event("settings.logo", "settings", None, user=user, before=before, after=None)
    return True


def _logo_facts(logo: Logo | None) -> dict | None:
    if logo is None:
        return None
    return {"mimetype": logo.mimetype, "width": logo.width, "height": logo.height, "sha256": logo.sha256}


def _checked_image(data: bytes) -> tuple[str, str, Image.Image]:
    if not data:
        raise LogoError("The selected file is empty. Choose a PNG or JPEG image of the logo")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(
            f"The logo must be 1 MB or smaller. This file is {len(data) / 1024 / 1024:.1f} MB: "
            "save it smaller, or as a JPEG"
        )
    kind = next((found for signature, found in _SIGNATURES.items() if data.startswith(signature)), None)
    if kind is None:
        raise LogoError("The logo must be a PNG or JPEG image. This file is neither, whatever its name says")
    image_format, mimetype = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
            _check_dimensions(image)
            image.load()
    except LogoError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise LogoError(
            f"The file starts like a {image_format} image but cannot be opened as one. "
            "It may be damaged: export the logo again and upload the new file"
        ) from None
    return image_format, mimetype, image


def _check_dimensions(image: Image.Image) -> None:
    if image.width > MAX_LOGO_PIXELS or image.height > MAX_LOGO_PIXELS:
        raise LogoError(
            f"The logo must be at most {MAX_LOGO_PIXELS:,} by {MAX_LOGO_PIXELS:,} pixels. This one is "
            f"{image.width:,} by {image.height:,}: make it smaller and upload it again"
        )


def _reencoded(image: Image.Image, image_format: str) -> bytes:
    """The pixels alone, saved afresh: no metadata, comments or colour profiles survive."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    clean = image.convert("RGBA" if has_alpha and image_format == "PNG" else "RGB")
    clean.info = {}
    buffer = io.BytesIO()
    if image_format == "PNG":
        clean.save(buffer, format="PNG", optimize=True)
    else:
        clean.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
