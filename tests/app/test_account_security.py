"""Sessions that really end, time-outs, authenticator codes, invitations and passwords (ASVS 5.0 V6, V7)."""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pyotp
import pytest
from sqlalchemy import update

from audit_app import security
from audit_app.data import accounts
from audit_app.extensions import db
from audit_app.models import Invitation
from config import ProductionConfig


def test_v7_4_1_a_copied_cookie_stops_working_after_sign_out(app, client, factory, login, post):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)  # someone copied the cookie
    assert copy.get("/").status_code == 200
    post(client, "/logout")
    assert copy.get("/").status_code == 302  # the copy is signed out too


def test_v7_4_3_changing_the_password_ends_other_sessions_but_not_this_one(app, client, factory, login, post):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    other = app.test_client()
    login(other, "v@test.example")
    response = post(
        client,
        "/account/password",
        {
            "current_password": factory.password,
            "password": "plum kettle orbit sonnet",
            "confirm": "plum kettle orbit sonnet",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200 and other.get("/").status_code == 302


def test_v6_2_3_changing_the_password_needs_the_current_one(client, factory, login, post):
    user = factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    before = user.password_hash
    response = post(
        client,
        "/account/password",
        {
            "current_password": "not my password",
            "password": "plum kettle orbit sonnet",
            "confirm": "plum kettle orbit sonnet",
        },
    )
    assert response.status_code == 422 and "Your current password is not right" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before


@pytest.mark.parametrize(
    "password, message",
    [
        ("short one", "at least 12 characters"),
        ("password1234", "most commonly used passwords"),  # in the 30,000 most common
        ("qwertyuiopasdf", "too easy to guess"),
        ("v@test.example1", "too easy to guess"),  # the person's own address
    ],
)
def test_v6_2_1_v6_2_4_weak_passwords_are_refused_with_a_reason(client, factory, login, post, password, message):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    response = post(
        client, "/account/password", {"current_password": factory.password, "password": password, "confirm": password}
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_v6_2_9_a_long_passphrase_is_accepted_whole_and_never_truncated(client, factory, login, post, csrf):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    long_one = "correct lantern " * 40  # 640 characters
    post(client, "/account/password", {"current_password": factory.password, "password": long_one, "confirm": long_one})
    fresh = client.application.test_client()
    almost = long_one[:-1] + "X"
    refused = fresh.post(
        "/login", data={"email": "v@test.example", "password": almost, "csrf_token": csrf(fresh, "/login")}
    )
    assert refused.status_code == 200
    accepted = fresh.post(
        "/login", data={"email": "v@test.example", "password": long_one, "csrf_token": csrf(fresh, "/login")}
    )
    assert accepted.status_code == 302


def test_v7_4_2_disabling_an_account_ends_its_sessions(client, factory, login):
    user = factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    accounts.disable_user(user, None)
    db.session.commit()
    assert client.get("/").status_code == 302


REAL_TIME = time.time


def _travel(monkeypatch, seconds: float) -> None:
    """Move the clock the session checks ``seconds`` ahead of now."""
    monkeypatch.setattr(security.time, "time", lambda: REAL_TIME() + seconds)


def test_v7_3_1_thirty_idle_minutes_end_the_session(client, factory, login, monkeypatch):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    _travel(monkeypatch, 29 * 60)
    assert client.get("/").status_code == 200  # activity restarts the idle clock
    _travel(monkeypatch, 29 * 60 + 29 * 60)
    assert client.get("/").status_code == 200
    _travel(monkeypatch, 29 * 60 + 29 * 60 + 31 * 60)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "without activity" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_v7_3_2_twelve_hours_end_the_session_however_busy(client, factory, login, monkeypatch):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    for step in range(1, 36):  # a page every 20 minutes for 11 hours 40 minutes
        _travel(monkeypatch, step * 20 * 60)
        assert client.get("/").status_code == 200, step
    _travel(monkeypatch, 12 * 3600 + 60)
    assert client.get("/").status_code == 302


def test_the_idle_warning_lets_people_stay_signed_in(client, factory, login, csrf):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    page = client.get("/").get_data(as_text=True)
    assert 'class="govuk-notification-banner app-timeout-warning"' in page and 'data-idle-seconds="1800"' in page
    response = client.post("/session/keep-alive", headers={"X-CSRFToken": csrf(client, "/")})
    assert response.status_code == 200 and response.json == {"signed_in": True}


@pytest.fixture
def mfa_on(app):
    app.config["MFA_ENFORCED"] = True
    yield
    app.config["MFA_ENFORCED"] = False


def _password_step(client, csrf, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client, "/login")})


def test_v6_3_3_a_coordinator_must_set_up_an_authenticator_before_getting_in(client, factory, csrf, mfa_on):
    user = factory.user("coordinator", email="c@test.example")
    response = _password_step(client, csrf, "c@test.example", factory.password)
    assert response.headers["Location"] == "/account/authenticator"
    assert client.get("/audits/").status_code == 302  # not signed in yet
    page = client.get("/account/authenticator").get_data(as_text=True)
    secret = page.split('class="app-secret">')[1].split("<")[0]
    qr = unquote(page.split('class="app-qr" src="')[1].split('"')[0])
    assert qr.startswith("data:image/svg+xml") and "<svg" in qr and "xmlns='http://www.w3.org/2000/svg'" in qr
    wrong = client.post(
        "/account/authenticator", data={"code": "000000", "csrf_token": csrf(client, "/account/authenticator")}
    )
    assert "That code is not right" in wrong.get_data(as_text=True)
    done = client.post(
        "/account/authenticator",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(client, "/account/authenticator")},
    )
    assert "Save your recovery codes" in done.get_data(as_text=True)
    assert client.get("/audits/").status_code == 200
    db.session.refresh(user)
    assert user.mfa_secret == secret and len(user.recovery_codes) == 10


