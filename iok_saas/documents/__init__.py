"""The cooperative's documents for members (art. 8¹ of the housing cooperatives act): a
library of PDFs with versions for residents holding a unit (feature ``documents``)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from iok_saas.web.home import PAGE, HomeTile, register_tile

HOME_SHOWN = 5


def _home(user_id: Any, held: Any) -> Any:
    """Documents published or replaced since the resident last opened the library."""
    from iok_saas.documents.services import new_rows

    return new_rows(user_id, held, HOME_SHOWN)


def init_app(app: Flask) -> None:
    """The members' pages, the staff pages, the menu links."""
    from iok_saas.documents import personal, routes
    from iok_saas.web.navigation import N_, NavItem, register
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.staff_bp)
    register(app, NavItem("documents.index", N_("Documents"), "resident", "documents", order=50))
    register(app, NavItem("staff_documents.staff_index", N_("Documents"), "staff", "documents",
                          order=55))
    register_tile(app, HomeTile("documents", "documents/_home.html", _home, place=PAGE,
                                feature="documents", order=20))
    register_section(app, PersonalSection("dokumenty", _l("My last visit to the documents"),
                                          personal.visit_rows, feature="documents"))
