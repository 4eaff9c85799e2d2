"""The tool library and designer: drafts change only when valid, published versions never change.

Every "nothing changed" check reads the stored JSON text through a connection of its
own, so it compares what is in the database byte for byte, not what a session remembers.
"""

from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from audit_app.data import tools as tool_data
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Tool, ToolVersion
from audit_tools.tools import load_builtin, parse_definition

NEGLECT = "neglect-multi-agency"


# --------------------------------------------------------------------------- helpers


def stored_text(version_id: int) -> str:
    """The definition exactly as the database holds it."""
    with db.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT CAST(definition AS TEXT) FROM tool_versions WHERE id = :id"), {"id": version_id}
        ).scalar_one()


def stored(version_id: int) -> dict:
    return json.loads(stored_text(version_id))


def stored_row(version_id: int) -> dict:
    with db.engine.connect() as conn:
        row = (
            conn.execute(
                sa.text("SELECT tool_id, version, status, published_at FROM tool_versions WHERE id = :id"),
                {"id": version_id},
            )
            .mappings()
            .one()
        )
    return dict(row)


def row_counts() -> tuple[int, int]:
    """(tools, tool versions), read outside the test's session."""
    with db.engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT count(*) FROM tools")).scalar_one(),
            conn.execute(sa.text("SELECT count(*) FROM tool_versions")).scalar_one(),
        )


def versions_of(slug: str) -> list[dict]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT v.id, v.version, v.status FROM tool_versions v JOIN tools t "
                "ON t.id = v.tool_id WHERE t.slug = :slug ORDER BY v.version"
            ),
            {"slug": slug},
        )
        return [dict(r) for r in rows.mappings()]


def page_text(response) -> str:
    """The page with HTML character references decoded, so messages can be searched as written."""
    return html.unescape(response.get_data(as_text=True))


def question_in(definition: dict, key: str) -> dict | None:
    return next((q for s in definition["sections"] for q in s["questions"] if q["key"] == key), None)


def keys_in(definition: dict) -> list[str]:
    return [q["key"] for s in definition["sections"] for q in s["questions"]]


def section_keys(definition: dict) -> list[str]:
    return [s["key"] for s in definition["sections"]]


def base(version: ToolVersion) -> str:
    return f"/tools/{version.tool_id}/v{version.version}"


def flashed(client, response) -> str:
    """The page a redirect leads to, where the flash message is shown."""
    assert response.status_code == 302, response.status_code
    return page_text(client.get(response.headers["Location"]))


class _FormReader(HTMLParser):
    """What a browser would send for each POST form on a page, as it stands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def _add(self, name: str, value: str) -> None:
        self._form["fields"].setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._input(a)
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""
        elif tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select:
            self._option(a)

    def _input(self, a: dict) -> None:
        kind = (a.get("type") or "text").lower()
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self._add(a["name"], a.get("value", "on"))
        elif kind not in ("submit", "button", "file"):
            self._add(a["name"], a.get("value") or "")

    def _option(self, a: dict) -> None:
        value = a.get("value", "")
        if self._select_first is None:
            self._select_first = value
        if "selected" in a:
            self._add(self._select, value)
            self._select_chosen = True

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, self._text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None


def form_as_shown(response, action_contains: str = "") -> dict:
    """The main POST form of a page (not the sign-out form), filled in as the page shows it."""
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    forms = [
        f
        for f in reader.forms
        if f["method"] == "post" and "logout" not in f["action"] and action_contains in f["action"]
    ]
    assert forms, "no form on the page"
    return {name: values if len(values) > 1 else values[0] for name, values in forms[0]["fields"].items()}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def coordinator(client, factory, login):
    user = factory.user("coordinator", email="co@test.example")
    login(client, "co@test.example")
    return user


@pytest.fixture
def builtin(ctx) -> ToolVersion:
    """The built-in multi-agency tool's published version 1 (the practice tool is there too)."""
    versions = tool_data.ensure_builtin_tools()
    db.session.commit()
    return versions[0]


@pytest.fixture
def draft(builtin) -> ToolVersion:
    """Draft version 2 of the built-in tool, a copy of version 1."""
    version = tool_data.new_draft_version(builtin.tool, None)
    db.session.commit()
    return version


def question_form(**fields) -> dict:
    """Designer question form data: a required scale question unless told otherwise."""
    return {
        "key": "new_question",
        "type": "scale",
        "text": "Was the child's bedroom seen?",
        "help": "",
        "required": "y",
        "compare": "y",
        "options": "",
        "show_if_question": "",
        "show_if_values": "",
        "finding": "",
        "chart_title": "",
        "guidance_url": "",
        **fields,
    }


def add_question(client, post, version, section: str, **fields):
    return post(client, f"{base(version)}/sections/{section}/questions/new", question_form(**fields))


# --------------------------------------------------------------------------- library and new tools


def test_library_lists_the_builtin_tools_after_seed(client, coordinator, runner):
    empty = page_text(client.get("/tools/"))
    assert "There are no tools yet." in empty
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    page = page_text(client.get("/tools/"))
    assert "There are no tools yet." not in page
    for name in ("neglect_tool.json", "neglect_practice_tool.json"):
        _, definition = load_builtin(name)
        tool = tool_data.tool_by_slug(definition.slug)
        assert f'<h2 class="govuk-heading-m">{definition.name}</h2>' in page
        assert f'href="/tools/{tool.id}/v1">Version 1<span class="govuk-visually-hidden"> of {definition.name}' in page
    assert page.count("Published") >= 2


def test_create_a_tool_from_an_empty_start(client, coordinator, post, builtin):
    before = row_counts()
    response = post(
        client, "/tools/new", {"name": "Adolescent neglect 2027", "slug": "adolescents-2027", "start_from": "0"}
    )
    assert response.status_code == 302
    tool = tool_data.tool_by_slug("adolescents-2027")
    assert tool is not None and response.headers["Location"].endswith(f"/tools/{tool.id}/v1")
    assert row_counts() == (before[0] + 1, before[1] + 1)
    [version] = versions_of("adolescents-2027")
    assert (version["version"], version["status"]) == (1, "draft")
    definition = stored(version["id"])
    assert (definition["slug"], definition["name"]) == ("adolescents-2027", "Adolescent neglect 2027")
    assert keys_in(definition) == ["overall_judgement"]
    assert question_in(definition, "overall_judgement")["overall"] is True
    assert "Draft version 1 of Adolescent neglect 2027 created" in flashed(client, response)


