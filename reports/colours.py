"""Colour helpers shared by the PDF and the charts.

The accent colour is set by a person in the partnership's settings, so it is
validated here and nudged darker when it would be too faint to read on white.
"""

from __future__ import annotations

import re

DEFAULT_ACCENT = "#1d70b8"
TEXT_DARK = "#0b0c0c"
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_hex(value: str, default: str = DEFAULT_ACCENT) -> str:
    """Return ``value`` as ``#rrggbb``, or ``default`` when it is not a hex colour."""
    match = _HEX.match((value or "").strip())
    if not match:
        return default
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    digits = parse_hex(hex_colour)[1:]
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio between two hex colours (1 to 21)."""

    def luminance(hex_colour: str) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(hex_colour)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(hex_colour: str, other: str, amount: float) -> str:
    """Blend ``amount`` (0–1) of ``other`` into ``hex_colour``."""
    pairs = zip(_rgb(hex_colour), _rgb(other), strict=True)
    return _to_hex(tuple(a + (b - a) * amount for a, b in pairs))  # type: ignore[arg-type]


def readable_on_white(hex_colour: str, minimum: float = 4.5) -> str:
    """Darken ``hex_colour`` in steps until it reaches ``minimum`` contrast on white."""
    colour = parse_hex(hex_colour)
    for step in range(1, 11):
        if contrast_ratio(colour, "#ffffff") >= minimum:
            return colour
        colour = mix(parse_hex(hex_colour), "#000000", step / 10)
    return colour


def text_on(background: str) -> str:
    """White or near-black, whichever reads better on ``background``."""
    if contrast_ratio(background, "#ffffff") >= 4.5:
        return "#ffffff"
    return TEXT_DARK
