"""Configuration classes. Secrets and the database URL come from the environment."""

import os
from datetime import timedelta
from urllib.parse import urlsplit

MIN_SECRET_LENGTH = 32
# Seals the audit trail outside development and tests; production refuses it (ProductionConfig.check).
DEV_TRAIL_KEY = "development-audit-trail-key-not-for-production"
MAX_TRUSTED_PROXIES = 5  # more hops than this in front of one service is a mistake, not a topology


def secret_key_fallbacks() -> list[str]:
    """Earlier secret keys, still accepted for signed session cookies while a new key takes over
    (SECRET_KEY_FALLBACKS: comma-separated; nothing is ever signed with them)."""
    return [key.strip() for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()]


def trusted_proxies() -> int:
    """How many reverse proxies stand in front of the app (TRUSTED_PROXIES, 0 when none).

    Only that many X-Forwarded-* hops are believed, so a client cannot choose the address that
    sign-in throttling counts against by sending the header itself.
    """
    raw = os.environ.get("TRUSTED_PROXIES", "").strip() or "0"
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_TRUSTED_PROXIES:
        raise RuntimeError(
            f"TRUSTED_PROXIES must be the number of reverse proxies in front of the app, "
            f"0 to {MAX_TRUSTED_PROXIES} (1 behind one nginx), not {raw!r}."
        )
    return int(raw)


def base_url_problem(value: str | None) -> str | None:
    """Why ``value`` cannot be APP_BASE_URL (the address people reach the workbench at), or None when it can."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return (
            f"Set APP_BASE_URL to the address people reach the workbench at, like "
            f"https://audit.partnership.example (not {value!r})."
        )
    return None


def seconds_setting(name: str, default: timedelta) -> timedelta:
    """A time-out from the environment in whole seconds (``name`` unset: ``default``). The browser tests
    shorten the time-outs this way to watch the warnings happen; a deployment may too."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) == 0:
        raise RuntimeError(f"{name} must be a whole number of seconds above 0, not {raw!r}.")
    return timedelta(seconds=int(raw))


