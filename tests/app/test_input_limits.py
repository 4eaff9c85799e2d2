"""Input the database cannot hold gets a clear 4xx answer, never a 500 (issue 16, item 7).

Ids beyond PostgreSQL's ``integer``, page numbers of any size, NUL and other control characters in
any text sent, and hostile tool files. Run on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from flask import request
from sqlalchemy import select
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, EvidenceNote, Return
from audit_tools.returns import as_typed
from audit_tools.tools import LONGTEXT, TEXT
from tests.app.conftest import csrf_token

HUGE_IDS = (2**31, 2**63, 10**30)
NUL_VARIANTS = ("\x00", "a\x00b", "\x00\x00\x00", "before\x00", "line\x00\nnext", "\x01\x07\x1b[0m\x1f")


def _int_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(getattr(conv, "num_convert", None) is int for conv in rule._converters.values())
    ]


def _urls_with_a_huge_id(rule):
    """The rule's path with each int argument in turn set to a huge value (the others 1, strings "x")."""
    ints = [name for name, conv in rule._converters.items() if getattr(conv, "num_convert", None) is int]
    for huge in HUGE_IDS:
        for name in ints:
            values = {n: "x" for n in rule.arguments} | {n: 1 for n in ints} | {name: huge}
            yield re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m, values=values: str(values[m.group(1)]), rule.rule)


def test_the_walk_finds_every_int_route(app):
    rules = _int_rules(app)
    assert len(rules) > 60  # every <int:…> route in the app, from every blueprint
    assert {r.endpoint.split(".")[0] for r in rules} >= {
        "audits",
        "returns",
        "panel",
        "tools",
        "briefings",
        "learning",
        "themes",
        "admin",
    }


@pytest.mark.parametrize("who", [None, "admin", "coordinator"])
def test_ids_beyond_the_database_integer_are_not_found_on_every_int_route(app, client, factory, login, who):
    if who:
        factory.user(who, email=f"{who}@test.example")
        login(client, f"{who}@test.example")
    token = csrf_token(client, "/login" if who is None else "/")
    wrong = []
    for rule in _int_rules(app):
        for path in _urls_with_a_huge_id(rule):
            assert "<" not in path, path
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                try:
                    response = client.open(path, method=method, data={"csrf_token": token})
                    status = response.status_code
                except Exception as error:  # noqa: BLE001 — what a 500 would have been
                    status = f"{type(error).__name__}"
                if status != 404 and not (method != "GET" and status == 405):  # 405: a GET-only twin matched
                    wrong.append((method, path, status))
    assert not wrong, wrong[:20]


def test_the_largest_database_id_still_reaches_the_view(client, factory, login):
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    assert client.get(f"/audits/{2**31 - 1}").status_code == 404  # no such audit, asked of the database
    audit = factory.audit()
    assert client.get(f"/audits/{audit.id}").status_code == 200
    assert client.get("/audits/0").status_code == 404
    assert client.get(f"/audits/{audit.id:08d}").status_code in (200, 308, 404)  # never a 500


@pytest.mark.parametrize("page", [str(2**31), str(2**63), str(10**30), "-5", "0", "abc", "1e9", "²", "", "\x00"])
def test_any_page_number_on_the_audit_trail_is_answered(client, factory, login, page):
    factory.user("admin", email="a@test.example")
    login(client, "a@test.example")
    response = client.get("/admin/events", query_string={"page": page})
    assert response.status_code == 200
    assert "events" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", [str(2**31), str(10**30), "²", "-1", "\x00"])
def test_any_user_filter_on_the_audit_trail_is_answered(client, factory, login, user):
    factory.user("admin", email="a@test.example")
    login(client, "a@test.example")
    assert client.get("/admin/events", query_string={"user": user}).status_code == 200
    assert client.get("/admin/events.csv", query_string={"user": user}).status_code == 200


def test_a_page_beyond_the_last_shows_the_last_page_of_the_trail(client, factory, login):
    factory.user("admin", email="a@test.example")
    login(client, "a@test.example")
    html = client.get("/admin/events", query_string={"page": str(10**30)}).get_data(as_text=True)
    assert "a@test.example" in html or "signed in" in html.lower()  # the sign-in event is listed, not an empty page