def test_create_a_tool_as_a_copy_of_a_builtin_version(client, coordinator, post, builtin):
    original = stored_text(builtin.id)
    response = post(
        client,
        "/tools/new",
        {"name": "Neglect audit, our way", "slug": "neglect-our-way", "start_from": str(builtin.id)},
    )
    assert response.status_code == 302
    [version] = versions_of("neglect-our-way")
    assert (version["version"], version["status"]) == (1, "draft")
    copy = stored(version["id"])
    assert (copy["slug"], copy["name"]) == ("neglect-our-way", "Neglect audit, our way")
    source = json.loads(original)
    assert copy["sections"] == parse_and_export(source)["sections"]
    assert stored_text(builtin.id) == original  # the version copied from is untouched


def parse_and_export(raw: dict) -> dict:
    from audit_tools.tools import export_definition

    return export_definition(parse_definition(raw))


@pytest.mark.parametrize(
    "slug, message",
    [
        (NEGLECT, f"A tool with the short name {NEGLECT} already exists. Choose another."),
        ("Has Spaces", "Use 2 to 60 lower-case letters, digits and hyphens"),
    ],
)
def test_a_taken_or_malformed_slug_is_refused_and_creates_nothing(client, coordinator, post, builtin, slug, message):
    before = row_counts()
    for start_from in ("0", str(builtin.id)):
        response = post(client, "/tools/new", {"name": "Another tool", "slug": slug, "start_from": start_from})
        assert response.status_code == 200
        page = page_text(response)
        assert message in page
        assert 'value="Another tool"' in page  # what was typed is kept
    assert row_counts() == before


# --------------------------------------------------------------------------- the designer


def test_edit_details(client, coordinator, post, draft):
    assert 'value="Multi-agency neglect case audit"' in client.get(f"{base(draft)}/details").get_data(as_text=True)
    response = post(
        client,
        f"{base(draft)}/details",
        {"name": "Neglect audit 2027", "topic": "Neglect", "description": "For the 2027 audit of neglect."},
    )
    assert response.status_code == 302
    definition = stored(draft.id)
    assert (definition["name"], definition["topic"], definition["description"]) == (
        "Neglect audit 2027",
        "Neglect",
        "For the 2027 audit of neglect.",
    )
    db.session.expire_all()
    assert db.session.get(Tool, draft.tool_id).name == "Neglect audit 2027"
    assert "Details saved." in flashed(client, response)


