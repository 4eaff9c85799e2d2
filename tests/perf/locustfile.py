"""Load test: agency auditors opening, saving and submitting their returns (run by tests/perf/load.sh).

Each simulated auditor signs in once as auditorNN@load.example (an agency of their own, so no one
else touches their returns) and works as a person with the return page open would: the page's
autosave every few seconds, now and then "Save and come back later" (the page comes back), a
submission, another return opened, "My returns", or their account page (the trivial signed-in
page the return page is compared with). A 409 would be a conflict page: none is expected, since
no two auditors share a return, so it counts as a failure here.

Every save writes a new unique token into a long-text answer. A save counts as acknowledged only
when the server said so (a redirect back to the return, or JSON with the new version). Every save
tried, acknowledged or not, is written in order to LOAD_ACKS at the end, and load_data.py checks
that the database holds each return's last acknowledged save (or a later one still in flight).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
TOKEN_FIELD = "q_s1_q4"  # the synthetic tool's first long-text question (tests/perf/synthetic.py)
_numbers = itertools.count(1)
SAVES: list[dict] = []  # every save tried, in order; "version" is set once the server acknowledged it
SIGN_IN: list[str] = []
_SIGNED_IN = 0
RETURN_LINK = re.compile(r'href="/returns/(\d+)"')


class FormFields(HTMLParser):
    """The fields a browser would send with the page's return form (buttons left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = "app-return-form" in (attrs.get("class") or "")
        elif self._in_form and tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs or kind in ("submit", "button"):
                return
            self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif self._in_form and tag == "textarea":
            self._textarea, self._text = attrs.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


class Auditor(HttpUser):
    """One auditor at work: a return open in the browser, its autosave, now and then a save or a submission."""

    wait_time = between(3, 6)  # the page's autosave fires 3 seconds after the last change, never sooner

    def on_start(self) -> None:
        self.email = f"auditor{next(_numbers):02d}@load.example"
        page = self.client.get("/login", name="GET /login")
        signed_in = self.client.post(
            "/login",
            data={"email": self.email, "password": PASSWORD, "csrf_token": _csrf(page.text)},
            name="POST /login",
            allow_redirects=False,
        )
        if signed_in.status_code != 302:
            raise RuntimeError(f"{self.email} could not sign in ({signed_in.status_code})")
        _signed_in(self.environment)
        mine = self.client.get("/returns/", name="GET /returns/")
        self.drafts = sorted({int(n) for n in RETURN_LINK.findall(mine.text)})
        self.open_return: tuple[int, list[tuple[str, str]]] | None = None

    @task(6)
    def autosave(self) -> None:
        """What the page's script sends after a change: the form, answered in JSON with the new version."""
        return_id, fields = self.open_return or self._open(random.choice(self.drafts))
        save = self._tried(return_id)
        with self.client.post(
            f"/returns/{return_id}/autosave",
            data=_with_token(fields, save["token"]),
            name="POST /returns/[id]/autosave",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and response.json().get("saved"):
                save["version"] = response.json()["version"]
                self.open_return = (return_id, _with_version(fields, save["version"]))
                response.success()
            else:
                response.failure(f"autosave answered {response.status_code}")

    @task(2)
    def save_draft(self) -> None:
        """ "Save and come back later": the redirect brings the return page back."""
        self._post_form("save_draft", "POST /returns/[id] (save)")

    @task(1)
    def submit(self) -> None:
        if len(self.drafts) > 2:  # keep some drafts to work on for the rest of the run
            self._post_form("submit_return", "POST /returns/[id] (submit)")

    @task(1)
    def open_another(self) -> None:
        self._open(random.choice(self.drafts))

    @task(2)
    def account(self) -> None:
        self.client.get("/account", name="GET /account")

    @task(1)
    def my_returns(self) -> None:
        self.client.get("/returns/", name="GET /returns/")

    def _open(self, return_id: int) -> tuple[int, list[tuple[str, str]]]:
        """Open a draft return: the form's fields as the browser would send them."""
        with self.client.get(f"/returns/{return_id}", name="GET /returns/[id]", catch_response=True) as page:
            fields = form_fields(page.text) if page.status_code == 200 else []
            if not dict(fields).get("version", "").isdigit():
                page.failure(f"return {return_id} had no form ({page.status_code})")
        self.open_return = (return_id, fields)
        return self.open_return

    def _post_form(self, button: str, name: str) -> None:
        return_id, fields = self.open_return or self._open(random.choice(self.drafts))
        save = self._tried(return_id)
        submitting = button == "submit_return"
        expected = "/returns/" if submitting else f"/returns/{return_id}"
        with self.client.post(
            f"/returns/{return_id}",
            data=_with_token(fields, save["token"]) + [(button, "y")],
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location") == expected:
                save["version"] = int(dict(fields)["version"]) + 1  # at least: submitting raises it once more
                response.success()
            else:
                response.failure(f"{button} answered {response.status_code} {response.headers.get('Location')}")
                return
        if submitting:
            self.drafts.remove(return_id)
            self.open_return = None
            self.client.get("/returns/", name="GET /returns/")
        else:
            self._open(return_id)

    def _tried(self, return_id: int) -> dict:
        save = {"return": return_id, "token": f"load-{uuid.uuid4().hex}", "field": TOKEN_FIELD, "version": None}
        SAVES.append(save)
        return save


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return match.group(1) if match else ""


def _with_version(fields: list[tuple[str, str]], version: int) -> list[tuple[str, str]]:
    return [(k, str(version) if k == "version" else v) for k, v in fields]


def _with_token(fields: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    """The form as it stands, with the long-text answer rewritten to carry this save's token."""
    return [(k, v) for k, v in fields if k != TOKEN_FIELD] + [(TOKEN_FIELD, f"Checked the file again. {token}")]


def _signed_in(environment) -> None:
    """Once everyone has signed in, report the sign-ins and start the figures afresh: fifty argon2
    checks (64 MiB each) within seconds is a morning's sign-ins at once, not the steady work measured."""
    global _SIGNED_IN
    _SIGNED_IN += 1
    if getattr(environment.parsed_options, "num_users", 0) == _SIGNED_IN:
        entry = environment.stats.get("POST /login", "POST")
        SIGN_IN.append(
            f"sign-in: {entry.num_requests} auditors, median {entry.median_response_time:.0f} ms, "
            f"p95 {entry.get_response_time_percentile(0.95):.0f} ms, slowest {entry.max_response_time:.0f} ms"
        )
        environment.runner.stats.reset_all()


@events.test_stop.add_listener
def _write_acks(**_kwargs) -> None:
    path = os.environ.get("LOAD_ACKS")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(SAVES, handle)
    print("\n".join(SIGN_IN))
