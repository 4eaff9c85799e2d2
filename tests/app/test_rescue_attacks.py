"""Kept-work rescue can no longer be used as a weapon (issue 16, item 3).

A signed-out post to a return is kept only when this site's own page sent it for that person: it
carries the rescue token the app put on the form (signed, bound to the auditor and the return, a
day old at most) and no browser header says it came from another site. Kept drafts are capped and
rate-limited, unknown and existing return ids get the same answer, and a restored draft is merged
over the saved answers instead of blanking what it does not contain.
"""

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from audit_app import security
from audit_app.data import rescue as rescue_data
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, RescuedDraft
from audit_tools.tools import LONGTEXT, MULTIPLE, SCALE

SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
PLANTED = "Planted by another site"
RATIONALE = "q_overall_rationale"
REAL_TIME = time.time
BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE


@pytest.fixture
def setup(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    login(client, "csc@test.example")
    return audit, ret, definition_of(audit.tool_version)


def rescue_token(client, return_id: int) -> str:
    """The rescue token on the return form as this client sees it ("" when the page has none)."""
    match = re.search(r'name="rescue" value="([^"]+)"', client.get(f"/returns/{return_id}").get_data(as_text=True))
    return match.group(1) if match else ""


def kept_drafts() -> int:
    return db.session.scalar(select(func.count()).select_from(RescuedDraft))


def end_session(monkeypatch, minutes: int = 31) -> None:
    """The auditor stepped away: the session's idle clock runs out."""
    monkeypatch.setattr(security.time, "time", lambda: REAL_TIME() + minutes * 60)


def typed(token: str, text: str = "An afternoon's reasoning", **fields) -> dict:
    return {"version": "1", "save_draft": "y", RATIONALE: text, "rescue": token, **fields}


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://sub.localhost"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},  # a data: page or a sandboxed frame
        {"Referer": "https://elsewhere.example/form.html"},
    ],
    ids=["cross-site", "same-site-not-same-origin", "fetch-site-only", "origin-only", "null-origin", "referer-only"],
)
def test_a_post_from_another_site_keeps_nothing_even_with_a_real_token(app, client, setup, headers):
    _, ret, _ = setup
    token = rescue_token(client, ret.id)
    victim = app.test_client()  # another site's page posts from the auditor's browser without its cookie
    response = victim.post(f"/returns/{ret.id}", data=typed(token, PLANTED), headers=headers)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert kept_drafts() == 0
    assert "set-cookie" not in {k.lower() for k, _ in response.headers.items()}  # not even signed out by it


@pytest.mark.parametrize("token", ["", "forged", "eyJ1IjoxLCJyIjoxfQ.AAAAAA.bad-signature"])
def test_a_post_without_a_valid_rescue_token_keeps_nothing(app, client, setup, token):
    _, ret, _ = setup
    response = app.test_client().post(f"/returns/{ret.id}", data=typed(token, PLANTED), headers=SAME_SITE)
    assert response.headers["Location"] == "/login" and "restore" not in response.headers["Location"]
    assert kept_drafts() == 0


def test_a_token_for_another_return_keeps_nothing(app, client, setup, factory):
    audit, ret, _ = setup
    other = factory.return_for(audit, "CSC", reference="T-02")
    token = rescue_token(client, other.id)
    response = app.test_client().post(f"/returns/{ret.id}", data=typed(token, PLANTED), headers=SAME_SITE)
    assert response.headers["Location"] == "/login" and kept_drafts() == 0


@pytest.mark.parametrize("hours, kept", [(23, 1), (25, 0)])
def test_a_token_older_than_a_day_keeps_nothing(app, client, setup, monkeypatch, hours, kept):
    _, ret, _ = setup
    token = rescue_token(client, ret.id)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: REAL_TIME() + hours * 3600)  # the token's clock
    response = app.test_client().post(f"/returns/{ret.id}", data=typed(token), headers=SAME_SITE)
    assert ("restore" in response.headers["Location"]) == bool(kept) and kept_drafts() == kept


def test_a_refused_post_from_our_own_page_says_so_at_sign_in(app, client, setup):
    """The auditor's page had been open for more than a day: nothing can be kept, and they are told."""
    _, ret, _ = setup
    browser = app.test_client()
    response = browser.post(f"/returns/{ret.id}", data=typed("expired-or-missing"), headers=SAME_SITE)
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "what you typed could not be kept" in page and kept_drafts() == 0


def test_a_signed_in_post_with_an_expired_form_and_a_colleagues_token_keeps_nothing(app, client, setup, factory, login):
    _, ret, _ = setup
    factory.user("auditor", agency=factory.agency("CSC"), email="colleague@test.example")
    colleague = app.test_client()
    login(colleague, "colleague@test.example")
    response = client.post(f"/returns/{ret.id}", data=typed(rescue_token(colleague, ret.id), PLANTED))  # no CSRF token
    assert response.status_code == 400 and "Your form had expired" in response.get_data(as_text=True)
    assert kept_drafts() == 0