def test_add_a_section_gets_a_first_question(client, coordinator, post, draft):
    before = stored(draft.id)
    response = post(
        client,
        f"{base(draft)}/new-section",
        {"key": "adolescence", "title": "Adolescence", "description": "Older children's experience."},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#section-adolescence")
    after = stored(draft.id)
    assert section_keys(after) == section_keys(before) + ["adolescence"]
    section = after["sections"][-1]
    assert (section["title"], section["description"]) == ("Adolescence", "Older children's experience.")
    assert [q["key"] for q in section["questions"]] == ["adolescence_q1"]
    assert section["questions"][0]["type"] == "scale"


def test_edit_a_section_keeps_its_key(client, coordinator, post, draft):
    page = client.get(f"{base(draft)}/sections/family_context").get_data(as_text=True)
    assert 'value="family_context"' in page and "readonly" in page
    response = post(
        client,
        f"{base(draft)}/sections/family_context",
        {"key": "renamed_section", "title": "The family's circumstances", "description": "What shaped the care given."},
    )
    assert response.status_code == 302
    after = stored(draft.id)
    assert "renamed_section" not in section_keys(after)
    section = next(s for s in after["sections"] if s["key"] == "family_context")
    assert (section["title"], section["description"]) == ("The family's circumstances", "What shaped the care given.")


# Each kind of question through the form, and what the tool file then holds.
QUESTION_KINDS = [
    ({"type": "scale"}, {"type": "scale"}),
    (
        {
            "type": "single",
            "options": "often | Often | 2\nsometimes | Sometimes | 1\nnever | Never | 0\nunknown | Not recorded",
        },
        {
            "type": "single",
            "options": [
                {"value": "often", "label": "Often", "score": 2.0},
                {"value": "sometimes", "label": "Sometimes", "score": 1.0},
                {"value": "never", "label": "Never", "score": 0.0},
                {"value": "unknown", "label": "Not recorded"},
            ],
        },
    ),
    (
        {"type": "multiple", "options": "school | School\n\ngp | GP | 0.5\n"},
        {
            "type": "multiple",
            "options": [{"value": "school", "label": "School"}, {"value": "gp", "label": "GP", "score": 0.5}],
        },
    ),
    ({"type": "grade"}, {"type": "grade"}),
    ({"type": "number", "required": ""}, {"type": "number", "required": False}),
    ({"type": "date"}, {"type": "date"}),
    ({"type": "text", "help": "  A few words.  "}, {"type": "text", "help": "A few words."}),
    (
        {
            "type": "longtext",
            "finding": "the plan said what would change",
            "chart_title": "Plans",
            "guidance_url": "https://example.org/guidance",
        },
        {
            "type": "longtext",
            "finding": "the plan said what would change",
            "chart_title": "Plans",
            "guidance_url": "https://example.org/guidance",
        },
    ),
    (
        {
            "type": "scale",
            "show_if_question": "father_identified",
            "show_if_values": "yes, partly",
            "themes": ["fathers_whole_family", "honest_conversations"],
        },
        {
            "type": "scale",
            "show_if": {"question": "father_identified", "values": ["yes", "partly"]},
            "themes": ["fathers_whole_family", "honest_conversations"],
        },
    ),
]


@pytest.mark.parametrize(
    "typed, expected",
    QUESTION_KINDS,
    ids=[k[0]["type"] + ("_show_if" if "show_if_question" in k[0] else "") for k in QUESTION_KINDS],
)
def test_add_a_question_of_each_kind(client, coordinator, post, draft, typed, expected):
    response = add_question(client, post, draft, "working_with_family", key="bedroom_seen", **typed)
    assert response.status_code == 302, page_text(response)[:3000]
    assert response.headers["Location"].endswith("#question-bedroom_seen")
    after = stored(draft.id)
    section = next(s for s in after["sections"] if s["key"] == "working_with_family")
    assert section["questions"][-1] == {"key": "bedroom_seen", "text": "Was the child's bedroom seen?", **expected}
    assert parse_definition(after).question("bedroom_seen").type == expected["type"]
    assert "Question bedroom_seen saved." in flashed(client, response)


def test_the_question_form_offers_only_choice_questions_for_show_if(client, coordinator, draft):
    page = client.get(f"{base(draft)}/sections/overall/questions/new").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([a-z0-9_]+)"', page))
    definition = tool_data.definition_of(draft)
    assert offered == {q.key for q in definition.questions if q.is_choice}
    assert "records_reviewed" not in offered  # a text question


def test_edit_a_question_its_key_cannot_change(client, coordinator, post, draft):
    page = client.get(f"{base(draft)}/questions/child_seen_alone").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="key"[^>]*readonly', page)
    before = stored(draft.id)
    response = post(
        client,
        f"{base(draft)}/questions/child_seen_alone",
        question_form(key="seen_alone", text="Was the child seen on their own?", type="scale"),
    )
    assert response.status_code == 302
    after = stored(draft.id)
    assert keys_in(after) == keys_in(before)
    assert question_in(after, "seen_alone") is None
    assert question_in(after, "child_seen_alone")["text"] == "Was the child seen on their own?"


def test_a_question_posted_with_another_key_is_reported_under_its_own_key(client, coordinator, post, draft):
    """The key is kept (above); the message and the link back must name the question that was saved."""
    response = post(
        client,
        f"{base(draft)}/questions/child_seen_alone",
        question_form(key="seen_alone", text="Was the child seen on their own?"),
    )
    assert response.headers["Location"].endswith("#question-child_seen_alone")
    assert "Question child_seen_alone saved." in flashed(client, response)


def save_as_shown(client, post, version, key):
    page = client.get(f"{base(version)}/questions/{key}")
    assert page.status_code == 200, key
    response = post(client, f"{base(version)}/questions/{key}", form_as_shown(page))
    assert response.status_code == 302, (key, page_text(response)[:2000])


def test_saving_each_question_unchanged_keeps_its_meaning(client, coordinator, post, draft):
    """Open every question of the built-in tool in the designer and save it as shown: nothing it means may change."""
    changed = {}
    for key in keys_in(stored(draft.id)):
        before = question_in(stored(draft.id), key)
        save_as_shown(client, post, draft, key)
        after = question_in(stored(draft.id), key)
        differences = {
            k: (before.get(k), after.get(k))
            for k in before.keys() | after.keys()
            if before.get(k) != after.get(k) and not (k == "themes" and set(before[k]) == set(after[k]))
        }
        if differences:
            changed[key] = differences
    assert changed == {}, f"saving these questions unchanged altered them: {changed}"


def test_saving_a_question_unchanged_shows_no_change_when_comparing(client, coordinator, post, draft):
    """The compare page must not report changes nobody made (here: the order of a question's themes)."""
    key = next(q.key for q in tool_data.definition_of(draft).questions if len(q.themes) > 1)
    save_as_shown(client, post, draft, key)
    page = page_text(client.get(f"{base(draft)}/compare?against=1"))
    assert "The two versions ask exactly the same questions." in page, re.findall(
        r"<code>(.*?)</code>.*?<td[^>]*>(.*?)</td>", page, re.S
    )


def test_saving_a_scale_question_unchanged_keeps_its_allowed_answers(client, coordinator, post, ctx):
    version = tool_data.create_tool(
        {
            "schema_version": 1,
            "slug": "allow-test",
            "name": "Allow test",
            "sections": [
                {
                    "key": "only",
                    "title": "Only",
                    "questions": [
                        {
                            "key": "plan_shared",
                            "type": "scale",
                            "text": "Was the plan shared?",
                            "allow": ["not_applicable"],
                        }
                    ],
                }
            ],
        },
        None,
    )
    db.session.commit()
    before = stored_text(version.id)
    save_as_shown(client, post, version, "plan_shared")
    assert question_in(stored(version.id), "plan_shared").get("allow") == ["not_applicable"]
    assert stored_text(version.id) == before


@pytest.mark.parametrize(
    "kind, key, first_url", [("section", "family_context", "sections"), ("question", "father_engaged", "questions")]
)
def test_move_up_and_down(client, coordinator, post, draft, kind, key, first_url):
    def order():
        definition = stored(draft.id)
        if kind == "section":
            return section_keys(definition)
        return [q["key"] for s in definition["sections"] for q in s["questions"] if s["key"] == "working_with_family"]

    start = order()
    index = start.index(key)
    assert post(client, f"{base(draft)}/{first_url}/{key}/up").status_code == 302
    moved_up = order()
    assert moved_up.index(key) == index - 1 and sorted(moved_up) == sorted(start)
    assert post(client, f"{base(draft)}/{first_url}/{key}/down").status_code == 302
    assert post(client, f"{base(draft)}/{first_url}/{key}/down").status_code == 302
    assert order().index(key) == index + 1
    assert post(client, f"{base(draft)}/{first_url}/{key}/up").status_code == 302
    assert order() == start


def test_moving_the_first_section_up_leaves_the_order(client, coordinator, post, draft):
    before = section_keys(stored(draft.id))
    assert post(client, f"{base(draft)}/sections/{before[0]}/up").status_code == 302
    assert section_keys(stored(draft.id)) == before


def test_delete_a_question_and_a_section(client, coordinator, post, draft):
    before = stored(draft.id)
    response = post(client, f"{base(draft)}/questions/records_reviewed/delete")
    assert "Question records_reviewed deleted." in flashed(client, response)
    after = stored(draft.id)
    assert keys_in(after) == [k for k in keys_in(before) if k != "records_reviewed"]
    response = post(client, f"{base(draft)}/sections/oversight_challenge/delete")
    assert "Section oversight_challenge deleted." in flashed(client, response)
    after = stored(draft.id)
    assert "oversight_challenge" not in section_keys(after)
    assert question_in(after, "management_oversight") is None


def test_an_unknown_action_is_refused(client, coordinator, post, draft):
    before = stored_text(draft.id)
    assert post(client, f"{base(draft)}/questions/records_reviewed/sideways").status_code == 400
    assert post(client, f"{base(draft)}/questions/no_such_question/up").status_code == 302
    assert stored_text(draft.id) == before


# Invalid question edits: (form fields, URL under the version, problems that must all be shown).
INVALID_QUESTIONS = {
    "duplicate key": (
        "sections/overall/questions/new",
        {"key": "agency_role"},
        ['questions "agency_role": the key is used more than once'],
    ),
    "options line without a label": (
        "sections/overall/questions/new",
        {"type": "single", "options": "often | Often | 2\nsometimes\nnever |  | 0"},
        ["Line 2: write the value and label separated by '|'", "Line 3: write the value and label separated by '|'"],
    ),
    "score that is not a number": (
        "sections/overall/questions/new",
        {"type": "single", "options": "often | Often | high\nnever | Never | 0\nx | X | 1 | 2"},
        ["Line 1: the score must be a number, like 2 or 0.5", "Line 3: write the value and label separated by '|'"],
    ),
    "duplicate option value": (
        "sections/overall/questions/new",
        {"type": "single", "options": "yes | Yes\nyes | Yes again"},
        ['options: duplicate value "yes"'],
    ),
    "no options": (
        "sections/overall/questions/new",
        {"type": "multiple", "options": ""},
        ["options: must be a non-empty list"],
    ),
    "show-if on a text question": (
        "sections/overall/questions/new",
        {"show_if_question": "records_reviewed", "show_if_values": "yes"},
        ["Not a valid choice"],
    ),
    "show-if value that is not an answer": (
        "sections/overall/questions/new",
        {"show_if_question": "father_identified", "show_if_values": "maybe"},
        ['show-if values maybe are not answers to "father_identified"'],
    ),
    "show-if on itself through an edit": (
        "questions/father_identified",
        {"key": "father_identified", "show_if_question": "father_identified", "show_if_values": "yes"},
        ["Not a valid choice"],
    ),
    "show-if cycle": (
        "questions/father_identified",
        {"key": "father_identified", "show_if_question": "father_engaged", "show_if_values": "yes"},
        ["show-if conditions form a cycle"],
    ),
    "guidance link that is not a web address": (
        "sections/overall/questions/new",
        {"guidance_url": "javascript:alert(1)"},
        ["guidance_url: must be a web address starting with https:// or http://"],
    ),
    "bad key": ("sections/overall/questions/new", {"key": "Bad Key"}, ["Lower-case letters, digits and underscores"]),
    "no text": ("sections/overall/questions/new", {"text": ""}, ["Enter the question"]),
    "text of only invisible characters": (
        "sections/overall/questions/new",
        {"text": "\u200b\u2060\u3164\u2800"},
        ["Enter the question"],
    ),
    "over-long text": (
        "sections/overall/questions/new",
        {"text": "Q" * 501},
        ["The question must be 500 characters or fewer"],
    ),
}


@pytest.mark.parametrize("name", INVALID_QUESTIONS)
def test_an_invalid_question_edit_shows_each_problem_and_stores_nothing(client, coordinator, post, draft, name):
    path, fields, problems = INVALID_QUESTIONS[name]
    before = stored_text(draft.id)
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    response = post(client, f"{base(draft)}/{path}", question_form(**fields))
    assert response.status_code == 200
    page = page_text(response)
    for problem in problems:
        assert problem in page, (problem, page[page.find("<main") :][:3000])
    for name in ("key", "text", "show_if_values", "guidance_url", "options"):  # what was typed is shown again
        for line in fields.get(name, "").splitlines():
            assert line in page, (name, line)
    assert stored_text(draft.id) == before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_a_refused_designer_edit_is_announced_in_the_page_title(client, coordinator, post, draft):
    """As on every other form of the app, a page showing problems has a title starting "Error:"."""
    response = add_question(client, post, draft, "overall", key="agency_role")
    page = page_text(response)
    assert 'questions "agency_role": the key is used more than once' in page
    title = re.search(r"<title>\s*(.*?)\s*</title>", page, re.S).group(1)
    assert title.startswith("Error: "), title


def test_a_section_keyed_new_can_be_edited(client, coordinator, post, draft):
    assert post(client, f"{base(draft)}/new-section", {"key": "new", "title": "New arrivals"}).status_code == 302
    assert "new" in section_keys(stored(draft.id))
    page = page_text(client.get(f"{base(draft)}/sections/new"))
    assert "<h1" in page and "Edit section" in page, re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)