def test_v6_5_1_codes_work_once_and_recovery_codes_are_used_up(app, client, factory, csrf, mfa_on):
    user = factory.user("editor", email="e@test.example")
    secret = accounts.new_mfa_secret()
    user.mfa_secret = secret
    codes = accounts.regenerate_recovery_codes(user)
    db.session.commit()
    assert _password_step(client, csrf, "e@test.example", factory.password).headers["Location"] == "/login/code"
    code = pyotp.TOTP(secret).now()
    assert client.post("/login/code", data={"code": code, "csrf_token": csrf(client, "/login/code")}).status_code == 302
    again = app.test_client()
    _password_step(again, csrf, "e@test.example", factory.password)
    replay = again.post("/login/code", data={"code": code, "csrf_token": csrf(again, "/login/code")})
    assert replay.status_code == 200 and "That code is not right" in replay.get_data(as_text=True)
    assert (
        again.post("/login/code", data={"code": codes[0], "csrf_token": csrf(again, "/login/code")}).status_code == 302
    )
    third = app.test_client()
    _password_step(third, csrf, "e@test.example", factory.password)
    assert (
        third.post("/login/code", data={"code": codes[0], "csrf_token": csrf(third, "/login/code")}).status_code == 200
    )
    db.session.refresh(user)
    assert len(user.recovery_codes) == 9


def test_the_code_page_is_useless_without_the_password_first(client, csrf):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_production_refuses_to_run_without_mfa(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setattr(ProductionConfig, "MFA_ENFORCED", False)
    with pytest.raises(RuntimeError, match="requires MFA"):
        ProductionConfig.check()


def test_v3_3_1_production_cookies_are_host_prefixed_secure_httponly_and_lax():
    assert ProductionConfig.SESSION_COOKIE_NAME.startswith("__Host-")
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_HTTPONLY
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def _invite(factory, email="new@test.example"):
    user = factory.user("viewer", email=email)
    token = accounts.invite(user, None)
    db.session.commit()
    return user, token


def test_v6_4_1_an_invitation_link_sets_a_password_once(client, factory, csrf):
    user, token = _invite(factory)
    url = f"/invitation/{token}"
    weak = client.post(url, data={"password": "password", "confirm": "password", "csrf_token": csrf(client, url)})
    assert "at least 12 characters" in weak.get_data(as_text=True)
    done = client.post(
        url,
        data={"password": "violet harbour mosaic", "confirm": "violet harbour mosaic", "csrf_token": csrf(client, url)},
    )
    assert done.status_code == 302
    assert client.get(url).status_code == 404  # single use
    assert _password_step(client, csrf, "new@test.example", "violet harbour mosaic").status_code == 302


def test_v6_4_1_an_invitation_expires_after_72_hours(client, factory):
    _, token = _invite(factory)
    db.session.execute(update(Invitation).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 404 and "72 hours" in response.get_data(as_text=True)
    assert client.get("/invitation/not-a-real-token").status_code == 404


def test_the_stored_invitation_is_a_hash_never_the_token(factory):
    _, token = _invite(factory)
    assert db.session.query(Invitation).one().token_hash != token and len(token) >= 40


def test_v7_3_1_an_idle_session_ends_on_the_authenticator_page_too(client, factory, login, monkeypatch):
    """The authenticator page is open to half-signed-in people, so it skipped the time-out check: a
    session left idle for an hour still reached it signed in."""
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    _travel(monkeypatch, 31 * 60)
    response = client.get("/account/authenticator")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "without activity" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_warning_knows_how_long_is_left_before_the_absolute_limit(client, factory, login, monkeypatch):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    for step in range(1, 34):  # a page every 20 minutes for 11 hours
        _travel(monkeypatch, step * 20 * 60)
        page = client.get("/").get_data(as_text=True)
    left = int(page.split('data-absolute-seconds="')[1].split('"')[0])
    assert 3590 <= left <= 3600 and "more than 12 hours" in page
    _travel(monkeypatch, 12 * 3600 + 60)
    after = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "You were signed out because you had been signed in for 12 hours." in after


def test_time_outs_can_be_shortened_from_the_environment_and_garbage_is_refused(monkeypatch):
    from datetime import timedelta

    from config import seconds_setting

    monkeypatch.setenv("SESSION_IDLE_SECONDS", "70")
    assert seconds_setting("SESSION_IDLE_SECONDS", timedelta(minutes=30)) == timedelta(seconds=70)
    monkeypatch.delenv("SESSION_IDLE_SECONDS")
    assert seconds_setting("SESSION_IDLE_SECONDS", timedelta(minutes=30)) == timedelta(minutes=30)
    for bad in ("0", "-5", "ten", "1.5"):
        monkeypatch.setenv("SESSION_IDLE_SECONDS", bad)
        with pytest.raises(RuntimeError, match="whole number of seconds"):
            seconds_setting("SESSION_IDLE_SECONDS", timedelta(minutes=30))