def test_a_colleagues_token_never_plants_text_in_my_return(app, client, setup, factory, login, csrf):
    """A colleague of the same agency holds a genuine token for the return, but for themselves: what
    they post is never shown to the auditor who signs in afterwards in that browser."""
    _, ret, _ = setup
    factory.user("auditor", agency=factory.agency("CSC"), email="colleague@test.example")
    colleague = app.test_client()
    login(colleague, "colleague@test.example")
    token = rescue_token(colleague, ret.id)
    victim = app.test_client()  # the auditor's browser, signed out
    response = victim.post(f"/returns/{ret.id}", data=typed(token, PLANTED), headers=SAME_SITE)
    signed_in = victim.post(
        response.headers["Location"],
        data={"email": "csc@test.example", "password": factory.password, "csrf_token": csrf(victim, "/login")},
    )
    page = victim.get(signed_in.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert PLANTED not in page and "what you typed was kept for you" not in page
    assert PLANTED not in victim.get(f"/returns/{ret.id}").get_data(as_text=True)


def test_unknown_and_existing_return_ids_get_the_same_answer(app, client, setup):
    _, ret, _ = setup
    token = rescue_token(client, ret.id)
    answers = []
    for return_id, sent in ((ret.id, "forged"), (987_654, "forged"), (987_654, token)):
        response = app.test_client().post(f"/returns/{return_id}", data=typed(sent, PLANTED), headers=SAME_SITE)
        answers.append((response.status_code, response.headers["Location"], response.get_data()))
    assert answers[0] == answers[1] == answers[2]
    assert kept_drafts() == 0


def test_the_kept_drafts_of_one_auditor_and_return_are_capped(app, client, setup, monkeypatch):
    _, ret, _ = setup
    token = rescue_token(client, ret.id)
    for n in range(rescue_data.MAX_PER_RETURN + 3):
        app.test_client().post(f"/returns/{ret.id}", data=typed(token, f"Attempt {n}"), headers=SAME_SITE)
    restorable = [draft for draft in db.session.scalars(select(RescuedDraft)) if draft.form]
    assert len(restorable) == rescue_data.MAX_PER_RETURN
    newest = {value for draft in restorable for name, value in draft.form if name == RATIONALE}
    assert f"Attempt {rescue_data.MAX_PER_RETURN + 2}" in newest  # the newest is never the one dropped


def test_one_address_is_rate_limited(app, client, setup, factory, login, monkeypatch):
    """Three auditors' drafts (say behind one council's address) where the limit is two."""
    audit, ret, _ = setup
    monkeypatch.setattr(rescue_data, "MAX_PER_ADDRESS", 2)
    other = factory.return_for(audit, "CSC", reference="T-02")
    colleagues = [app.test_client(), app.test_client()]
    for n, colleague in enumerate(colleagues):
        factory.user("auditor", agency=factory.agency("CSC"), email=f"colleague{n}@test.example")
        login(colleague, f"colleague{n}@test.example")
    tokens = [rescue_token(client, ret.id), rescue_token(colleagues[0], other.id), rescue_token(colleagues[1], ret.id)]
    locations = [
        app.test_client().post(f"/returns/{rid}", data=typed(t), headers=SAME_SITE).headers["Location"]
        for rid, t in zip((ret.id, other.id, ret.id), tokens, strict=False)
    ]
    assert "restore" in locations[0] and "restore" in locations[1]
    assert locations[2] == "/login" and kept_drafts() == 2


def test_one_auditor_is_rate_limited_from_any_address(app, client, setup, monkeypatch):
    _, ret, _ = setup
    monkeypatch.setattr(rescue_data, "MAX_PER_USER_IN_WINDOW", 2)
    token = rescue_token(client, ret.id)
    locations = [
        app.test_client()
        .post(f"/returns/{ret.id}", data=typed(token), headers=SAME_SITE, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
        .headers["Location"]
        for n in range(1, 4)
    ]
    assert ["restore" in location for location in locations] == [True, True, False]


def test_an_oversize_post_keeps_nothing(app, client, setup):
    _, ret, _ = setup
    token = rescue_token(client, ret.id)
    huge = "x" * (rescue_data.MAX_CHARACTERS + 1)
    response = app.test_client().post(f"/returns/{ret.id}", data=typed(token, huge), headers=SAME_SITE)
    assert response.headers["Location"] == "/login" and kept_drafts() == 0


def test_only_the_forms_own_fields_are_kept(app, client, setup):
    _, ret, _ = setup
    token = rescue_token(client, ret.id)
    app.test_client().post(
        f"/returns/{ret.id}", data=typed(token, junk="y" * 1000, csrf_token="secret"), headers=SAME_SITE
    )
    (draft,) = db.session.scalars(select(RescuedDraft)).all()
    assert {name for name, _ in draft.form} == {"version", RATIONALE}


def test_a_restored_draft_is_merged_over_the_saved_answers(app, client, setup, post, monkeypatch, csrf):
    """A draft that lacks fields (here only the rationale was sent) leaves every other saved answer as it is."""
    _, ret, definition = setup
    scale = next(q for q in definition.questions if q.type == SCALE and q.show_if is None)
    note = f"n_{scale.key}"
    post(
        client,
        f"/returns/{ret.id}",
        {f"q_{scale.key}": "partly", note: "Seen in the records", "version": "1", "save_draft": "y"},
    )
    token = rescue_token(client, ret.id)
    end_session(monkeypatch)
    response = client.post(
        f"/returns/{ret.id}", data={RATIONALE: "Typed after the save", "version": "2", "rescue": token}
    )
    assert "restore" in response.headers["Location"]
    signed_in = client.post(
        response.headers["Location"],
        data={
            "email": "csc@test.example",
            "password": "correct horse battery staple",
            "csrf_token": csrf(client, "/login"),
        },
    )
    page = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "Typed after the save" in page and "what you typed was kept for you" in page
    assert f'name="q_{scale.key}" type="radio" value="partly" checked' in page
    assert "Seen in the records" in page
    assert 'name="version" type="hidden" value="2"' in page


def test_a_whole_rescued_form_comes_back_whole_including_what_was_cleared(app, client, setup, post, monkeypatch, csrf):
    """The auditor's own session ended mid-typing: the whole form their browser posted comes back as it
    was, so a box they unticked stays unticked and a text they emptied stays empty."""
    _, ret, definition = setup
    multiple = next(q for q in definition.questions if q.type == MULTIPLE and q.show_if is None)
    longtext = next(
        q for q in definition.questions if q.type == LONGTEXT and q.show_if is None and q.key != "overall_rationale"
    )
    post(
        client,
        f"/returns/{ret.id}",
        {
            f"q_{multiple.key}": [multiple.options[0].value],
            f"q_{longtext.key}": "Text the auditor removed",
            RATIONALE: "Kept reasoning",
            "version": "1",
            "save_draft": "y",
        },
    )
    sent = [
        (name, value)
        for name, value in browser_form(client.get(f"/returns/{ret.id}").get_data(as_text=True))
        if name != f"q_{multiple.key}"
    ]  # the auditor unticked the box: a browser then sends nothing for it
    sent = [(name, "" if name == f"q_{longtext.key}" else value) for name, value in sent]  # and emptied the text
    end_session(monkeypatch)
    response = client.post(f"/returns/{ret.id}", data=MultiDict(sent + [("save_draft", "y")]))
    signed_in = client.post(
        response.headers["Location"],
        data={
            "email": "csc@test.example",
            "password": "correct horse battery staple",
            "csrf_token": csrf(client, "/login"),
        },
    )
    restored = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "what you typed was kept for you" in restored
    answers_only = lambda pairs: sorted(p for p in pairs if p[0] not in ("csrf_token", "rescue"))  # noqa: E731
    assert answers_only(browser_form(restored)) == answers_only(sent)  # every field exactly as it was sent
    restored_form = dict(browser_form(restored))
    assert f"q_{multiple.key}" not in restored_form and restored_form[f"q_{longtext.key}"] == ""
    assert restored_form[RATIONALE] == "Kept reasoning"
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.return_id == ret.id)) >= 2


