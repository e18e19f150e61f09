"""The session class: remembers which cooperative it serves and refuses to serve another.

The identity map is the one place where the query-level tenant filter cannot help:
``session.get`` may answer from memory without SQL. So ``get`` checks the object it
returns, and a session bound to one cooperative refuses work for another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession

BOUND_TENANT = "iok_bound_tenant"
RLS_TENANT = "iok_rls_tenant"


def _no_guard(session: Any, entity: Any, found: Any) -> Any:
    raise RuntimeError("iok_saas.tenancy.scoping is not loaded: no tenant check for get()")


class TenantSession(FlaskSession):
    """Flask-SQLAlchemy session that never returns an object of another cooperative."""

    # Installed by ``iok_saas.tenancy.scoping`` (the layer above knows what a cooperative is);
    # until then every ``get`` fails closed.
    identity_guard: Callable[[Any, Any, Any], Any] = staticmethod(_no_guard)

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        """Like ``Session.get``; an object of another cooperative is reported as absent."""
        return type(self).identity_guard(self, entity, super().get(entity, ident, **kwargs))

    def close(self) -> None:
        """Close and forget the cooperative the session was bound to."""
        super().close()
        self.info.pop(BOUND_TENANT, None)
        self.info.pop(RLS_TENANT, None)
