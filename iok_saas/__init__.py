"""IOK SaaS: one platform hosting the self-service portal of many housing cooperatives."""

from __future__ import annotations

from inspect import iscoroutinefunction
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BaseConfig, load_config


class App(Flask):
    """Flask, remembering which hooks and views are plain functions.

    Flask asks ``inspect.iscoroutinefunction`` of every hook and view on every request (a dozen
    times a request here, about 12 µs in all); the answer never changes.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain: set[Any] = set()

    def ensure_sync(self, func: Any) -> Any:
        try:
            plain = func in self._plain
        except TypeError:  # not hashable: ask every time
            plain = False
        if plain:
            return func
        if iscoroutinefunction(func):
            return self.async_to_sync(func)
        try:
            if len(self._plain) < 10_000:  # bound methods are new objects, equal ones hash alike
                self._plain.add(func)
        except TypeError:
            pass
        return func


def create_app(config: type[BaseConfig] | dict[str, Any] | None = None) -> App:
    """Build the app: configuration, then each part's ``init_app`` in order."""
    app = App(__name__, instance_relative_config=False)
    _configure(app, config)
    from iok_saas import (
        account_security,
        announcements,
        applications,
        audit,
        auth,
        cli,
        contacts,
        correspondence,
        db,
        delivery,
        documents,
        faults,
        finance,
        health,
        imports,
        jobs,
        mail,
        meetings,
        meters,
        models,  # noqa: F401 - every model, so metadata and migrations are complete
        my_data,
        public,
        settlements,
        staff,
        web,
    )
    from iok_saas.tenancy import resolver
    from iok_saas.web import pagecache

    parts = (db, web, resolver, pagecache, jobs, mail, auth, contacts, account_security, audit,
             public, finance, staff, imports, meters, faults, correspondence, announcements,
             documents, delivery, settlements, meetings, my_data, applications, health, cli)
    for part in parts:
        part.init_app(app)
    return app


def _configure(app: Flask, config: type[BaseConfig] | dict[str, Any] | None) -> None:
    """Environment class first (``IOK_ENV``), then explicit overrides (tests)."""
    if isinstance(config, type):
        config.validate()
        app.config.from_object(config)
    else:
        app.config.from_object(load_config())
        app.config.update(config or {})
    app.config["INSTANCE_PATH"] = Path(app.config["INSTANCE_PATH"])
    app.config["INSTANCE_PATH"].mkdir(parents=True, exist_ok=True)
    if any(app.config["PROXY_FIX"].values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **app.config["PROXY_FIX"])
