"""Setting up and replacing an authenticator app (issue 16 items 1 and 2, ASVS 5.0 V6.3, V6.5, V7.2)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from audit_app.auth import notices
from audit_app.data import accounts
from audit_app.extensions import db
from audit_app.models import AuditEvent, AuthenticatorDraft, User

SETUP = "/account/authenticator"


@pytest.fixture
def mfa_on(app):
    app.config["MFA_ENFORCED"] = True
    yield
    app.config["MFA_ENFORCED"] = False


def _with_authenticator(factory, *roles: str, email: str) -> tuple[User, str, list[str]]:
    user = factory.user(*roles, email=email)
    secret = accounts.new_mfa_secret()
    user.mfa_secret = secret
    codes = accounts.regenerate_recovery_codes(user)
    db.session.commit()
    return user, secret, codes


def _password_step(client, csrf, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client, "/login")})


def _signed_in_with(client, csrf, email, password, code):
    assert _password_step(client, csrf, email, password).headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": code, "csrf_token": csrf(client, "/login/code")}).status_code == 302


def _shown_secret(page: str) -> str:
    return page.split('class="app-secret">')[1].split("<")[0]


def _session_contents(app, client) -> str:
    """Everything the signed session cookie carries, as text (it is signed, not encrypted)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return json.dumps(app.session_interface.get_signing_serializer(app).loads(cookie.value), default=str)


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_v6_3_3_half_signed_in_nobody_can_see_or_replace_an_existing_authenticator(client, factory, csrf, mfa_on, role):
    """Issue 16 item 1: after the password step a fresh key was shown, and a code for it signed the attacker in."""
    user, secret, codes = _with_authenticator(factory, role, email="owner@test.example")
    assert _password_step(client, csrf, "owner@test.example", factory.password).headers["Location"] == "/login/code"
    page = client.get(SETUP)
    assert page.status_code == 302 and page.headers["Location"] == "/login/code"
    attacker_secret = accounts.new_mfa_secret()
    token = csrf(client, "/login/code")
    posted = client.post(SETUP, data={"code": pyotp.TOTP(attacker_secret).now(), "csrf_token": token})
    assert posted.status_code == 302 and posted.headers["Location"] == "/login/code"
    assert client.get("/account").status_code == 302  # still not signed in
    db.session.refresh(user)
    assert user.mfa_secret == secret and len(user.recovery_codes) == 10
    assert accounts.check_second_factor(user, codes[0])  # the owner's recovery codes still work


def test_v6_3_3_replacing_needs_the_password_and_a_current_code_and_ends_other_sessions(
    app, client, factory, csrf, monkeypatch
):
    user, old_secret, codes = _with_authenticator(factory, "editor", email="e@test.example")
    _signed_in_with(client, csrf, "e@test.example", factory.password, pyotp.TOTP(old_secret).now())
    other = app.test_client()
    _signed_in_with(other, csrf, "e@test.example", factory.password, codes[0])
    page = client.get(SETUP)
    assert page.status_code == 200 and 'name="current_password"' in page.get_data(as_text=True)
    new_secret = _shown_secret(page.get_data(as_text=True))
    new_code = pyotp.TOTP(new_secret).now()

    def replace(**fields):
        return client.post(SETUP, data={"code": new_code, "csrf_token": csrf(client, SETUP), **fields})

    refused = [
        replace(),
        replace(current_password=factory.password),
        replace(current_code=codes[1]),
        replace(current_password="not my password", current_code=codes[1]),
        replace(current_password=factory.password, current_code="000000"),
        replace(current_password=factory.password, current_code=codes[0]),  # used already
    ]
    assert [r.status_code for r in refused] == [422] * 6
    assert "Enter your password" in refused[0].get_data(as_text=True)
    assert "Your password is not right" in refused[3].get_data(as_text=True)
    assert "code from your current authenticator app is not right" in refused[4].get_data(as_text=True)
    db.session.refresh(user)
    assert user.mfa_secret == old_secret and other.get("/account").status_code == 200
    assert _shown_secret(refused[-1].get_data(as_text=True)) == new_secret  # the same key while it is scanned

    done = replace(current_password=factory.password, current_code=codes[1])
    assert done.status_code == 200 and "Save your recovery codes" in done.get_data(as_text=True)
    new_codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", done.get_data(as_text=True))
    db.session.refresh(user)
    assert user.mfa_secret == new_secret and len(new_codes) == 10
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account").status_code == 302  # every other session has ended
    assert not accounts.check_second_factor(user, codes[2])  # the old recovery codes are gone
    assert accounts.check_second_factor(user, new_codes[0])
    assert db.session.scalars(select(AuthenticatorDraft)).all() == []