@pytest.mark.parametrize(
    "url, fields, problem",
    [
        (
            "new-section",
            {"key": "family_context", "title": "Again"},
            'sections "family_context": the key is used more than once',
        ),
        (
            "new-section",
            {"key": "a" * 46, "title": "Long key"},
            "must start with a letter and use only lower-case letters",
        ),
        ("new-section", {"key": "extra", "title": ""}, "Enter a title"),
        ("sections/family_context", {"key": "family_context", "title": ""}, "Enter a title"),
        ("details", {"name": "", "topic": "Neglect"}, "Enter a name"),
    ],
)
def test_an_invalid_section_or_details_edit_shows_the_problem_and_stores_nothing(
    client, coordinator, post, draft, url, fields, problem
):
    before = stored_text(draft.id)
    response = post(client, f"{base(draft)}/{url}", fields)
    assert response.status_code == 200
    assert problem in page_text(response)
    assert stored_text(draft.id) == before


@pytest.mark.parametrize(
    "key, problem",
    [
        ("contributory_factors", 'show-if refers to unknown key "contributory_factors"'),
        ("father_identified", 'show-if refers to unknown key "father_identified"'),
        ("contacts_in_period", None),  # nothing depends on it: deleted
    ],
)
def test_deleting_a_question_another_depends_on_is_refused(client, coordinator, post, draft, key, problem):
    before = stored_text(draft.id)
    message = flashed(client, post(client, f"{base(draft)}/questions/{key}/delete"))
    if problem:
        assert f"Question {key} was not changed" in message and problem in message
        assert stored_text(draft.id) == before
    else:
        assert f"Question {key} deleted." in message
        assert question_in(stored(draft.id), key) is None