class Config:
    # Never a default in the source: development makes a random key in instance/ (see create_app).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SECRET_KEY_FALLBACKS = secret_key_fallbacks()  # Flask 3.1 reads these when it checks a session cookie
    TRUSTED_PROXIES = trusted_proxies()  # ProxyFix trusts this many X-Forwarded-For/-Proto/-Host hops
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in instance/
    # hide_parameters: a database error logged with its traceback shows the statement, never the values in it
    # (the text someone typed).
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True, "hide_parameters": True}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # absolute: signed out 12 hours after signing in
    PERMANENT_SESSION_LIFETIME = seconds_setting("SESSION_LIFETIME_SECONDS", timedelta(hours=12))
    SESSION_IDLE_TIMEOUT = seconds_setting("SESSION_IDLE_SECONDS", timedelta(minutes=30))
    # the page warns this long before either time-out (and offers "stay signed in" before the idle one)
    IDLE_WARNING_BEFORE = seconds_setting("IDLE_WARNING_SECONDS", timedelta(minutes=5))
    # Admins, coordinators and editors must use an authenticator app. Only a demo may turn this
    # off (AUDIT_MFA_ENFORCED=false, as `make run` does); production refuses to start without it.
    MFA_ENFORCED = os.environ.get("AUDIT_MFA_ENFORCED", "true").lower() != "false"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(0)
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # A CSV sample frame larger than this is refused with a clear message.
    MAX_CSV_BYTES = 2 * 1024 * 1024
    # A sample frame (one row per candidate child) may be a county's whole cohort.
    MAX_FRAME_BYTES = 10 * 1024 * 1024
    # Key for pseudonyms of agencies' own case numbers: from the environment only, never in the database.
    PSEUDONYM_KEY = os.environ.get("AUDIT_PSEUDONYM_KEY")
    # Fernet key sealing agencies' own case numbers for their auditors (docs/PSEUDONYMS.md): from the
    # environment only. Without it, case numbers are turned into pseudonyms and not kept at all.
    CASE_NUMBER_KEY = os.environ.get("AUDIT_CASE_NUMBER_KEY")
    # Key for the audit trail's seals and digests: from the environment, never in the database, so
    # someone who can change the database cannot re-seal the trail (data/trail_seals.py).
    AUDIT_TRAIL_KEY = os.environ.get("AUDIT_TRAIL_KEY") or DEV_TRAIL_KEY
    # argon2id parameters (RFC 9106 second recommended option: 64 MiB, t=3).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    PARTNERSHIP_NAME = os.environ.get("PARTNERSHIP_NAME", "Westmere Safeguarding Children Partnership")
    # Case-level answers and free text are deleted this many months after an audit closes
    # (`flask retention run`); published briefings and aggregate figures are kept. See docs/OPERATIONS.md.
    RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", "24"))
    # Reminder e-mails; nothing is sent while MAIL_SERVER is unset.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "true").lower() == "true"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "case-audit@partnership.example")
    # The address people reach the workbench at: every link in an e-mail, an invitation or a briefing
    # is built on it, never on a request's Host header (audit_app/links.py). Production requires it.
    APP_BASE_URL = os.environ.get("APP_BASE_URL")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SECRET_KEY_FALLBACKS: list[str] = []  # the tests never depend on the shell's environment
    TRUSTED_PROXIES = 0
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    # Cheap hashing keeps the suite fast; the algorithm stays argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64  # KiB; argon2 needs at least 8 per lane
    MFA_ENFORCED = False  # the MFA tests switch it on
    AUDIT_TRAIL_KEY = "test-audit-trail-key-not-for-production"
    CASE_NUMBER_KEY = "dGVzdC1jYXNlLW51bWJlci1rZXktbm90LWZvci11c2U="  # Fernet key for tests only


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"  # Secure, no Domain, Path=/: the browser enforces all three
    HSTS_SECONDS = 31_536_000  # a year: the service is only ever reached over TLS
    DEMO_DATA_ALLOWED = False  # `flask demo` adds nine accounts sharing one password: never in production

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a missing or weak secret key, a weak old key, or a garbled proxy count."""
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < MIN_SECRET_LENGTH:
            raise RuntimeError(f"Set SECRET_KEY to a random value of at least {MIN_SECRET_LENGTH} characters.")
        fallbacks = secret_key_fallbacks()
        if any(len(old) < MIN_SECRET_LENGTH for old in fallbacks):
            raise RuntimeError(
                f"Every key in SECRET_KEY_FALLBACKS must be at least {MIN_SECRET_LENGTH} characters "
                "(separate the keys with commas)."
            )
        if key in fallbacks:
            raise RuntimeError("SECRET_KEY_FALLBACKS must not contain the current SECRET_KEY.")
        cls.SECRET_KEY, cls.SECRET_KEY_FALLBACKS, cls.TRUSTED_PROXIES = key, fallbacks, trusted_proxies()
        if not cls.MFA_ENFORCED:
            raise RuntimeError("AUDIT_MFA_ENFORCED=false is for demonstrations only; production requires MFA.")
        cls.AUDIT_TRAIL_KEY = _checked_trail_key(key)
        cls.APP_BASE_URL = os.environ.get("APP_BASE_URL") or cls.APP_BASE_URL
        problem = base_url_problem(cls.APP_BASE_URL)
        if problem:
            raise RuntimeError(problem)


def _checked_trail_key(secret_key: str) -> str:
    """The audit trail's key: required in production, long, and not the same as any other secret."""
    key = os.environ.get("AUDIT_TRAIL_KEY", "")
    if len(key) < MIN_SECRET_LENGTH or key == DEV_TRAIL_KEY:
        raise RuntimeError(
            f"Set AUDIT_TRAIL_KEY to a random value of at least {MIN_SECRET_LENGTH} characters, "
            "kept outside the database and its backups: it seals the audit trail."
        )
    if key in (secret_key, os.environ.get("AUDIT_PSEUDONYM_KEY")):
        raise RuntimeError("AUDIT_TRAIL_KEY must differ from SECRET_KEY and AUDIT_PSEUDONYM_KEY.")
    return key


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def config_from_environment() -> type[Config]:
    """The config FLASK_CONFIG names. There is no default: unset, a server would otherwise start with
    development settings (no secure cookies, no HSTS) on a production box, so it refuses instead."""
    name = os.environ.get("FLASK_CONFIG", "").strip()
    if name not in CONFIGS:
        found = f"not {name!r}" if name else "it is unset"
        raise RuntimeError(
            f"Set FLASK_CONFIG to one of {', '.join(CONFIGS)} ({found}): "
            "production on a server, development for `make run` and its commands."
        )
    return CONFIGS[name]
