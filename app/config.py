"""Settings read from PACTUM_* environment variables.

Every setting has a development default so `make run` works on a fresh machine;
production (`PACTUM_ENV=production`) refuses to start without a real secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from babel import Locale, UnknownLocaleError

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PACTUM_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PACTUM_{name}", default)


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    value = _env(name)
    return float(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key() -> str:
    """A secret generated once per checkout and kept under instance/."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _pool_options() -> dict:
    """Database connections per process (docs/deploy.md has the max_connections arithmetic);
    SQLAlchemy's defaults (5 + 10 overflow) unless set."""
    options = {}
    if _env("DB_POOL_SIZE"):
        options["pool_size"] = _env_int("DB_POOL_SIZE", 5)
    if _env("DB_MAX_OVERFLOW"):
        options["max_overflow"] = _env_int("DB_MAX_OVERFLOW", 10)
    return options


def _mail_and_security(production: bool, redis_url: str | None) -> dict:
    return {
        # Mail: with no server configured, mail is printed to the console.
        "MAIL_SERVER": _env("MAIL_SERVER") or None,
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USERNAME": _env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": _env("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_SENDER": _env("MAIL_SENDER", "Pactum secretariat <secretariat@pactum.example>"),
        "SECRETARIAT_EMAIL": _env("SECRETARIAT_EMAIL", "secretariat@pactum.example"),
        # How the outbox is delivered after a commit: thread | rq | cron | inline (app.mail).
        "MAIL_DELIVERY": _env("MAIL_DELIVERY", "thread"),
        # Secretariat accounts must enrol a second factor (TOTP) before anything else.
        "REQUIRE_SECOND_FACTOR": _env_bool("REQUIRE_SECOND_FACTOR", True),
        # Security. With SECURE_COOKIES (production, or PACTUM_SECURE_COOKIES=1 behind HTTPS)
        # the factory names the session and remember cookies `__Host-…`, Secure, Path=/, no
        # Domain (app.factory.register_cookie_policy). Not keyed on `not app.debug`: `make run`
        # serves plain http://127.0.0.1, where a Secure cookie would break the demo's logins.
        "SECURE_COOKIES": _env_bool("SECURE_COOKIES", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "10 per minute;100 per day"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "TOKEN_MAX_AGE": _env_int("TOKEN_MAX_AGE", 2 * 3600),
        "INVITE_MAX_AGE": _env_int("INVITE_MAX_AGE", 14 * 24 * 3600),
    }


def _uploads() -> dict:
    return {
        # Uploads.
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 12) * 1024 * 1024,
        "LOGO_MAX_BYTES": 2 * 1024 * 1024,
        "EVIDENCE_MAX_BYTES": _env_int("EVIDENCE_MAX_MB", 10) * 1024 * 1024,
        "WORKBOOK_MAX_BYTES": _env_int("WORKBOOK_MAX_MB", 5) * 1024 * 1024,
        "WORKBOOK_MAX_UNPACKED_BYTES": _env_int("WORKBOOK_MAX_UNPACKED_MB", 40) * 1024 * 1024,
        "WORKBOOK_MAX_RATIO": _env_int("WORKBOOK_MAX_RATIO", 200),
        "WORKBOOK_MAX_PARTS": _env_int("WORKBOOK_MAX_PARTS", 200),
        "WORKBOOK_PREVIEW_MAX_AGE": _env_int("WORKBOOK_PREVIEW_MAX_AGE", 3600),
    }


DEFAULT_LANGUAGES = "en,fr,es,de"


def _language_name(code: str) -> str:
    """A language's name in that language, capitalised as a menu shows it ("Français")."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError) as error:
        raise ConfigError(f"PACTUM_LANGUAGES: {code!r} is not a language code") from error
    return name[:1].upper() + name[1:]


def language_settings(value: str | None = None) -> dict:
    """The alliance's languages (`PACTUM_LANGUAGES`, e.g. "en,fr,es,de"): the first is the
    source language its texts are written in; the selector offers exactly these, in this
    order (app/core/languages.py). Interface strings are English in the code, so text Pactum
    renders outside a request (mail without a recipient's locale, CLI) stays English."""
    if value is None:
        value = _env("LANGUAGES", DEFAULT_LANGUAGES)
    codes = []
    for code in (value or "").replace(" ", "").split(","):
        if code and code not in codes:
            codes.append(code)
    if not codes:
        raise ConfigError("PACTUM_LANGUAGES must name at least one language")
    return {
        "LANGUAGES": {code: _language_name(code) for code in codes},
        "SOURCE_LANGUAGE": codes[0],
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
    }


def load_config() -> dict:
    env = _env("ENV", "development")
    production = env == "production"
    secret = _env("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("PACTUM_SECRET_KEY must be set when PACTUM_ENV=production")
        secret = _dev_secret_key()
    default_db = f"sqlite:///{INSTANCE_DIR / 'pactum.sqlite3'}"
    redis_url = _env("REDIS_URL") or None
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", default_db),
        # No pool_pre_ping: app.db.ping_connections_after_idle checks idle connections only.
        "SQLALCHEMY_ENGINE_OPTIONS": _pool_options(),
        "SQLALCHEMY_RECORD_QUERIES": False,
        # A streaming replica for anonymous reads of public pages (app/db.py, docs/deploy.md),
        # used for a page only when its data has not changed for REPLICA_MAX_LAG seconds.
        "SQLALCHEMY_BINDS": {"replica": replica}
        if (replica := _env("DATABASE_REPLICA_URL"))
        else {},
        "REPLICA_MAX_LAG": _env_float("REPLICA_MAX_LAG", 30.0),
        "REDIS_URL": redis_url,
        # Shared cache (app/core/cache.py): redis | sqlite | filesystem | memory | null;
        # unset = redis when PACTUM_REDIS_URL is set, else sqlite under the instance folder.
        "CACHE_BACKEND": _env("CACHE_BACKEND") or None,
        # Full-page cache of public pages for anonymous visitors (app/core/http_cache.py).
        "PAGE_CACHE": _env_bool("PAGE_CACHE", True),
        # Trusted reverse proxies in front of gunicorn (X-Forwarded-For/-Proto/-Host).
        "PROXY_COUNT": _env_int("PROXY_COUNT", 0),
        # Alliance identity, shown in the layout, the emails and the PDFs.
        "ALLIANCE_NAME": _env("ALLIANCE_NAME", "Open Cyber Accord"),
        "ALLIANCE_SHORT": _env("ALLIANCE_SHORT", "OCA"),
        "SERVER_URL": _env("SERVER_URL", "http://127.0.0.1:5000"),
        **_mail_and_security(production, redis_url),
        **_uploads(),
        # Reporting rules.
        "REMINDER_OFFSETS": [
            int(x) for x in (_env("REMINDER_OFFSETS", "30,7,1") or "").split(",") if x
        ],
        # Days a member may stay non-communicating before delisting; 0 = until year end.
        "DELIST_AFTER_DAYS": _env_int("DELIST_AFTER_DAYS", 0),
        # Operations (docs/deploy.md "Monitoring"): seconds a background build may stay
        # silent before it is taken as interrupted; the /metrics token (unset: loopback
        # only); minutes the oldest waiting mail may wait before /healthz fails (0: never).
        "BUILD_TIMEOUT": _env_int("BUILD_TIMEOUT", 2 * 3600),
        # A published charter version's PDF is laid out after the commit: thread | inline |
        # off (app.charter.notifications).
        "CHARTER_PDF_ON_PUBLISH": _env("CHARTER_PDF_ON_PUBLISH", "thread"),
        "METRICS_TOKEN": _env("METRICS_TOKEN") or None,
        "HEALTH_MAIL_MAX_AGE": _env_int("HEALTH_MAIL_MAX_AGE", 0),
        **language_settings(),
    }


def overrides_for_tests(database_url: str) -> dict:
    """Settings for the test suite: a throw-away secret, CSRF on, no throttling surprises."""
    return {
        "TESTING": True,
        "MAIL_DELIVERY": "inline",  # delivered in the committing thread: tests read it at once
        # Most tests publish charters without reading the PDF (test_pdf_stored turns it on).
        "CHARTER_PDF_ON_PUBLISH": "off",
        # Most tests log the secretariat in by session; tests/accounts/test_mfa*.py turn it on.
        "REQUIRE_SECOND_FACTOR": False,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_URL": "http://localhost",
        "MAIL_SERVER": None,
    }
