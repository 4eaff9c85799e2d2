"""Keyed pseudonyms for agencies' case numbers: deterministic, key-dependent, never revealing the number."""

import base64
import hashlib
import hmac
import re

import pytest

from audit_tools.privacy import (
    DISPLAY_ALPHABET,
    display_code,
    key_from_environment,
    normalise_case_number,
    pseudonymise,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
NUMBERS = ["AB123", "123456", "CSC/2024/00017", "0000001", "x", "NHS-9434765919"]


def test_pseudonyms_are_deterministic_hex_and_depend_on_the_key():
    first = pseudonymise("AB123", KEY)
    assert first == pseudonymise("AB123", KEY)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first != pseudonymise("AB123", OTHER_KEY)
    assert first != pseudonymise("AB124", KEY)
    assert len({pseudonymise(n, KEY) for n in NUMBERS}) == len(NUMBERS)


@pytest.mark.parametrize("written", ["ab 123", "AB123", " Ab 1 2 3\t", "a\u00a0b123", "\nAB123\n"])
def test_spacing_and_case_do_not_change_the_pseudonym(written):
    assert normalise_case_number(written) == "AB123"
    assert pseudonymise(written, KEY) == pseudonymise("AB123", KEY)


def test_the_documented_recipe_gives_the_same_pseudonym():
    """What an agency runs on its own case numbers (module docstring) matches what the workbench stores."""
    for number in NUMBERS + ["ab 123"]:
        normalised = "".join(number.split()).upper()
        assert pseudonymise(number, KEY) == hmac.new(KEY, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def test_pseudonyms_and_display_codes_never_contain_the_case_number():
    for number in NUMBERS:
        pseudonym = pseudonymise(number, KEY)
        for text in (pseudonym, display_code(pseudonym)):
            assert number.lower() not in text.lower() and normalise_case_number(number).lower() not in text.lower()


def test_display_codes_are_six_unambiguous_characters_from_the_pseudonym():
    codes = [display_code(pseudonymise(f"CASE-{i}", KEY)) for i in range(500)]
    assert all(re.fullmatch(r"C-[0-9A-HJKMNP-TV-Z]{6}", code) for code in codes)
    assert not set("".join(c[2:] for c in codes)) & set("ILOU")
    assert len(DISPLAY_ALPHABET) == 32 and len(set(DISPLAY_ALPHABET)) == 32
    assert len(set(codes)) == len(codes)
    pseudonym = pseudonymise("AB123", KEY)
    rfc = base64.b32encode(bytes.fromhex(pseudonym[:8])).decode()[:6]  # the same bits, RFC 4648 letters
    crockford = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", DISPLAY_ALPHABET)
    assert display_code(pseudonym) == "C-" + rfc.translate(crockford)


@pytest.mark.parametrize("bad", ["", "AB123", "G" * 64, "A" * 64, "a" * 63])
def test_display_code_needs_a_pseudonym(bad):
    with pytest.raises(ValueError):
        display_code(bad)


def test_empty_case_numbers_and_short_keys_are_refused():
    with pytest.raises(ValueError, match="case number is empty"):
        pseudonymise("  \t", KEY)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        pseudonymise("AB123", b"short")


@pytest.mark.parametrize(
    "value",
    [
        KEY.hex(),
        KEY.hex().upper(),
        f"  {KEY.hex()}\n",
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        base64.b64encode(KEY).decode().rstrip("="),
    ],
)
def test_keys_are_read_from_hex_or_base64(value):
    assert key_from_environment(value) == KEY


def test_longer_keys_are_kept_whole():
    assert key_from_environment(bytes(range(48)).hex()) == bytes(range(48))
    assert key_from_environment(base64.b64encode(b"\xfb\xff" * 20).decode()) == b"\xfb\xff" * 20


@pytest.mark.parametrize(
    "value, message",
    [
        (None, "not set"),
        ("", "not set"),
        ("   ", "not set"),
        (bytes(16).hex(), "16 bytes long; it must be at least 32"),
        (base64.b64encode(bytes(31)).decode(), "31 bytes long"),
        ("this is not a key!", "neither hex nor base64"),
        ("ab=cd" * 10, "neither hex nor base64"),
    ],
)
def test_missing_short_or_undecodable_keys_are_explained(value, message):
    with pytest.raises(ValueError, match=message) as caught:
        key_from_environment(value)
    assert "token_hex(32)" in str(caught.value)
    if value and value.strip():
        assert value.strip() not in str(caught.value)  # the secret is never echoed into logs
