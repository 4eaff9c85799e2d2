"""The theme codebook: list, add, edit, delete, CSV export and a checked, all-or-nothing CSV import."""

from __future__ import annotations

import csv
import html as html_text
import io
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit_app.extensions import db
from audit_app.models import AuditEvent, Coding, LearningPoint, Theme
from audit_tools.learning import control_problem, formula_problem, keyword_problems, split_keywords
from tests.app.conftest import take_flashes

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))
HEADER = "name,description,keywords,category,slug\n"


@pytest.fixture
def editor(factory, client, login):
    factory.user("editor", email="editor@test.example")
    login(client, "editor@test.example")


@pytest.fixture
def drift(factory):
    theme = Theme(
        slug="drift",
        name="Drift and delay",
        description="Plans that roll on.",
        category="planning",
        keywords=["drift", "delay"],
    )
    db.session.add(theme)
    db.session.commit()
    return theme


def themes() -> list[Theme]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.id)))


def form(name="Fathers", category="family", description="", keywords="father\nstepfather; dad") -> dict:
    return {"name": name, "category": category, "description": description, "keywords": keywords}


def upload(client, post, text: str | bytes, url="/themes/import"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return post(client, url, {"file": (io.BytesIO(data), "codebook.csv")}, content_type="multipart/form-data")


def confirm_import(client, post, preview_html: str):
    fields = dict(re.findall(r'name="(codebook|digest)" type="hidden" value="([^"]*)"', preview_html))
    assert set(fields) == {"codebook", "digest"}, "no confirm form on the preview"
    return post(client, "/themes/import/confirm", fields, content_type="multipart/form-data")


def page_text(response) -> str:
    """The page with entities decoded, so messages can be compared as people read them."""
    return html_text.unescape(response.get_data(as_text=True))


def errors(html: str) -> list[str]:
    return [
        html_text.unescape(re.sub(r"<[^>]+>|\s+", " ", e)).replace("Error:", "").strip()
        for e in re.findall(r'<p id="[^"]*-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    ]


# --- the list -------------------------------------------------------------------------------------


def test_codebook_lists_themes_by_category_with_keywords_and_audits_confirmed_in(client, factory, editor, drift):
    db.session.add(Theme(slug="voice", name="Voice of the child", category="child focus", keywords=[]))
    audit = factory.audit(state="analysis")
    db.session.add_all(
        Coding(
            audit_id=audit.id,
            case_id=audit.cases[0].id,
            source="panel",
            source_key=str(n),
            excerpt="x",
            theme_id=drift.id,
            status=status,
        )
        for n, status in enumerate(("confirmed", "suggested"))
    )
    db.session.commit()
    html = client.get("/themes").get_data(as_text=True)
    assert html.index("Child focus") < html.index("Planning")  # categories in order
    assert (
        '<strong class="govuk-tag govuk-tag--grey govuk-!-font-size-16 govuk-!-margin-bottom-1">delay</strong>' in html
    )
    assert "No keywords: never suggested" in html
    assert re.search(r"Drift and delay.*?1 audit<", html, re.S) and re.search(
        r"Voice of the child.*?0 audits<", html, re.S
    )
    assert "Add a theme" in html


def test_panel_members_read_the_codebook_but_cannot_change_it(client, factory, login, drift, post):
    factory.user("panel", email="panel@test.example")
    login(client, "panel@test.example")
    html = client.get("/themes").get_data(as_text=True)
    assert "Drift and delay" in html and "Add a theme" not in html and "/edit" not in html
    assert client.get("/themes/new").status_code == 403
    assert client.get("/themes.csv").status_code == 403
    assert post(client, f"/themes/{drift.id}/delete").status_code == 403


def test_viewers_and_auditors_do_not_see_the_codebook(client, factory, login):
    factory.user("viewer", email="viewer@test.example")
    login(client, "viewer@test.example")
    assert client.get("/themes").status_code == 403


# --- add, edit, delete ----------------------------------------------------------------------------


def test_add_a_theme_with_keywords_one_per_line_or_separated_by_semicolons(client, editor, post):
    response = post(client, "/themes/new", form())
    assert response.status_code == 302
    [theme] = themes()
    assert (theme.slug, theme.name, theme.category, theme.keywords) == (
        "fathers",
        "Fathers",
        "family",
        ["father", "stepfather", "dad"],
    )
    assert "Fathers has been added to the codebook." in client.get("/themes").get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "theme.created"))
    assert event.object_id == theme.id and [k["length"] for k in event.after["keywords"]] == [6, 10, 3]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "Enter a theme name"),
        ({"name": "N" * 121}, "Theme name must be 120 characters or fewer"),
        ({"category": "C" * 61}, "Category must be 60 characters or fewer"),
        ({"description": "D" * 2001}, "Description must be 2,000 characters or fewer"),
        (
            {"name": "=HYPERLINK(1)"},
            'The name starts with "=", which a spreadsheet could run as a formula; remove that character',
        ),
        (
            {"description": "ok\x01"},
            "The description contains a control character (U+0001); remove it",
        ),  # NUL: input_guard
        ({"keywords": "fine; " + "k" * 61}, f'The keyword "{"k" * 30}…" is 61 characters long; the limit is 60'),
        ({"keywords": ";".join(f"w{n}" for n in range(41))}, "There are 41 keywords; the limit is 40"),
        (
            {"keywords": "drift\n@home"},
            'The keyword "@home" starts with "@", which a spreadsheet could run as a formula',
        ),
        ({"name": "  drift AND   delay "}, "There is already a theme with this name. Choose a different name."),
    ],
)
def test_bad_theme_values_are_refused_with_a_clear_message_and_nothing_typed_is_lost(
    client, editor, drift, post, fields, message
):
    values = {**form(description="Kept as typed"), **fields}
    response = post(client, "/themes/new", values)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and any(e.startswith(message) for e in errors(html)), errors(html)
    assert "Kept as typed" in html or fields.get("description")
    assert [t.slug for t in themes()] == ["drift"]