@pytest.mark.parametrize("page", [str(2**31), str(10**30), "-5", "abc", "\x00"])
def test_any_page_number_on_the_coding_page_is_answered(client, factory, login, page):
    factory.user("coordinator", email="c@test.example")
    audit = factory.audit(state="analysis")
    login(client, "c@test.example")
    assert client.get(f"/audits/{audit.id}/coding", query_string={"page": page}).status_code == 200


# ---------------------------------------------------------------- NUL and other control characters


def test_nul_is_removed_from_every_form_query_and_json_value_and_nothing_else(app):
    with app.test_request_context("/?q=a%00b&q=%01c", method="POST", data={"x\x00": ["t\x00e\tx\r\nt\x1b", "\x00"]}):
        assert request.form.to_dict(flat=False) == {"x": ["te\tx\r\nt\x1b", ""]}
        assert request.args.to_dict(flat=False) == {"q": ["ab", "\x01c"]}
        assert request.values.getlist("q") == ["ab", "\x01c"]
    with app.test_request_context("/", method="POST", data={"file": (io.BytesIO(b"x"), "fr\x00ame.csv")}):
        assert request.files["file"].filename == "frame.csv"
    with app.test_request_context("/", method="POST", json={"k\x00": ["v\x00", {"w": "\x07z\x00"}], "n": 1}):
        assert request.get_json() == {"k": ["v", {"w": "\x07z"}], "n": 1}


def test_a_deeply_nested_json_body_is_refused_not_crashed(app):
    body = "[" * 100_000 + "]" * 100_000
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        with pytest.raises(BadRequest):
            request.get_json()
        assert request.get_json(silent=True) is None


@pytest.mark.parametrize("email", ["a\x00@test.example", "\x00", "nobody@test.example\x00"])
def test_a_nul_in_the_sign_in_email_gets_the_sign_in_page(client, factory, email):
    factory.user("auditor", agency=factory.agency("CSC"), email="a@test.example")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": "wrong", "csrf_token": token})
    assert response.status_code in (200, 302, 400, 429)


def test_a_nul_in_the_sign_in_email_still_signs_the_right_person_in(client, factory):
    factory.user("auditor", agency=factory.agency("CSC"), email="a@test.example")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": "a@test.\x00example", "password": factory.password, "csrf_token": token}
    )
    assert response.status_code == 302


def test_a_nul_in_a_category_name_is_removed(client, factory, login, post):
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    assert post(client, "/categories", {"name": "Early\x00 help"}).status_code == 302
    assert "Early help" in client.get("/categories").get_data(as_text=True)
    assert client.get("/categories/early%00help/edit").status_code == 404


def test_nul_in_every_text_field_and_note_of_a_return_is_saved_without_it(client, factory, login, post):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    definition = definition_of(audit.tool_version)
    fields = [q for q in definition.questions if q.type in (TEXT, LONGTEXT) and q.show_if is None]
    noted = [q for q in definition.questions if q.takes_note and q.show_if is None][:4]
    login(client, "csc@test.example")
    for number, variant in enumerate(NUL_VARIANTS):
        data = {f"q_{q.key}": f"{q.key}{variant}{number}" for q in fields}
        data |= {f"n_{q.key}": f"note{variant}" for q in noted}
        version = db.session.scalar(select(Return.version).where(Return.id == ret.id))
        url = f"/returns/{ret.id}/autosave" if number % 2 else f"/returns/{ret.id}"
        response = post(client, url, {**data, "version": str(version), "save_draft": "y"})
        assert response.status_code in (200, 302), (number, response.status_code)
        db.session.expire_all()
        stored = dict(
            db.session.execute(select(Answer.question_key, Answer.value).where(Answer.return_id == ret.id)).all()
        )
        clean = variant.replace("\x00", "")
        for question in fields:
            assert stored[question.key] == as_typed(f"{question.key}{clean}{number}"), (number, question.key)
        notes = dict(
            db.session.execute(
                select(EvidenceNote.question_key, EvidenceNote.text).where(EvidenceNote.return_id == ret.id)
            ).all()
        )
        assert notes == {q.key: as_typed(f"note{clean}") for q in noted if as_typed(f"note{clean}")}


