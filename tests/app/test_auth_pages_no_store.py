"""No authentication page is ever kept by a browser or a proxy (issue 16 item 2, ASVS 5.0 V14.3.2).

The set-up page of a half-finished sign-in showed a new authenticator key with no
``Cache-Control: no-store``: anyone using the browser after could read it from the cache.
"""

from __future__ import annotations

import pyotp
import pytest

from audit_app.data import accounts
from audit_app.extensions import db

STATES = ("signed out", "password given, code to come", "password given, authenticator to set up", "signed in")


def _into(state: str, client, factory, csrf) -> None:
    if state == "signed out":
        return
    email = {
        "password given, code to come": "coded@test.example",
        "password given, authenticator to set up": "new@test.example",
    }.get(state, "in@test.example")
    response = client.post(
        "/login", data={"email": email, "password": factory.password, "csrf_token": csrf(client, "/login")}
    )
    assert response.status_code == 302


@pytest.fixture
def people(app, factory):
    app.config["MFA_ENFORCED"] = True
    coded = factory.user("editor", email="coded@test.example")
    coded.mfa_secret = pyotp.random_base32()
    factory.user("coordinator", email="new@test.example")
    factory.user("viewer", email="in@test.example")
    db.session.commit()
    token = accounts.invite(factory.user("viewer", email="invited@test.example"), None)
    db.session.commit()
    yield token
    app.config["MFA_ENFORCED"] = False


@pytest.mark.parametrize("state", STATES)
def test_v14_3_2_every_authentication_page_says_no_store_in_every_state(app, client, factory, csrf, people, state):
    _into(state, client, factory, csrf)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("auth.")]
    assert {
        "auth.login",
        "auth.second_factor",
        "auth.mfa_setup",
        "auth.invitation",
        "auth.account",
        "auth.recovery_codes",
        "auth.change_password",
    } <= {rule.endpoint for rule in rules}
    seen = 0
    for rule in rules:
        url = rule.build({"token": people} if "token" in rule.arguments else {})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for with_token in (False, True) if method == "POST" else (False,):
                if rule.endpoint == "auth.logout":
                    continue  # would end the state being walked; checked on its own below
                data = (
                    {"csrf_token": csrf(client, "/login" if state != "signed in" else "/account")} if with_token else {}
                )
                response = client.open(url, method=method, data=data)
                assert response.headers.get("Cache-Control") == "no-store", (
                    state,
                    rule.endpoint,
                    method,
                    response.status_code,
                )
                seen += 1
    assert seen >= 12


def test_v14_3_2_signing_out_says_no_store_too(client, factory, csrf, login):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    response = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
