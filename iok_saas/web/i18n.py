"""Polish by default, English on request; the catalogue lives in ``iok_saas/translations``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context

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


# A page's labels are translated against the catalogue looked up once for the page: Flask-Babel
# finds the catalogue anew for every ``_()`` (the request's locale through several context
# lookups), which was a third of a long page's rendering.
CATALOGUE = "iok_catalogue"


def _catalogue(context: Context) -> Any:
    """The catalogue of the page being rendered (else the current one: a macro imported without
    the page's context, a template rendered without Flask's ``render_template``)."""
    found = context.vars.get(CATALOGUE)
    if found is None:
        found = context.parent.get(CATALOGUE)
    return found if found is not None else get_translations()


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _catalogue(context).ugettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return _catalogue(context).ungettext(singular, plural, count)


@pass_context
def _pgettext(context: Context, where: str, message: str) -> str:
    return _catalogue(context).upgettext(where, message)


@pass_context
def _npgettext(context: Context, where: str, singular: str, plural: str, count: int) -> str:
    return _catalogue(context).unpgettext(where, singular, plural, count)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the session-based language choice."""
    compile_catalogues(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.install_gettext_callables(
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext,
        newstyle=True)
    # Each render (also one inside ``force_locale``, an e-mail) takes the catalogue it needs.
    app.context_processor(lambda: {CATALOGUE: get_translations()})