def test_deleting_the_last_question_of_a_section_or_every_section_is_refused(client, coordinator, post, ctx):
    version = tool_data.create_tool(
        {
            "schema_version": 1,
            "slug": "tiny",
            "name": "Tiny",
            "sections": [
                {"key": "only", "title": "Only", "questions": [{"key": "only_q", "type": "text", "text": "Anything?"}]}
            ],
        },
        None,
    )
    db.session.commit()
    before = stored_text(version.id)
    message = flashed(client, post(client, f"{base(version)}/questions/only_q/delete"))
    assert "was not changed" in message and "sections[0].questions: must be a non-empty list" in message
    message = flashed(client, post(client, f"{base(version)}/sections/only/delete"))
    assert "was not changed" in message and "sections: must be a non-empty list" in message
    assert stored_text(version.id) == before


# --------------------------------------------------------------------------- publishing and versions


def designer_requests(version: ToolVersion) -> list[tuple[str, str, dict]]:
    """Every designer request (method, URL, plausible form data) for a version of the built-in tool."""
    at = base(version)
    requests = [
        ("GET", f"{at}/{path}", {})
        for path in (
            "details",
            "new-section",
            "sections/family_context",
            "sections/family_context/questions/new",
            "questions/father_engaged",
        )
    ]
    requests += [
        ("POST", f"{at}/details", {"name": "Changed", "topic": "Changed", "description": "Changed"}),
        ("POST", f"{at}/new-section", {"key": "extra", "title": "Extra"}),
        ("POST", f"{at}/sections/family_context", {"key": "family_context", "title": "Changed"}),
        ("POST", f"{at}/sections/family_context/questions/new", question_form(key="extra_q")),
        ("POST", f"{at}/questions/father_engaged", question_form(key="father_engaged", text="Changed?")),
    ]
    for action in ("up", "down", "delete"):
        requests += [
            ("POST", f"{at}/sections/family_context/{action}", {}),
            ("POST", f"{at}/questions/father_engaged/{action}", {}),
        ]
    return requests


def test_publish_makes_the_version_immutable(app, client, coordinator, post, draft):
    # An edit while it is a draft works, so the refusals below are about publishing.
    assert post(client, f"{base(draft)}/questions/father_engaged/up").status_code == 302
    response = post(client, f"{base(draft)}/publish")
    assert "Published. This version can now be chosen for audits" in flashed(client, response)
    row = stored_row(draft.id)
    assert row["status"] == "published" and row["published_at"] is not None
    before = stored_text(draft.id)
    requests = designer_requests(draft)
    designer_views = {
        endpoint for endpoint, view in app.view_functions.items() if view.__module__ == "audit_app.tools.designer"
    }
    adapter = app.url_map.bind("localhost")
    assert {adapter.match(url, method)[0] for method, url, _ in requests} == designer_views
    for method, url, data in requests:
        response = client.get(url) if method == "GET" else post(client, url, data)
        assert response.status_code == 409, (method, url, response.status_code)
        assert "This can no longer be changed" in page_text(response)
        assert stored_text(draft.id) == before, (method, url)
    page = page_text(client.get(base(draft)))
    assert "can never change" in page
    assert "Edit section" not in page and "Add a question" not in page and "Publish this version" not in page
    # Publishing twice is refused too.
    assert "Only a draft can be published" in flashed(client, post(client, f"{base(draft)}/publish"))
    assert stored_text(draft.id) == before


def test_the_frozen_guard_refuses_a_change_made_outside_the_designer(builtin):
    version = db.session.get(ToolVersion, builtin.id)
    before = stored_text(version.id)
    changed = json.loads(before)
    changed["name"] = "Changed behind the designer's back"
    version.definition = changed
    with pytest.raises(tool_data.FrozenVersionError):
        db.session.flush()
    db.session.rollback()
    assert stored_text(version.id) == before


def test_the_frozen_guard_refuses_unpublishing_and_changing_in_one_go(builtin):
    """Setting the status back to draft in the same flush must not open the door.

    After a commit (or rollback) every loaded object is expired, as in any code that
    committed earlier; the guard must still know the version was published.
    """
    version_id, before = builtin.id, stored_text(builtin.id)
    changed = json.loads(before)
    changed["name"] = "Changed behind the designer's back"
    version = db.session.get(ToolVersion, version_id)
    db.session.commit()  # expires ``version``: nothing below reads it before changing it
    version.status, version.definition = "draft", changed
    try:
        with pytest.raises(tool_data.FrozenVersionError):
            db.session.flush()
    finally:
        db.session.rollback()
    assert stored_text(version_id) == before


def test_new_draft_version_copies_the_latest_version(client, coordinator, post, builtin):
    tool_id = builtin.tool_id
    v1 = stored_text(builtin.id)
    response = post(client, f"{base(builtin)}/new-version")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tools/{tool_id}/v2")
    assert "A new draft version has been created" in flashed(client, response)
    versions = versions_of(NEGLECT)
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published"), (2, "draft")]
    assert stored(versions[1]["id"]) == json.loads(v1)

    # Only one draft at a time.
    before = row_counts()
    response = post(client, f"{base(builtin)}/new-version")
    message = flashed(client, response)
    assert "Version 2 of Multi-agency neglect case audit is already a draft: edit or publish it first." in message
    assert row_counts() == before
    assert "Create a new draft version" not in page_text(client.get(base(builtin)))

    # Version 3 copies version 2 (the latest), even when asked from version 1's page.
    v2 = db.session.get(ToolVersion, versions[1]["id"])
    assert add_question(client, post, v2, "overall", key="added_in_v2").status_code == 302
    assert post(client, f"{base(v2)}/publish").status_code == 302
    assert post(client, f"{base(builtin)}/new-version").status_code == 302
    versions = versions_of(NEGLECT)
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published"), (2, "published"), (3, "draft")]
    assert stored(versions[2]["id"]) == stored(versions[1]["id"])
    assert question_in(stored(versions[2]["id"]), "added_in_v2") is not None
    assert stored_text(builtin.id) == v1


