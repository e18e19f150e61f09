"""Polish by default, English on request; the catalogue lives in ``iok_saas/translations``."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale

from iok_saas.extensions import babel


def select_locale() -> str:
    """The language chosen in this browser, else Polish (also for CLI commands and jobs)."""
    lang = session.get("lang") if has_request_context() else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def compile_catalogues(root: Path) -> None:
    """Compile ``*.po`` to ``*.mo`` where the compiled file is missing or older."""
    for po_path in root.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        try:
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalogue)
        except OSError:  # a read-only install: the build step compiled them
            return


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the session-based language choice."""
    compile_catalogues(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
