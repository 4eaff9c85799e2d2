"""Signing in and out, and where people are sent afterwards."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from audit_app.data import throttle
from audit_app.extensions import db
from audit_app.models import SignInFailure


@pytest.fixture
def sign_in(client, csrf):
    def sign_in(client, email, password, next_url=None):
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return client.post(url, data={"email": email, "password": password, "csrf_token": csrf(client, "/login")})

    return sign_in


def test_correct_password_signs_in_and_case_of_email_does_not_matter(client, factory, sign_in):
    factory.user("viewer", email="v@test.example")
    response = sign_in(client, "  V@Test.Example ", factory.password)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_password_gives_one_message_that_reveals_nothing(client, factory, sign_in):
    factory.user("viewer", email="v@test.example")
    wrong = sign_in(client, "v@test.example", "not it").get_data(as_text=True)
    unknown = sign_in(client, "nobody@test.example", "not it").get_data(as_text=True)
    message = "Enter a correct e-mail address and password"
    assert message in wrong and message in unknown


def test_v6_3_1_ten_failures_in_five_minutes_pause_an_account_across_addresses(client, factory, sign_in):
    """ASVS 5.0 V6.3.1: throttling by account, kept in the database so every process sees it."""
    factory.user("viewer", email="v@test.example")
    for attempt in range(10):
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{attempt}"  # a different address each time
        sign_in(client, "v@test.example", "not it")
    response = sign_in(client, "v@test.example", factory.password)
    assert response.status_code == 429 and "too many attempts" in response.get_data(as_text=True)
    db.session.execute(update(SignInFailure).values(at=datetime.now(UTC) - timedelta(minutes=6)))
    db.session.commit()
    assert sign_in(client, "v@test.example", factory.password).status_code == 302  # the window has passed


def test_v6_3_1_a_hundred_failures_from_one_address_pause_it_for_every_account(client, factory, sign_in):
    factory.user("viewer", email="v@test.example")
    for attempt in range(throttle.ADDRESS_LIMIT):
        sign_in(client, f"nobody{attempt}@test.example", "not it")  # unknown accounts count too
    assert sign_in(client, "v@test.example", factory.password).status_code == 429
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(client, "v@test.example", factory.password).status_code == 302


def test_a_new_password_lifts_the_pause(client, factory, sign_in, runner):
    factory.user("viewer", email="v@test.example")
    for attempt in range(10):
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{attempt}"
        sign_in(client, "v@test.example", "not it")
    result = runner.invoke(
        args=["users", "set-password", "--email", "v@test.example", "--password", "a new long passphrase"]
    )
    assert result.exit_code == 0
    assert sign_in(client, "v@test.example", "a new long passphrase").status_code == 302


def test_disabled_account_cannot_sign_in(client, factory, sign_in):
    user = factory.user("viewer", email="v@test.example")
    user.active = False
    db.session.commit()
    assert sign_in(client, "v@test.example", factory.password).status_code == 200


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/admin/agencies", "/admin/agencies"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_ever_stays_on_this_site(client, factory, sign_in, target, expected):
    factory.user("admin", email="a@test.example")
    response = sign_in(client, "a@test.example", factory.password, next_url=target)
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    "target",
    [
        "/audits/\r\nSet-Cookie: a=b",
        "/audits/\nx",
        "/\t/evil.example",
        "/audits\x01",
        "/\r/evil.example",
        "%2Faudits%2F%0D%0ASet-Cookie",
        "/audits/%0d%0aSet-Cookie:%20a=b",
        "/%09/evil.example",
        "/audits%1b",
        "/audits/%250d%250a",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/audits/\u2028",
        "/audits/\u202e",
        "/\x7f",
        " /audits/",
        "/audits/\x85",
    ],
)
def test_next_with_a_control_character_or_an_encoded_one_goes_home(client, factory, target):
    """Issue 16 item 7: a line break in next= gave a 500; a tab before a second slash is another host."""
    from urllib.parse import quote

    factory.user("admin", email="a@test.example")
    url = "/login?next=" + quote(target, safe="%/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={"email": "a@test.example", "password": factory.password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/audits\x00", "/audits%00", "/audits%2500"])
def test_a_nul_in_next_is_removed_at_the_door_and_never_a_500(client, factory, target):
    """NUL is removed from every query value as the request is read (audit_app.input_guard), so what
    is left is a plain path on this site, or home when it still holds an encoded control character."""
    from urllib.parse import quote

    factory.user("admin", email="a@test.example")
    url = "/login?next=" + quote(target, safe="%/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={"email": "a@test.example", "password": factory.password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302 and response.headers["Location"] in ("/audits", "/")
    assert "\x00" not in response.headers["Location"]


def test_every_hostile_string_as_next_leaves_home_or_a_plain_path(app):
    import json
    import unicodedata
    from pathlib import Path

    from audit_app.auth.routes import safe_next

    hostile = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))
    with app.test_request_context():
        for text in hostile + ["/" + text for text in hostile]:
            target = safe_next(text)
            assert target == "/" or (
                target == text
                and target.startswith("/")
                and not target.startswith("//")
                and not any(unicodedata.category(ch)[0] == "C" for ch in target)
            ), repr(text)


def test_sign_out_needs_a_post_and_ends_the_session(client, factory, sign_in, login, post):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    assert client.get("/logout").status_code == 405
    assert post(client, "/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_pages_carry_security_headers(client, factory, sign_in, login):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "nonce-" in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    assert "base-uri 'none'" in csp and "form-action 'self'" in csp and "object-src 'none'" in csp
    assert headers["Referrer-Policy"] == "same-origin"  # never to other sites; CSRF over HTTPS needs our own


def test_v3_5_1_a_form_posted_over_https_from_our_own_page_is_accepted(client, factory):
    """Flask-WTF checks the Referer over HTTPS: the Referrer-Policy must let our own pages send it."""
    factory.user("viewer", email="v@test.example")
    page = client.get("/login", base_url="https://audit.example").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    base = {
        "base_url": "https://audit.example",
        "data": {"email": "v@test.example", "password": factory.password, "csrf_token": token},
    }
    refused = client.post("/login", **base)  # no Referer at all, as "no-referrer" made browsers do
    assert refused.status_code == 400
    accepted = client.post("/login", headers={"Referer": "https://audit.example/login"}, **base)
    assert accepted.status_code == 302


def test_a_signed_out_post_goes_to_sign_in_without_a_next_it_cannot_return_to(client, factory):
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_production_sends_hsts(monkeypatch, tmp_path):
    from audit_app import create_app
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AUDIT_TRAIL_KEY", "t" * 40)
    monkeypatch.setenv("APP_BASE_URL", "https://audit.partnership.example")

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.db'}"

    response = create_app(Config).test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