@pytest.mark.parametrize(
    "error",
    [
        DataError("INSERT …", {}, Exception("integer out of range")),
        RecursionError("maximum recursion depth exceeded"),
        OverflowError("Python int too large to convert to SQLite INTEGER"),
    ],
    ids=["DataError", "RecursionError", "OverflowError"],
)
def test_a_data_error_anywhere_gets_a_400_page(app, client, factory, login, monkeypatch, error):
    from audit_app.main import routes as main_routes

    def refuse():
        raise error

    monkeypatch.setattr(main_routes.home, "audits_by_stage", refuse)
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not be stored" in html and str(error) not in html and "INSERT" not in html


# ---------------------------------------------------------------- tool files


def _import(client, post, content: bytes):
    return post(
        client, "/tools/import", {"file": (io.BytesIO(content), "tool.json")}, content_type="multipart/form-data"
    )


@pytest.fixture
def coordinator(client, factory, login):
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    return client


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"schema_version": ' + b"9" * 900_000 + b"}", "a number with more than"),
        (b'{"schema_version": 1, "name": "' + b"x" * (1024 * 1024) + b'"}', "larger than 1 MB"),
    ],
    ids=["nested-100000-deep", "900000-digit-number", "over-1-MB"],
)
def test_hostile_tool_files_are_refused_with_a_clear_message(client, post, coordinator, content, expected):
    response = _import(client, post, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert expected in html
    assert "Unterminated string" not in html


def test_a_tool_file_with_nul_in_its_text_is_refused_or_cleaned(client, post, coordinator):
    from audit_tools.tools import load_builtin

    raw, _ = load_builtin()
    raw = json.loads(json.dumps(raw))
    raw["slug"] = "nul-tool"
    raw["name"] = "Nul\x00 tool"
    raw["sections"][0]["title"] = "Section\x00"
    response = _import(client, post, json.dumps(raw).encode())
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "control character" in html


QUERY_NAMES = (
    "page",
    "user",
    "theme",
    "audit",
    "lead_agency",
    "against",
    "category",
    "rag",
    "show",
    "source",
    "action",
    "object",
    "layout",
    "agency",
    "differ",
    "restore",
    "q",
    "verify",
)


@pytest.mark.parametrize("value", [str(10**30), str(2**31), "-1", "\x00", "9" * 5000, "²"])
def test_every_page_of_an_audit_or_none_answers_hostile_query_strings(app, client, factory, login, value):
    factory.user("admin", "coordinator", "editor", email="all@test.example")
    audit = factory.audit(state="analysis")
    login(client, "all@test.example")
    query = {name: value for name in QUERY_NAMES}
    wrong = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments - {"audit_id"} or rule.endpoint in ("static", "auth.logout"):
            continue
        path = rule.rule.replace("<int:audit_id>", str(audit.id))
        try:
            status = client.get(path, query_string=query).status_code
        except Exception as error:  # noqa: BLE001 — what a 500 would have been
            status = type(error).__name__
        if not isinstance(status, int) or status >= 500:
            wrong.append((path, status))
    assert not wrong, wrong


# ---------------------------------------------------------------- frames: NUL in a cell, hostile workbooks


@pytest.fixture
def setup_audit(client, factory, login):
    factory.user("coordinator", email="co@test.example")
    factory.agency("CSC")
    audit = factory.audit(state="setup", cases=0, agencies=("CSC",))
    login(client, "co@test.example")
    return audit


def _upload(client, post, audit, data: bytes, filename: str):
    return post(
        client, f"/audits/{audit.id}/frame", {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def test_a_frame_with_nul_in_a_cell_is_refused_with_line_and_column(client, post, setup_audit):
    from audit_app.models import SampleFrame

    data = b"reference,age_years,locality,plan_type\nNA-1,3,North\x00field,CP\nNA-2,4,Eastgate,CP\n"
    response = _upload(client, post, setup_audit, data, "fr\x00ame.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Line 2, column C (locality): the value holds a control character (such as NUL)" in html
    assert db.session.scalar(select(SampleFrame)) is None
    good = data.replace(b"\x00", b"")
    assert _upload(client, post, setup_audit, good, "fr\x00ame.csv").status_code == 302
    assert db.session.scalar(select(SampleFrame.filename)) == "frame.csv"


def test_a_workbook_of_a_million_formatted_rows_is_refused_as_too_many_rows(client, post, setup_audit):
    from tests import hostile_workbooks

    response = _upload(client, post, setup_audit, hostile_workbooks.formatted_empty_rows(), "frame.xlsx")
    assert response.status_code == 200
    assert "The worksheet has too many rows: more than 101,000" in response.get_data(as_text=True)
