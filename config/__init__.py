"""Environment classes for the IOK platform, read from ``IOK_*`` environment variables.

``load_config()`` picks the class from ``IOK_ENV`` (development, testing, production);
with nothing set the development class gives the embedded default: a SQLite file in
``instance/``, jobs run in-process right after commit, e-mail written to ``instance/outbox/``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in (_env(name) or "").split(",") if part.strip()]


def _derived_data_key(secret_key: str) -> str:
    """A data key (Fernet: 32 url-safe base64 bytes) derived from ``SECRET_KEY``."""
    digest = hashlib.sha256(b"iok-data-key:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


class BaseConfig:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    INSTANCE_PATH = Path(_env("IOK_INSTANCE_PATH", str(ROOT / "instance")))
    SECRET_KEY = _env("IOK_SECRET_KEY")
    # The keys that seal secrets at rest (iok_saas/db/sealed.py), newest first, comma-separated:
    # the newest seals, any opens; `iok secrets rotate` seals everything with the newest.
    DATA_KEYS = _env_list("IOK_DATA_KEYS")
    SQLALCHEMY_DATABASE_URI = _env("IOK_DATABASE_URL")
    # Migrations may run as the owner of the schema while the app connects as a
    # non-owner role, so row-level security binds the app (see docs/operations.md).
    MIGRATION_DATABASE_URI = _env("IOK_MIGRATION_DATABASE_URL")
    DATABASE_APP_ROLE = _env("IOK_DATABASE_APP_ROLE")
    # Work across cooperatives (relay, recovery, scheduler, operator commands) connects as
    # this role, which bypasses row-level security; default: the migration owner's URL.
    PLATFORM_DATABASE_URI = _env("IOK_PLATFORM_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # The app and platform URLs lead to PgBouncer in transaction pooling mode: no server-side
    # prepared statements (a transaction's next one may run on another server connection).
    DATABASE_TRANSACTION_POOLING = _env("IOK_DATABASE_TRANSACTION_POOLING", "0") == "1"
    REDIS_URL = _env("IOK_REDIS_URL")
    RQ_QUEUE = _env("IOK_RQ_QUEUE", "iok")
    JOB_TIMEOUT = _env_int("IOK_JOB_TIMEOUT", 60)
    JOB_FAILURE_TTL = _env_int("IOK_JOB_FAILURE_TTL", 7 * 24 * 3600)
    JOB_RETRY_INTERVALS = [int(v) for v in _env_list("IOK_JOB_RETRY_INTERVALS")] or [10, 60, 300]
    # A message still "sending" after this long was interrupted (worker killed, timeout).
    OUTBOX_STALE_SECONDS = _env_int("IOK_OUTBOX_STALE_SECONDS", 60)
    OUTBOX_RELAY_SECONDS = _env_int("IOK_OUTBOX_RELAY_SECONDS", 15)
    # Mass e-mail (announcements) goes this many messages to a job, over one connection to the
    # mail server (below the per-connection limits mail services set, often 100).
    MAIL_BULK_CHUNK = _env_int("IOK_MAIL_BULK_CHUNK", 50)
    # How often the worker's scheduler looks for periodic jobs that are due.
    SCHEDULER_TICK_SECONDS = _env_int("IOK_SCHEDULER_TICK_SECONDS", 5)
    WORKER_BEAT_SECONDS = _env_int("IOK_WORKER_BEAT_SECONDS", 10)
    # An announcement's e-mails are queued this many at a time, each batch a job of its own.
    ANNOUNCEMENT_BATCH = _env_int("IOK_ANNOUNCEMENT_BATCH", 500)
    # A chain of batches that made no progress this long is started again (a worker died).
    ANNOUNCEMENT_STALE_SECONDS = _env_int("IOK_ANNOUNCEMENT_STALE_SECONDS", 300)
    ANNOUNCEMENT_RESUME_SECONDS = _env_int("IOK_ANNOUNCEMENT_RESUME_SECONDS", 60)
    # How often the scheduler counts the platform figures /metrics shows (e-mails, imports).
    METRICS_SNAPSHOT_SECONDS = _env_int("IOK_METRICS_SNAPSHOT_SECONDS", 15)
    # /metrics answers only a request carrying this token (Authorization: Bearer); unset: 404.
    METRICS_TOKEN = _env("IOK_METRICS_TOKEN")
    # One line per event on standard error (iok_saas/web/logs.py), from this level up.
    LOG_LEVEL = _env("IOK_LOG_LEVEL", "INFO")
    SMTP_TIMEOUT = _env_int("IOK_SMTP_TIMEOUT", 30)
    LOGIN_LIMIT_PER_IP = _env("IOK_LOGIN_LIMIT_PER_IP", "60 per minute")
    LOGIN_LIMIT_PER_TENANT_IP = _env("IOK_LOGIN_LIMIT_PER_TENANT_IP", "20 per minute")
    APPLICATION_LIMIT_PER_TENANT_IP = _env("IOK_APPLICATION_LIMIT_PER_TENANT_IP", "10 per hour")
    RATELIMIT_STORAGE_URI = _env("IOK_RATELIMIT_STORAGE_URL")
    MAIL_DEFAULT_SENDER = _env("IOK_MAIL_DEFAULT_SENDER", "iok@localhost")
    BASE_DOMAIN = (_env("IOK_BASE_DOMAIN", "localhost") or "").lower()
    PUBLIC_PORT = _env("IOK_PUBLIC_PORT")
    PREFERRED_URL_SCHEME = _env("IOK_URL_SCHEME", "https")
    # Custom domains (iok.smbaltyk.pl) are canonical in production; the demo serves
    # every cooperative on <slug>.localhost, so links there must stay local.
    CUSTOM_DOMAINS_CANONICAL = _env("IOK_CUSTOM_DOMAINS_CANONICAL", "1") == "1"
    TRUSTED_HOSTS = _env_list("IOK_TRUSTED_HOSTS") or None
    PROXY_FIX = {
        "x_for": _env_int("IOK_PROXY_X_FOR", 0),
        "x_proto": _env_int("IOK_PROXY_X_PROTO", 0),
        "x_host": _env_int("IOK_PROXY_X_HOST", 0),
        "x_port": _env_int("IOK_PROXY_X_PORT", 0),
        "x_prefix": _env_int("IOK_PROXY_X_PREFIX", 0),
    }
    # Imports: the largest file accepted by any way in (uploads wait for the worker in the
    # cooperative's file store, in PostgreSQL), how long one import may run.
    IMPORT_MAX_MB = _env_int("IOK_IMPORT_MAX_MB", 512)
    # A resident's data download is built in the request up to this many rows (a photo counts
    # as 50); a larger one by a job, with a link on *Moje dane*.
    EXPORT_INLINE_ROWS = _env_int("IOK_EXPORT_INLINE_ROWS", 5000)
    IMPORT_JOB_TIMEOUT = _env_int("IOK_IMPORT_JOB_TIMEOUT", 3600)
    API_LIMIT = _env("IOK_API_LIMIT", "120 per minute")
    TENANTS_DIR = Path(_env("IOK_TENANTS_DIR", str(ROOT / "tenants")))
    TENANT_CACHE_SECONDS = _env_int("IOK_TENANT_CACHE_SECONDS", 300)
    # How often a web process asks whether an operator changed a cooperative (seconds; the
    # process that made the change sees it at once).
    TENANT_GENERATION_CHECK_SECONDS = float(_env("IOK_TENANT_GENERATION_CHECK_SECONDS", "1"))
    # Visitors' pages (no cookie: the public home, the terms…) are kept rendered this long in
    # each web process (iok_saas/web/pagecache.py); 0 switches that off.
    PAGE_CACHE_SECONDS = float(_env("IOK_PAGE_CACHE_SECONDS", "30"))
    SMTP_HOST = _env("IOK_SMTP_HOST")
    SMTP_PORT = _env_int("IOK_SMTP_PORT", 25)
    SMTP_USER = _env("IOK_SMTP_USER")
    SMTP_PASSWORD = _env("IOK_SMTP_PASSWORD")
    SMTP_TLS = _env("IOK_SMTP_TLS", "none")
    MAIL_OUTBOX_DIR = Path(_env("IOK_MAIL_OUTBOX_DIR", str(INSTANCE_PATH / "outbox")))
    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    LANGUAGES = ("pl", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Host-only cookies: a cookie set on baltyk.<domain> is never sent to another cooperative.
    SESSION_COOKIE_DOMAIN = False
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    @classmethod
    def validate(cls) -> None:
        """Refuse settings that cannot work; the default classes accept everything."""


class DevelopmentConfig(BaseConfig):
    """The embedded default: no server needed."""

    ENV_NAME = "development"
    SECRET_KEY = BaseConfig.SECRET_KEY or "development-only-not-secret"
    # The demo needs nothing set: a stable data key derived from SECRET_KEY. Never in
    # production, where the data key must not be the one that signs every cookie.
    DATA_KEYS = BaseConfig.DATA_KEYS or [_derived_data_key(SECRET_KEY)]
    SQLALCHEMY_DATABASE_URI = BaseConfig.SQLALCHEMY_DATABASE_URI or (
        f"sqlite:///{BaseConfig.INSTANCE_PATH / 'iok.sqlite3'}"
    )
    PREFERRED_URL_SCHEME = _env("IOK_URL_SCHEME", "http")
    PUBLIC_PORT = BaseConfig.PUBLIC_PORT or "5000"
    CUSTOM_DOMAINS_CANONICAL = _env("IOK_CUSTOM_DOMAINS_CANONICAL", "0") == "1"


class TestingConfig(DevelopmentConfig):
    """The test suite: the harness passes the database and Redis it created."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    DATA_KEYS = BaseConfig.DATA_KEYS or [_derived_data_key(SECRET_KEY)]
    PUBLIC_PORT = None
    TENANT_CACHE_SECONDS = 300


class ProductionConfig(BaseConfig):
    """Production: PostgreSQL, Redis and real secrets, or no start at all."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-iok"
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def validate(cls) -> None:
        """Name every missing secret instead of starting half-configured."""
        missing = [
            name
            for name, value in (
                ("IOK_SECRET_KEY", cls.SECRET_KEY),
                ("IOK_DATABASE_URL", cls.SQLALCHEMY_DATABASE_URI),
                ("IOK_DATA_KEYS", cls.DATA_KEYS),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                "Production needs these environment variables: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> type[BaseConfig]:
    """Return the environment class named by ``name`` or ``IOK_ENV`` (default development)."""
    name = name or _env("IOK_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(
            f"IOK_ENV={name!r} is not one of: {', '.join(CONFIGS)}"
        ) from exc
    cls.validate()
    return cls
