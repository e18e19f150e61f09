"""Extension singletons, created here once and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from redis import Redis

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()


def redis_connection() -> Redis | None:
    """The app's Redis client, or None in the embedded default (no IOK_REDIS_URL)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("iok_redis")
    if client is None:
        client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        current_app.extensions["iok_redis"] = client
    return client
