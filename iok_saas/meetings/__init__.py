"""The general meeting (walne zgromadzenie; feature ``general_meeting``) under art. 8³ of the
housing cooperatives act as amended by Dz.U. 2026 poz. 39: the office prepares the meeting and
its parts, lays out its documents, gives notice, takes members' draft resolutions, keeps the
register of proxies and enters each part's attendance and votes; members read their part, the
agenda and the documents, file drafts and, after the meeting, read the results and the minutes
(docs/general-meeting.md). Nothing is voted online."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The kind of case (members' drafts), the members' and the office's pages, the home
    page's block."""
    from iok_saas.meetings import (
        home,
        kind,  # noqa: F401 - the drafts' kind of case
        routes,
        staff,
    )

    routes.register(app)  # the members' pages, menu link and personal data
    staff.register(app)  # the office's pages, menu link and start-page figure
    home.register(app)  # the convened meeting's part on the home page