def test_retire_hides_a_version_from_new_audits_but_pinned_audits_keep_working(
    client, coordinator, post, factory, login, draft
):
    auditor = factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()  # pinned to version 1
    v1 = audit.tool_version
    assert v1.version == 1
    assert post(client, f"{base(draft)}/publish").status_code == 302
    options = page_text(client.get("/audits/new"))
    assert f'value="{v1.id}"' in options and f'value="{draft.id}"' in options

    before = stored_text(v1.id)
    response = post(client, f"{base(v1)}/retire")
    assert "Retired. Audits already using this version keep it" in flashed(client, response)
    assert stored_row(v1.id)["status"] == "retired"
    assert stored_text(v1.id) == before
    options = page_text(client.get("/audits/new"))
    assert f'value="{v1.id}"' not in options and f'value="{draft.id}"' in options
    # Retiring twice is refused.
    assert "Only a published version can be retired" in flashed(client, post(client, f"{base(v1)}/retire"))

    # An audit pinned to the retired version still opens its returns.
    ret = factory.return_for(audit, "CSC")
    assert auditor.agency.short_name == "CSC"
    other = client.application.test_client()
    login(other, "csc@test.example")
    page = page_text(other.get(f"/returns/{ret.id}"))
    definition = tool_data.definition_of(db.session.get(ToolVersion, v1.id))
    for question in definition.questions:
        assert f'name="q_{question.key}"' in page, question.key


def test_a_draft_cannot_be_retired(client, coordinator, post, draft):
    assert "Only a published version can be retired" in flashed(client, post(client, f"{base(draft)}/retire"))
    assert stored_row(draft.id)["status"] == "draft"


# --------------------------------------------------------------------------- no route changes a published version


def _plausible_form(version: ToolVersion) -> dict:
    """One form that satisfies every tools form, so each POST gets as far as it can."""
    exported = json.loads(stored_text(version.id))
    exported["name"] = "Imported over the top"
    return {
        **question_form(key="father_engaged", text="Changed through a route?"),
        "name": "A changed name",
        "topic": "Changed",
        "description": "Changed",
        "title": "Changed",
        "slug": "walked-copy",
        "start_from": str(version.id),
        "file": (io.BytesIO(json.dumps(exported).encode()), "tool.json"),
    }


def test_no_route_changes_a_published_version(app, client, coordinator, post, csrf, builtin):
    """Every POST route under /tools/, for every action, against each published version: no definition changes."""
    practice = tool_data.tool_by_slug("neglect-practice-single-agency").versions[0]
    published = {v.id: stored_text(v.id) for v in (builtin, practice)}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/tools/") and "POST" in r.methods]
    assert len(rules) >= 10, [r.rule for r in rules]
    posted = []
    for version in (builtin, practice):
        definition = json.loads(published[version.id])
        section = definition["sections"][1]
        for rule in rules:
            for action in ("up", "down", "delete", "publish") if "<action>" in rule.rule else ("",):
                url = (
                    rule.rule.replace("<int:tool_id>", str(version.tool_id))
                    .replace("<int:number>", "1")
                    .replace("<section_key>", section["key"])
                    .replace("<key>", section["questions"][0]["key"])
                    .replace("<action>", action)
                )
                assert "<" not in url, url
                form = {
                    **_plausible_form(version),
                    "slug": f"copy-of-{version.id}",
                    "csrf_token": csrf(client, "/tools/new"),
                }
                response = client.post(url, data=form, content_type="multipart/form-data")
                assert response.status_code in (200, 302, 400, 409), (url, response.status_code)
                posted.append(url)
                for version_id, text in published.items():
                    assert stored_text(version_id) == text, f"POST {url} changed published version {version_id}"
    assert len(posted) >= 30
    # The walk did reach the routes that create things: copies and new draft versions exist, unpublished.
    assert tool_data.tool_by_slug(f"copy-of-{builtin.id}") is not None
    for slug in (NEGLECT, "neglect-practice-single-agency"):
        statuses = [v["status"] for v in versions_of(slug)]
        assert statuses[0] == "retired" and set(statuses[1:]) == {"draft"}, (slug, statuses)