class _FormReader(HTMLParser):
    """The (name, value) pairs a browser would send for the page's return form."""

    def __init__(self):
        super().__init__()
        self.pairs, self._form, self._textarea = [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "app-return-form" in (attrs.get("class") or ""):
            self._form = True
        elif self._form and tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.pairs.append((attrs["name"], attrs.get("value") or ""))
        elif self._form and tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.pairs.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = False


def browser_form(page: str) -> list[tuple[str, str]]:
    reader = _FormReader()
    reader.feed(page)
    return reader.pairs


def test_hostile_text_is_kept_and_comes_back_exactly_and_escaped(app, client, setup, monkeypatch, csrf):
    _, ret, _ = setup
    hostile = "\n".join(BLNS)[:9000] + "<script>alert(1)</script>"  # NUL characters included
    token = rescue_token(client, ret.id)
    end_session(monkeypatch)
    response = client.post(f"/returns/{ret.id}", data=typed(token, hostile), headers=SAME_SITE)
    signed_in = client.post(
        response.headers["Location"],
        data={
            "email": "csc@test.example",
            "password": "correct horse battery staple",
            "csrf_token": csrf(client, "/login"),
        },
    )
    page = client.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert "what you typed was kept for you" in page and "<script>alert(1)</script>" not in page
    assert dict(browser_form(page))[RATIONALE] == hostile.replace("\r\n", "\n").replace("\r", "\n")
