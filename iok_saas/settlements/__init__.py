"""Yearly settlements of water and heat, explained (feature ``settlements``): from the
building's bill to the unit's balance, step by step, every number the settlement company's
(docs/settlements.md); the settlement delivered to the unit with proof; a question about it
as a case the office answers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The resident's and the office's pages, the menu links, the kind of case."""
    from iok_saas.settlements import kind  # noqa: F401 - the questions' kind of case