def test_edit_a_theme_keeps_its_slug(client, editor, drift, post):
    page = client.get(f"/themes/{drift.id}/edit").get_data(as_text=True)
    assert ">drift\ndelay</textarea>" in page and "<code>drift</code>" in page
    response = post(client, f"/themes/{drift.id}/edit", form(name="Drift, delay and starting again", keywords="drift"))
    assert response.status_code == 302
    [theme] = themes()
    assert (theme.slug, theme.name, theme.keywords) == ("drift", "Drift, delay and starting again", ["drift"])
    assert post(client, f"/themes/{drift.id}/edit", form(name="DRIFT, delay and starting again")).status_code == 302
    assert client.get("/themes/999999/edit").status_code == 404


def test_an_unused_theme_can_be_deleted_with_its_unreviewed_suggestions(client, factory, editor, drift, post):
    audit = factory.audit(state="analysis")
    db.session.add(
        Coding(
            audit_id=audit.id,
            case_id=audit.cases[0].id,
            source="panel",
            source_key="1",
            excerpt="x",
            theme_id=drift.id,
            status="suggested",
        )
    )
    db.session.commit()
    page = client.get(f"/themes/{drift.id}/delete").get_data(as_text=True)
    assert "Delete Drift and delay?" in page and "1 suggestion of this theme" in page
    assert post(client, f"/themes/{drift.id}/delete").status_code == 302
    assert themes() == [] and db.session.scalar(sa.select(sa.func.count(Coding.id))) == 0
    assert (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "theme.deleted")).before["slug"]["length"]
        == 5
    )


@pytest.mark.parametrize("use", ["confirmed coding", "learning point"])
def test_a_used_theme_cannot_be_deleted_and_the_page_explains_why(client, factory, editor, drift, post, use):
    audit = factory.audit(state="analysis")
    if use == "confirmed coding":
        db.session.add(
            Coding(
                audit_id=audit.id,
                case_id=audit.cases[0].id,
                source="panel",
                source_key="1",
                excerpt="x",
                theme_id=drift.id,
                status="confirmed",
            )
        )
    else:
        db.session.add(LearningPoint(audit_id=audit.id, audience="managers", text="x", themes=[drift]))
    db.session.commit()
    page = client.get(f"/themes/{drift.id}/delete").get_data(as_text=True)
    assert "This theme cannot be deleted" in page and "Delete theme</button>" not in page
    assert ("confirmed for 1 excerpt in 1 audit" if use == "confirmed coding" else "given to 1 learning point") in page
    response = post(client, f"/themes/{drift.id}/delete", follow_redirects=True)
    assert "stays in the codebook" in response.get_data(as_text=True)
    assert [t.slug for t in themes()] == ["drift"]


