"""Feature switches: a capability switched off answers 404 on every page it owns."""

from __future__ import annotations

from flask import Blueprint, abort, g

from iok_saas.tenancy.settings import FEATURES


def require_feature(blueprint: Blueprint, feature: str) -> None:
    """Make every page of ``blueprint`` answer 404 where the cooperative has ``feature`` off."""
    if feature not in FEATURES:
        raise ValueError(f"unknown feature {feature!r}; known: {', '.join(FEATURES)}")

    @blueprint.before_request
    def _feature_is_on() -> None:
        if not g.tenant.has_feature(feature):
            abort(404)