def test_cli_import_of_the_same_slug_makes_a_new_draft_and_leaves_the_published_version(runner, builtin, tmp_path):
    before = stored_text(builtin.id)
    changed = json.loads(before)
    changed["name"] = "Multi-agency neglect case audit, revised"
    question_in(changed, "child_seen_alone")["text"] = "Was the child seen without their parents?"
    path = tmp_path / "revised.json"
    path.write_text(json.dumps(changed), "utf-8")
    result = runner.invoke(args=["tools", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Imported {NEGLECT} as draft version 2" in result.output
    assert stored_text(builtin.id) == before
    versions = versions_of(NEGLECT)
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published"), (2, "draft")]
    assert (
        question_in(stored(versions[1]["id"]), "child_seen_alone")["text"]
        == "Was the child seen without their parents?"
    )


# --------------------------------------------------------------------------- pinned versions


def test_an_audit_keeps_its_pinned_version_while_the_tool_gets_a_new_one(client, coordinator, post, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    v1 = audit.tool_version
    old_text = tool_data.definition_of(v1).question("child_seen_alone").text
    assert post(client, f"{base(v1)}/new-version").status_code == 302
    v2 = tool_data.get_version(v1.tool_id, 2)
    assert (
        add_question(client, post, v2, "overall", key="added_in_v2", text="A question only version 2 asks").status_code
        == 302
    )
    assert (
        post(
            client,
            f"{base(v2)}/questions/child_seen_alone",
            question_form(key="child_seen_alone", text="Reworded in version 2?"),
        ).status_code
        == 302
    )
    assert post(client, f"{base(v2)}/publish").status_code == 302
    assert stored_row(v2.id)["status"] == "published"

    with db.engine.connect() as conn:
        pinned = conn.execute(
            sa.text("SELECT tool_version_id FROM audits WHERE id = :id"), {"id": audit.id}
        ).scalar_one()
    assert pinned == v1.id
    auditor = client.application.test_client()
    login(auditor, "csc@test.example")
    page = page_text(auditor.get(f"/returns/{factory.return_for(audit, 'CSC').id}"))
    assert old_text in page and "Reworded in version 2?" not in page
    assert 'name="q_added_in_v2"' not in page and "A question only version 2 asks" not in page
    shown = set(re.findall(r'name="(q_[a-z0-9_]+)"', page))
    assert shown == {f"q_{q.key}" for q in tool_data.definition_of(v1).questions}


# --------------------------------------------------------------------------- preview, compare, export


def test_preview_renders_every_question_like_the_return_form_and_saves_nothing(
    client, coordinator, factory, login, builtin
):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    auditor = client.application.test_client()
    login(auditor, "csc@test.example")
    rows_before = (
        row_counts(),
        db.session.scalar(select(func.count(Answer.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )
    stored_before = stored_text(builtin.id)
    response = client.get(f"{base(builtin)}/preview")
    assert response.status_code == 200
    preview = page_text(response)
    definition = tool_data.definition_of(builtin)
    for question in definition.questions:
        assert f'name="q_{question.key}"' in preview, question.key
        assert question.text in preview, question.key
    return_page = auditor.get(f"/returns/{factory.return_for(audit, 'CSC').id}").get_data(as_text=True)
    names = lambda text: re.findall(r'name="(q_[a-z0-9_]+)"', text)  # noqa: E731
    assert sorted(set(names(preview))) == sorted(set(names(return_page)))
    assert names(preview) == names(return_page)  # same fields in the same order
    assert client.post(f"{base(builtin)}/preview").status_code == 405
    assert (
        row_counts(),
        db.session.scalar(select(func.count(Answer.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    ) == rows_before
    assert stored_text(builtin.id) == stored_before


def test_preview_of_a_draft_shows_a_question_just_added(client, coordinator, post, draft):
    add_question(client, post, draft, "overall", key="added_now", text="Was anything added just now?")
    preview = page_text(client.get(f"{base(draft)}/preview"))
    assert 'name="q_added_now"' in preview and "Was anything added just now?" in preview


def edit_as_shown(client, post, version, key, **changes):
    """Open a question in the designer, change some fields, save: as a coordinator would."""
    form = form_as_shown(client.get(f"{base(version)}/questions/{key}"))
    return post(client, f"{base(version)}/questions/{key}", {**form, **changes})


def test_compare_shows_added_reworded_and_changed_answers(client, coordinator, post, draft):
    definition = tool_data.definition_of(draft)
    old_text = definition.question("child_seen_alone").text
    role = definition.question("agency_role")
    assert add_question(client, post, draft, "overall", key="bedroom_seen").status_code == 302
    assert (
        edit_as_shown(client, post, draft, "child_seen_alone", text="Was the child seen on their own?").status_code
        == 302
    )
    options = "\n".join(f"{o.value} | {o.label} | 3" for o in role.options)
    assert edit_as_shown(client, post, draft, "agency_role", options=options).status_code == 302
    page = page_text(client.get(f"{base(draft)}/compare?against=1"))
    assert "Changes in version 2 since version 1" in page
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S)
    changes = [
        (re.search(r"<code>(.*?)</code>", r).group(1), re.sub(r"<(ins|del) [^>]*>", r"<\1>", r))
        for r in rows
        if "<code>" in r
    ]
    assert "3 changes" in page, [c[0] for c in changes]
    [added] = [r for subject, r in changes if subject == "question bedroom_seen"]
    assert "Question added" in added and "<ins>Was the child's bedroom seen?</ins>" in added
    [reworded] = [r for subject, r in changes if subject == "question child_seen_alone"]
    assert "Question reworded" in reworded
    assert f"<del>{old_text}</del>" in reworded and "<ins>Was the child seen on their own?</ins>" in reworded
    [options_changed] = [r for subject, r in changes if subject == "question agency_role"]
    assert "Answers or scores changed" in options_changed
    assert f"<del>{role.options[0].label}; " in options_changed
    assert f"<ins>{role.options[0].label} (3); " in options_changed


def test_compare_of_the_same_questions_says_so(client, coordinator, draft):
    page = page_text(client.get(f"{base(draft)}/compare"))
    assert "Changes in version 2 since version 1" in page
    assert "The two versions ask exactly the same questions." in page


def test_compare_from_version_1_does_not_claim_there_is_only_one_version(client, coordinator, builtin, draft):
    page = page_text(client.get(f"{base(builtin)}/compare"))
    assert "This tool has only one version." not in page


@pytest.mark.parametrize("which", [0, 1])
def test_export_downloads_json_that_parses_back_to_an_equal_definition(client, coordinator, builtin, which):
    version = tool_data.ensure_builtin_tools()[which]
    response = client.get(f"{base(version)}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{version.tool.slug}-v1.json"'
    data = json.loads(response.get_data(as_text=True))
    assert parse_definition(data) == tool_data.definition_of(version)
    assert parse_definition(data) == parse_definition(stored(version.id))


def test_export_of_an_edited_draft(client, coordinator, post, draft):
    add_question(client, post, draft, "overall", key="bedroom_seen", type="single", options="a | A | 1\nb | B")
    data = json.loads(client.get(f"{base(draft)}/export.json").get_data(as_text=True))
    assert parse_definition(data) == parse_definition(stored(draft.id))
    assert question_in(data, "bedroom_seen")["options"] == [
        {"value": "a", "label": "A", "score": 1.0},
        {"value": "b", "label": "B"},
    ]


# --------------------------------------------------------------------------- import through the page


def upload(client, post, data: bytes, filename: str = "tool.json"):
    return post(client, "/tools/import", {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_import_of_a_good_file_creates_a_draft(client, coordinator, post, builtin):
    raw = json.loads(stored_text(builtin.id))
    raw.update(slug="imported-neglect", name="Neglect audit from another partnership")
    before = row_counts()
    response = upload(client, post, json.dumps(raw).encode("utf-8"))
    assert response.status_code == 302
    [version] = versions_of("imported-neglect")
    assert (version["version"], version["status"]) == (1, "draft")
    assert response.headers["Location"].endswith("/v1")
    assert row_counts() == (before[0] + 1, before[1] + 1)
    assert parse_definition(stored(version["id"])) == parse_definition(raw)
    assert "Imported as draft version 1 of Neglect audit from another partnership" in flashed(client, response)


def test_import_of_a_file_with_an_existing_slug_becomes_the_next_draft(client, coordinator, post, builtin):
    before = stored_text(builtin.id)
    raw = json.loads(before)
    raw["description"] = "Revised elsewhere."
    response = upload(client, post, json.dumps(raw).encode("utf-8"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/v2")
    assert stored_text(builtin.id) == before
    assert [v["status"] for v in versions_of(NEGLECT)] == ["published", "draft"]
    # A second import while version 2 is a draft is refused.
    counts = row_counts()
    response = upload(client, post, json.dumps(raw).encode("utf-8"))
    assert "Version 2 of Multi-agency neglect case audit is already a draft" in page_text(response)
    assert row_counts() == counts


def broken_tool() -> tuple[dict, list[str]]:
    raw, _ = load_builtin()
    raw = json.loads(json.dumps(raw))
    raw["slug"] = "broken-tool"
    sections = raw["sections"]
    single = next((i, j) for i, s in enumerate(sections) for j, q in enumerate(s["questions"]) if q["type"] == "single")
    question = sections[single[0]]["questions"][single[1]]
    question["options"].append(dict(question["options"][0]))
    sections[0]["questions"][1]["type"] = "essay"
    sections[2]["questions"][0]["show_if"] = {"question": "q99", "values": ["yes"]}
    sections[3]["title"] = ""
    return raw, [
        f'sections[{single[0]}].questions[{single[1]}].options: duplicate value "{question["options"][0]["value"]}"',
        "sections[0].questions[1].type: 'essay' is not one of",
        f'questions "{sections[2]["questions"][0]["key"]}": show-if refers to unknown key "q99"',
        "sections[3].title: must be a non-empty string",
    ]


def test_import_of_a_broken_file_lists_every_problem_and_changes_nothing(client, coordinator, post, builtin):
    raw, problems = broken_tool()
    before = row_counts()
    published = stored_text(builtin.id)
    response = upload(client, post, json.dumps(raw).encode("utf-8"))
    assert response.status_code == 200
    page = page_text(response)
    for problem in problems:
        assert problem in page, (problem, page[page.find("<main") :][:3000])
    assert "The file was not imported" in page
    assert row_counts() == before
    assert stored_text(builtin.id) == published
    assert tool_data.tool_by_slug("broken-tool") is None


@pytest.mark.parametrize(
    "data, message",
    [
        (b"slug: not-json\nname: YAML perhaps\n", "The file is not a JSON tool file"),
        (b"", "The file is not a JSON tool file"),
        ('{"name": "Caf\u00e9"}'.encode("latin-1"), "The file is not a JSON tool file"),
        ("{}".encode("utf-16"), "The file is not a JSON tool file"),
        (b"[1, 2, 3]", "the definition must be a JSON object"),
    ],
)
def test_import_of_a_file_that_is_not_a_json_tool_file_is_refused_clearly(
    client, coordinator, post, builtin, data, message
):
    before = row_counts()
    response = upload(client, post, data)
    assert response.status_code == 200
    page = page_text(response)
    assert message in page and "The file was not imported" in page
    assert row_counts() == before


@pytest.mark.parametrize("slug", ['partnership "north" 2027', "north\n2027"])
def test_an_imported_tool_can_be_exported_again(client, coordinator, post, builtin, slug):
    """Either the import refuses a short name the "Create a tool" form would refuse, or its export still works."""
    raw = json.loads(stored_text(builtin.id))
    raw["slug"] = slug
    response = upload(client, post, json.dumps(raw).encode("utf-8"))
    if response.status_code == 200:  # refused: then it must say why
        assert "slug" in page_text(response) and tool_data.tool_by_slug(slug) is None
        return
    tool = tool_data.tool_by_slug(slug)
    try:
        exported = client.get(f"/tools/{tool.id}/v1/export.json")
    except ValueError as error:  # the test client passes on what would be a 500 error page
        pytest.fail(f"exporting the imported tool {slug!r} failed: {error}")
    assert exported.status_code == 200
    _, options = parse_options_header(exported.headers["Content-Disposition"])
    assert options.get("filename") == f"{slug}-v1.json", exported.headers["Content-Disposition"]


# --------------------------------------------------------------------------- access


def test_an_auditor_can_neither_open_the_tools_nor_change_a_draft(client, factory, login, post, draft):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    login(client, "csc@test.example")
    before = row_counts(), stored_text(draft.id)
    assert client.get("/tools/").status_code == 403
    assert client.get(f"{base(draft)}/questions/father_engaged").status_code == 403
    for url, data in [
        (f"{base(draft)}/questions/father_engaged/delete", {}),
        (f"{base(draft)}/questions/father_engaged", question_form(key="father_engaged", text="Hacked?")),
        (f"{base(draft)}/new-section", {"key": "extra", "title": "Extra"}),
        (f"{base(draft)}/publish", {}),
        (f"{base(draft)}/new-version", {}),
    ]:
        assert post(client, url, data).status_code == 403, url
    assert (row_counts(), stored_text(draft.id)) == before
    assert stored_row(draft.id)["status"] == "draft"


def test_a_saved_draft_is_recorded_in_the_trail_by_what_changed_not_as_the_whole_tool(draft):
    """The trail showed every label of the tool as a digest: a page 21,000 pixels long for one save."""
    changed = json.loads(stored_text(draft.id))
    question = changed["sections"][0]["questions"][0]
    question["text"] = question["text"] + " (reworded)"
    tool_data.save_draft(draft, changed, None)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tool.draft_saved")).one()
    assert event.after["changed"] == [question["key"]]
    assert event.after["questions"] == event.before["questions"] == len(keys_in(changed))
    assert len(json.dumps([event.before, event.after])) < 600  # a few facts, never the tool's every label


def test_publishing_first_shows_a_page_saying_what_becomes_permanent(client, coordinator, post, draft):
    version_page = page_text(client.get(base(draft)))
    assert "Publish this version" in version_page
    assert f'href="{base(draft)}/publish"' in client.get(base(draft)).get_data(as_text=True)
    page = page_text(client.get(f"{base(draft)}/publish"))
    assert "become permanent" in page and "Publishing cannot be undone." in page
    assert stored_row(draft.id)["status"] == "draft"  # looking changes nothing
    assert "Published." in flashed(client, post(client, f"{base(draft)}/publish"))
    assert stored_row(draft.id)["status"] == "published"
    assert "only a draft can be published" in page_text(client.get(f"{base(draft)}/publish"))