def _replace_once(app, client, factory, csrf) -> User:
    user, _old, codes = _with_authenticator(factory, "admin", email="a@test.example")
    _signed_in_with(client, csrf, "a@test.example", factory.password, codes[0])
    new_secret = _shown_secret(client.get(SETUP).get_data(as_text=True))
    done = client.post(
        SETUP,
        data={
            "code": pyotp.TOTP(new_secret).now(),
            "current_password": factory.password,
            "current_code": codes[1],
            "csrf_token": csrf(client, SETUP),
        },
    )
    assert "Save your recovery codes" in done.get_data(as_text=True)
    return user


def test_v6_3_3_the_owner_is_emailed_when_their_authenticator_is_replaced(app, client, factory, csrf, monkeypatch):
    sent = []
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.test.example")
    monkeypatch.setattr(notices, "send_messages", lambda messages: sent.extend(messages) or len(messages))
    user = _replace_once(app, client, factory, csrf)
    assert len(sent) == 1 and sent[0]["To"] == "a@test.example"
    body = sent[0].get_content()
    assert "authenticator app" in sent[0]["Subject"] and "was not you" in body and user.mfa_secret not in body
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "user.mfa_replaced" in actions and "user.mfa_change_not_emailed" not in actions


def test_v6_3_3_without_e_mail_the_change_is_left_in_the_trail_for_an_admin(app, client, factory, csrf):
    user = _replace_once(app, client, factory, csrf)
    events = {e.action: e for e in db.session.scalars(select(AuditEvent))}
    notice, change = events["user.mfa_change_not_emailed"], events["user.mfa_replaced"]
    assert notice.object_id == change.object_id == user.id and notice.before is None and notice.after is None
    assert user.mfa_secret not in json.dumps([change.before, change.after])


def test_v6_3_3_a_smtp_failure_is_left_in_the_trail_and_the_change_stands(app, client, factory, csrf, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.test.example")

    def refused(messages):
        raise OSError("connection refused")

    monkeypatch.setattr(notices, "send_messages", refused)
    user = _replace_once(app, client, factory, csrf)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.mfa_change_not_emailed" in actions and "user.mfa_replaced" in actions
    db.session.refresh(user)
    assert user.mfa_secret and client.get("/account").status_code == 200


def test_the_draft_key_never_travels_in_the_session_cookie(app, client, factory, csrf, mfa_on):
    """Issue 16 item 2: the new key sat readable in the signed (not encrypted) session cookie."""
    user = factory.user("coordinator", email="c@test.example")
    _password_step(client, csrf, "c@test.example", factory.password)
    first = client.get(SETUP)
    secret = _shown_secret(first.get_data(as_text=True))
    assert secret not in _session_contents(app, client)
    assert first.headers["Cache-Control"] == "no-store"
    assert _shown_secret(client.get(SETUP).get_data(as_text=True)) == secret  # the same key on a second look
    elsewhere = app.test_client()
    _password_step(elsewhere, csrf, "c@test.example", factory.password)
    assert _shown_secret(elsewhere.get(SETUP).get_data(as_text=True)) != secret  # each browser its own key
    done = client.post(SETUP, data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(client, SETUP)})
    assert "Save your recovery codes" in done.get_data(as_text=True) and secret not in _session_contents(app, client)
    db.session.refresh(user)
    assert user.mfa_secret == secret and db.session.scalars(select(AuthenticatorDraft)).all() == []