# --- export ---------------------------------------------------------------------------------------


def test_export_neutralises_formula_like_cells(client, editor):
    db.session.add(
        Theme(slug="x", name="=cmd|' /C calc'!A0", description="+44 7700", category="@risk", keywords=["-1", "fine"])
    )
    db.session.commit()
    response = client.get("/themes.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffname,description,keywords,category,slug")  # Excel reads it as UTF-8
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row == {
        "name": "'=cmd|' /C calc'!A0",
        "description": "'+44 7700",
        "keywords": "'-1; fine",
        "category": "'@risk",
        "slug": "x",
    }


def test_an_exported_codebook_imports_unchanged(client, editor, drift, post):
    post(client, "/themes/new", form(description='Line one\nline two, with "quotes"'))
    exported = client.get("/themes.csv").get_data(as_text=True)
    html = upload(client, post, exported).get_data(as_text=True)
    assert "Every theme in the file is already in the codebook exactly as written" in html


# --- import ---------------------------------------------------------------------------------------


def test_import_previews_additions_and_updates_then_imports_only_when_confirmed(client, editor, drift, post):
    text = (
        HEADER + "Drift and delay,Plans that drift.,drift; delay; start again,planning,drift\n"
        "Fathers,,father; dad,family,\n"
    )
    preview = upload(client, post, text)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check the codebook import" in html
    assert re.search(r"<span class=\"app-figures__value\">1</span> theme to add", html)
    assert "Plans that drift." in html and "drift; delay; start again" in html
    assert [t.slug for t in themes()] == ["drift"] and themes()[0].description == "Plans that roll on."
    response = confirm_import(client, post, html)
    assert response.status_code == 302
    assert [(t.slug, t.name, t.description, t.keywords) for t in themes()] == [
        ("drift", "Drift and delay", "Plans that drift.", ["drift", "delay", "start again"]),
        ("fathers", "Fathers", "", ["father", "dad"]),
    ]
    assert "1 theme added, 1 theme updated" in client.get("/themes").get_data(as_text=True)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.not_like("user.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["theme.updated", "theme.created", "codebook.imported"]


def test_a_row_without_a_slug_updates_the_theme_with_its_name_and_only_its_columns(client, editor, drift, post):
    html = upload(client, post, "Name,Keywords\n  DRIFT AND DELAY ,drift; stuck\n").get_data(as_text=True)
    confirm_import(client, post, html)
    [theme] = themes()
    assert (theme.name, theme.description, theme.category, theme.keywords) == (
        "DRIFT AND DELAY",
        "Plans that roll on.",
        "planning",
        ["drift", "stuck"],
    )


def test_import_problems_are_listed_by_line_and_nothing_is_imported(client, editor, drift, post):
    text = (
        HEADER
        + "Fathers,,father,family,\n"
        + ",no name,,,\n"
        + 'Voice,"=1+1",,,\n'
        + "Other,,,,drift\n"
        + "Drift and delay,,,,\n"
    )
    html = page_text(upload(client, post, text))
    assert "Line 3: the name is missing" in html
    assert 'Line 4: the description starts with "=", which a spreadsheet could run as a formula' in html
    assert "Nothing was imported" in html and "Check the codebook import" not in html
    assert [t.slug for t in themes()] == ["drift"]
    clash = page_text(upload(client, post, HEADER + "Other,,,,drift\nDrift and delay,,,,\n"))
    assert 'Line 3: this row and line 2 would both change the theme "Drift and delay"' in clash
    taken = upload(client, post, "name,slug\nDrift and delay,new_slug\n")
    assert "Check the codebook import" in taken.get_data(as_text=True)  # matched by name: an update, not a clash
    db.session.add(Theme(slug="voice", name="Voice"))
    db.session.commit()
    renamed = page_text(upload(client, post, "name,slug\nVoice,drift\n"))
    assert 'Line 2: the name "Voice" is already used by another theme in the codebook (slug voice)' in renamed


@pytest.mark.parametrize(
    "content, message",
    [
        (b"name\n\xff\xfeTheme\n", "The file is not saved as UTF-8 text"),
        (b"name\n" + b"x" * (300 * 1024), "The file is larger than 256 kB"),
        (b"", "Line 1: the file is empty"),
    ],
)
def test_unreadable_files_are_explained(client, editor, post, content, message):
    assert message in upload(client, post, content).get_data(as_text=True)
    assert themes() == []


def test_a_codebook_changed_after_the_check_is_checked_again(client, editor, drift, post):
    html = upload(client, post, HEADER + "Drift and delay,New words,,,\n").get_data(as_text=True)
    db.session.get(Theme, drift.id).description = "Changed by a colleague"
    db.session.commit()
    again = confirm_import(client, post, html)
    assert again.status_code == 200 and "Someone changed the codebook after you checked this file" in again.get_data(
        as_text=True
    )
    assert themes()[0].description == "Changed by a colleague"
    assert confirm_import(client, post, again.get_data(as_text=True)).status_code == 302
    assert themes()[0].description == "New words"


def test_a_tampered_confirmation_is_refused(client, editor, post):
    response = post(
        client, "/themes/import/confirm", {"codebook": "not base64!", "digest": "x"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and themes() == []


# --- hostile strings ----------------------------------------------------------------------------


def test_hostile_strings_as_theme_fields_are_stored_exactly_or_refused_clearly(client, editor, csrf):
    stored, refused = 0, 0
    token = csrf(client, "/themes/new")
    for text in BLNS:  # the same string as name, description and keywords
        response = client.post("/themes/new", data={**form(text, "", text, text), "csrf_token": token})
        assert response.status_code in (200, 302), (text, response.status_code)
        if response.status_code == 200:
            assert errors(response.get_data(as_text=True)), text
            refused += 1
            continue
        stored += 1
        theme = db.session.scalar(sa.select(Theme).order_by(Theme.id.desc()).limit(1))
        assert (theme.name, theme.description, theme.keywords) == (text.strip(), text.strip(), split_keywords(text))
        assert take_flashes(client) == [("success", f"{theme.name} has been added to the codebook.")], text
        db.session.rollback()  # end the read, so SQLite's log does not grow under the requests
    assert stored > 300 and refused > 0
    html = client.get("/themes").get_data(as_text=True)
    assert "<script>alert(123)</script>" not in html and "&lt;script&gt;alert(123)&lt;/script&gt;" in html


def _codebook(texts) -> str:
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["name", "description", "keywords"])
    writer.writerows([f"Hostile {number}", text, text] for number, text in enumerate(texts))
    return rows.getvalue()


def _refused(text: str) -> bool:
    return bool(
        formula_problem("description", text)
        or control_problem("description", text)
        or keyword_problems(split_keywords(text))
    )


def test_hostile_strings_in_an_imported_codebook_are_imported_exactly_or_refused_by_line(client, editor, post):
    html = upload(client, post, _codebook(BLNS)).get_data(as_text=True)
    problems = re.findall(r"<li>(.*?)</li>", html.split('id="problems"')[1].split("</ul>")[0], re.S)
    assert problems and all(p.startswith(("Line ", "Stopped after")) for p in problems) and themes() == []
    refused = [text for text in BLNS if _refused(text)]
    for text in refused:
        assert "Line 2: the " in upload(client, post, _codebook([text])).get_data(as_text=True), text
    accepted = [text for text in BLNS if not _refused(text)]
    response = confirm_import(client, post, upload(client, post, _codebook(accepted)).get_data(as_text=True))
    assert response.status_code == 302 and len(accepted) > 300
    assert [(t.description, t.keywords) for t in themes()] == [
        (text.strip(), split_keywords(text)) for text in accepted
    ]
    page = client.get("/themes").get_data(as_text=True)
    assert "<script>alert(123)</script>" not in page and "&lt;script&gt;alert(123)&lt;/script&gt;" in page
