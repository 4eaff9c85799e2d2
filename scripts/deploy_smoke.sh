#!/usr/bin/env bash
# Deploy smoke test: follow docs/DEPLOYMENT.md on this machine, with gunicorn and PostgreSQL on
# loopback, and check that the result works as production does.
#
#   bash scripts/deploy_smoke.sh
#
# Creates the PostgreSQL database "deploy_smoke", sets the production environment, runs
# `flask db upgrade` and `flask seed`, creates an administrator with `flask users create`, builds
# the assets once if they are not built, starts gunicorn with the repository's gunicorn.conf.py
# on a free 127.0.0.1 port, checks /health, signs in as nginx would forward a browser (HTTPS,
# X-Forwarded-*), sets up the authenticator the administrator must have, opens a few pages,
# stops gunicorn and drops the database. Prints "deploy smoke: ok" when everything held.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv/bin
DATABASE=deploy_smoke
PG="postgresql+psycopg://postgres@127.0.0.1:5432"
GUNICORN_PID=""
LOG="$(mktemp -t deploy-smoke-XXXXXX.log)"

psql_admin() { PGOPTIONS='--client-min-messages=warning' psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  psql_admin "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" || true
}
trap cleanup EXIT

echo "== database: $DATABASE"
psql_admin "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)"
psql_admin "CREATE DATABASE $DATABASE"

# The environment file of docs/DEPLOYMENT.md, with throw-away secrets.
random() { $VENV/python -c 'import secrets; print(secrets.token_urlsafe(48))'; }
export FLASK_APP=wsgi.py FLASK_CONFIG=production DATABASE_URL="$PG/$DATABASE" TRUSTED_PROXIES=1
export SECRET_KEY="$(random)" SECRET_KEY_FALLBACKS="$(random)" AUDIT_PSEUDONYM_KEY="$(random)" AUDIT_TRAIL_KEY="$(random)"
export PARTNERSHIP_NAME="Smoke Test Safeguarding Children Partnership"
export APP_BASE_URL="https://audit.smoke.example"  # required in production: links never use the request's Host
ADMIN_EMAIL=admin@smoke.example
ADMIN_PASSWORD="smoke $(random)"

echo "== flask db upgrade, flask seed, flask users create"
$VENV/flask db upgrade >>"$LOG" 2>&1
$VENV/flask seed >>"$LOG" 2>&1
$VENV/flask users create --email "$ADMIN_EMAIL" --name "Smoke administrator" --role admin \
  --password "$ADMIN_PASSWORD" >>"$LOG"

if [ ! -f audit_app/static/dist/css/main.css ]; then
  echo "== assets: npm run build"
  npm run --silent build
fi

PORT="$($VENV/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "== gunicorn -c gunicorn.conf.py on 127.0.0.1:$PORT"
GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS=2 $VENV/gunicorn -c gunicorn.conf.py wsgi:app >>"$LOG" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.5
done

echo "== health, sign-in with an authenticator, pages"
if ! BASE="http://127.0.0.1:$PORT" ADMIN_EMAIL="$ADMIN_EMAIL" ADMIN_PASSWORD="$ADMIN_PASSWORD" $VENV/python - <<'EOF'
import os
import re
import sys
from http.cookies import SimpleCookie

import pyotp
import requests

BASE = os.environ["BASE"]
# What nginx adds to every request it forwards (docs/DEPLOYMENT.md): the browser used HTTPS.
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "audit.smoke.example", "X-Forwarded-For": "192.0.2.10"}
cookies: dict[str, str] = {}


def call(method: str, path: str, *, came_from: requests.Response | None = None, **kwargs) -> requests.Response:
    """One request as nginx forwards it. The session cookie is Secure, so it is carried by hand
    (a client library would rightly not send it over this loopback http hop). A form is sent
    with the Referer a browser would send under the Referrer-Policy of the page it came from."""
    headers = {**PROXY, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **referer(came_from)}
    response = requests.request(method, BASE + path, headers=headers, allow_redirects=False, timeout=30, **kwargs)
    for header in response.raw.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        for name, morsel in cookie.items():
            assert morsel["secure"] and morsel["httponly"], f"cookie {name} is not Secure and HttpOnly"
            cookies[name] = morsel.value
    return response


def referer(page: requests.Response | None) -> dict[str, str]:
    policy = page.headers.get("Referrer-Policy", "strict-origin-when-cross-origin") if page is not None else "no-referrer"
    if policy == "no-referrer":
        return {}
    origin = f"https://{PROXY['X-Forwarded-Host']}"
    return {"Referer": origin + ("/" if policy in ("origin", "strict-origin") else page.request.path_url)}


def expect(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"deploy smoke: FAILED: {message}")


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    expect(match is not None, "no CSRF token on the page")
    return match.group(1)


health = call("GET", "/health")
expect(health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}, f"/health: {health.text}")

login = call("GET", "/login")
expect(login.status_code == 200, f"/login answered {login.status_code}")
headers = login.headers
expect("max-age=" in headers.get("Strict-Transport-Security", ""), "no HSTS header")
expect("default-src 'self'" in headers.get("Content-Security-Policy", ""), "no Content-Security-Policy")
expect("__Host-session" in cookies, f"the session cookie is not __Host-session: {list(cookies)}")

signed = call("POST", "/login", came_from=login, data={
    "email": os.environ["ADMIN_EMAIL"], "password": os.environ["ADMIN_PASSWORD"], "csrf_token": form_token(login.text)})
expect(signed.status_code != 400 or login.headers.get("Referrer-Policy") != "no-referrer",
       "the sign-in form was refused (400). Over HTTPS Flask-WTF refuses a form without a same-site Referer "
       "(WTF_CSRF_SSL_STRICT), and the app's Referrer-Policy: no-referrer tells browsers to send none. "
       "Send Referrer-Policy: same-origin instead (audit_app/security.py).")
expect(signed.status_code == 302 and signed.headers["Location"].endswith("/account/authenticator"),
       f"an administrator without an authenticator must set one up first: {signed.status_code} "
       f"{signed.headers.get('Location')}")
expect(call("GET", "/admin/users").status_code == 302, "pages opened before the authenticator was set up")

setup = call("GET", "/account/authenticator")
secret = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', setup.text)
expect(setup.status_code == 200 and secret is not None, "the authenticator page shows no key")
enrolled = call("POST", "/account/authenticator", came_from=setup,
                data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": form_token(setup.text)})
expect(enrolled.status_code == 200 and "Save your recovery codes" in enrolled.text, "authenticator set-up failed")

for path, words in (("/", "Smoke Test Safeguarding Children Partnership"),
                    ("/admin/users", "Smoke administrator"), ("/admin/agencies", "Agencies"),
                    ("/account", "Smoke administrator")):
    page = call("GET", path)
    expect(page.status_code == 200 and words in page.text, f"{path} answered {page.status_code} without {words!r}")
    expect(page.headers.get("Cache-Control") == "no-store", f"{path} may be cached")
style = call("GET", "/static/dist/css/main.css")
expect(style.status_code == 200 and b"govuk" in style.content, "the built assets are not served")
print("smoke client: health, HSTS, CSP, __Host- cookie, sign-in, authenticator set-up, 4 pages, assets")
EOF
then
  echo "--- gunicorn and flask output"; tail -40 "$LOG"; exit 1
fi

kill -TERM "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true
GUNICORN_PID=""
if grep -q "Traceback" "$LOG"; then echo "--- errors in the log"; grep -A20 -m1 Traceback "$LOG"; exit 1; fi
rm -f "$LOG"
echo "deploy smoke: ok"