def test_an_expired_draft_key_is_replaced_with_a_message_and_nothing_set_up(client, factory, csrf, mfa_on):
    user = factory.user("coordinator", email="c@test.example")
    _password_step(client, csrf, "c@test.example", factory.password)
    secret = _shown_secret(client.get(SETUP).get_data(as_text=True))
    db.session.execute(update(AuthenticatorDraft).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    response = client.post(SETUP, data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(client, "/login")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The key on this page had expired" in page
    assert _shown_secret(page) != secret
    db.session.refresh(user)
    assert user.mfa_secret is None


def test_signed_in_without_an_authenticator_sets_one_up_with_the_password_and_a_code(client, factory, csrf, login):
    """A session left open at a desk must not be enough to tie the account to someone else's phone."""
    user = factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    page = client.get(SETUP).get_data(as_text=True)
    assert 'name="current_password"' in page and 'name="current_code"' not in page
    code = pyotp.TOTP(_shown_secret(page)).now()
    for password in ("", "not my password"):
        refused = client.post(
            SETUP, data={"code": code, "current_password": password, "csrf_token": csrf(client, SETUP)}
        )
        assert refused.status_code == 422
    db.session.refresh(user)
    assert user.mfa_secret is None
    done = client.post(
        SETUP, data={"code": code, "current_password": factory.password, "csrf_token": csrf(client, SETUP)}
    )
    assert "Save your recovery codes" in done.get_data(as_text=True)
    db.session.refresh(user)
    assert user.mfa_secret


def test_v6_5_new_recovery_codes_need_the_password_and_a_current_code(client, factory, csrf):
    """Same class as item 1: a session left open at a desk gave anyone a fresh set of recovery codes."""
    user, secret, codes = _with_authenticator(factory, "coordinator", email="c@test.example")
    _signed_in_with(client, csrf, "c@test.example", factory.password, codes[0])

    def ask(**fields):
        return client.post(
            "/account/recovery-codes",
            data={"csrf_token": csrf(client, "/account"), **{f"codes-{k}": v for k, v in fields.items()}},
        )

    refused = [
        ask(),
        ask(current_password=factory.password),
        ask(current_password="wrong", current_code=codes[1]),
        ask(current_password=factory.password, current_code=codes[0]),
    ]
    assert [r.status_code for r in refused] == [422] * 4
    assert "Your password is not right" in refused[2].get_data(as_text=True)
    db.session.refresh(user)
    assert len(user.recovery_codes) == 9 and accounts.check_second_factor(user, codes[2])  # nothing replaced
    db.session.rollback()
    given = ask(current_password=factory.password, current_code=pyotp.TOTP(secret).now())
    assert given.status_code == 200 and "Save your recovery codes" in given.get_data(as_text=True)
    db.session.refresh(user)
    assert len(user.recovery_codes) == 10 and not accounts.check_second_factor(user, codes[3])


def test_v6_3_1_checking_the_password_on_the_account_page_is_throttled_like_signing_in(client, factory, csrf, login):
    """Otherwise an open session is a way to guess the password without limit."""
    user = factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    for _ in range(10):
        wrong = client.post(
            "/account/password",
            data={
                "current_password": "a guess",
                "password": "plum kettle orbit sonnet",
                "confirm": "plum kettle orbit sonnet",
                "csrf_token": csrf(client, "/account"),
            },
        )
        assert "Your current password is not right" in wrong.get_data(as_text=True)
    right = client.post(
        "/account/password",
        data={
            "current_password": factory.password,
            "password": "plum kettle orbit sonnet",
            "confirm": "plum kettle orbit sonnet",
            "csrf_token": csrf(client, "/account"),
        },
    )
    assert right.status_code == 422 and "too many attempts" in right.get_data(as_text=True)
    before = user.password_hash
    db.session.refresh(user)
    assert user.password_hash == before
