"""Briefing settings: who may change them, what is refused and why, the logo's checks, and the audit trail."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from audit_app.data.settings import get_setting
from audit_app.extensions import db
from audit_app.models import AuditEvent, Logo
from tests.app.conftest import image_bytes
from tests.app.roles_briefings import signed_in

VALID = {
    "partnership_name": "Westmere SCP",
    "series_title": "Eyes On",
    "accent_colour": "#1d70b8",
    "definition": "Neglect is…",
    "suppression_threshold": "5",
    "author_may_approve": "no",
}


@pytest.fixture
def editor(app, factory, login):
    factory.user("editor", email="e@test.example")
    return signed_in(app, login, "e@test.example")


def upload(client, post, data: bytes, name: str):
    return post(
        client,
        "/settings/briefing/logo/new",
        {"logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    "role, status",
    [("editor", 200), ("coordinator", 200), ("admin", 200), ("viewer", 403), ("auditor", 403), ("panel", 403)],
)
def test_who_may_open_the_settings(app, factory, login, role, status):
    factory.user(role, agency=factory.agency("CSC") if role == "auditor" else None, email=f"{role}@test.example")
    client = signed_in(app, login, f"{role}@test.example")
    for url in ("/settings/briefing", "/settings/briefing/resources", "/settings/briefing/logo/new"):
        assert client.get(url).status_code == status, url


def test_saving_settings_records_before_and_after(editor, post):
    response = post(
        editor,
        "/settings/briefing",
        {**VALID, "series_title": "Eyes Wide Open", "author_may_approve": "yes", "suppression_threshold": "7"},
        follow_redirects=True,
    )
    assert "Your changes are saved" in response.get_data(as_text=True)
    assert get_setting("series_title") == "Eyes Wide Open" and get_setting("author_may_approve") is True
    assert get_setting("suppression_threshold") == 7 and get_setting("partnership_name") == "Westmere SCP"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event.before["series_title"]["length"] == 7 and event.after["series_title"]["length"] == 14  # no text
    assert event.after["author_may_approve"] is True and "accent_colour" not in event.after  # unchanged


def test_saving_nothing_new_writes_no_event(editor, post):
    post(editor, "/settings/briefing", VALID)
    count = len(db.session.scalars(select(AuditEvent)).all())
    response = post(editor, "/settings/briefing", VALID, follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(AuditEvent)).all()) == count


@pytest.mark.parametrize(
    "colour, message",
    [
        ("#ffdd00", "Choose a darker colour: #ffdd00 has a contrast of 1.3:1 against white"),
        (
            "#85994b",
            "has a contrast of 3.1:1 against white, and headings and links in the briefing need at least 4.5:1",
        ),
        ("blue", "Enter the colour as # and six hexadecimal digits, like #1d70b8"),
        ("#1d70b", "Enter the colour as # and six hexadecimal digits"),
        ("", "Enter the accent colour"),
    ],
)
def test_accent_colour_must_be_hex_and_readable_on_white(editor, post, colour, message):
    html = post(editor, "/settings/briefing", {**VALID, "accent_colour": colour}).get_data(as_text=True)
    assert message in html and "Error:" in html
    assert get_setting("accent_colour") == "#1d70b8"


def test_a_dark_enough_colour_is_kept_in_lower_case(editor, post):
    post(editor, "/settings/briefing", {**VALID, "accent_colour": "#00703C"})
    assert get_setting("accent_colour") == "#00703c"


@pytest.mark.parametrize("value", ["0", "21", "-1", "five", "5.5", ""])
def test_suppression_threshold_is_a_whole_number_from_1_to_20(editor, post, value):
    html = post(editor, "/settings/briefing", {**VALID, "suppression_threshold": value}).get_data(as_text=True)
    assert "whole number from 1 to 20" in html and f'value="{value}"' in html
    assert get_setting("suppression_threshold") in (None, 5)


def test_long_names_are_refused_and_kept(editor, post):
    html = post(editor, "/settings/briefing", {**VALID, "partnership_name": "P" * 201}).get_data(as_text=True)
    assert "Partnership name must be 200 characters or fewer" in html and "P" * 201 in html


def test_png_and_jpeg_logos_are_stored_clean_and_served(editor, post):
    response = upload(editor, post, image_bytes("PNG"), "logo.png")
    assert "The logo is saved (40 by 20 pixels)" in response.get_data(as_text=True)
    served = editor.get("/settings/briefing/logo")
    assert served.mimetype == "image/png" and served.data.startswith(b"\x89PNG")
    exif = Image.Exif()
    exif[0x010E] = "Photographed at 12 Elm Road"  # ImageDescription
    jpeg = image_bytes("JPEG", exif=exif.tobytes(), comment=b"taken at 12 Elm Road")
    assert jpeg.count(b"Elm Road") == 2
    upload(editor, post, jpeg, "logo.jpeg")
    logos = db.session.scalars(select(Logo)).all()
    assert len(logos) == 1 and logos[0].mimetype == "image/jpeg"
    assert b"Elm Road" not in logos[0].data and b"Exif" not in logos[0].data
    assert editor.get("/settings/briefing/logo").mimetype == "image/jpeg"
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.logo")).all()) == 2


def test_a_png_named_jpg_is_taken_for_what_it_is(editor, post):
    upload(editor, post, image_bytes("PNG"), "logo.jpg")
    assert db.session.scalar(select(Logo)).mimetype == "image/png"


@pytest.mark.parametrize(
    "data, name, message",
    [
        (image_bytes("GIF"), "logo.png", "must be a PNG or JPEG image. This file is neither"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "must be a PNG or JPEG image"),
        (b"%PDF-1.4 not a picture", "logo.jpg", "must be a PNG or JPEG image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "logo.png", "starts like a PNG image but cannot be opened"),
        (image_bytes("JPEG")[:60], "logo.jpg", "starts like a JPEG image but cannot be opened"),
        (image_bytes("PNG", size=(2001, 10)), "wide.png", "at most 2,000 by 2,000 pixels. This one is 2,001 by 10"),
        (b"\xff\xd8\xff" + b"\x00" * (1024 * 1024), "big.jpg", "must be 1 MB or smaller"),
    ],
)
def test_bad_logos_are_refused_with_a_reason(editor, post, data, name, message):
    html = upload(editor, post, data, name).get_data(as_text=True)
    assert message in html and 'href="#logo"' in html
    assert db.session.scalars(select(Logo)).all() == []


def test_no_file_chosen(editor, post):
    html = post(editor, "/settings/briefing/logo/new", {}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a PNG or JPEG file of the logo" in html


def test_remove_the_logo(editor, post):
    upload(editor, post, image_bytes("PNG"), "logo.png")
    assert "Remove the logo" in editor.get("/settings/briefing").get_data(as_text=True)
    response = post(editor, "/settings/briefing/logo/remove", {}, follow_redirects=True)
    assert "The logo is removed" in response.get_data(as_text=True)
    assert db.session.scalars(select(Logo)).all() == []
    assert editor.get("/settings/briefing/logo").status_code == 404


def test_resources_are_edited_as_a_list_with_checked_addresses(editor, post):
    bad = post(
        editor,
        "/settings/briefing/resources",
        {"items-0-title": "Procedures", "items-0-url": "ftp://example.org", "action": "save"},
    ).get_data(as_text=True)
    assert "Web address of resource 1 must be a web address starting with https:// or http://" in bad
    moved = post(
        editor,
        "/settings/briefing/resources",
        {
            "items-0-title": "A",
            "items-0-url": "https://a.example",
            "items-1-title": "B",
            "action": "up-1",
        },
    ).get_data(as_text=True)
    assert moved.index('value="B"') < moved.index('value="A"')
    post(
        editor,
        "/settings/briefing/resources",
        {"items-0-title": "B", "items-1-title": "A", "items-1-url": "https://a.example", "action": "save"},
    )
    assert get_setting("resources") == [{"title": "B", "url": ""}, {"title": "A", "url": "https://a.example"}]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event.before == {"resources": []} and len(event.after["resources"]) == 2
