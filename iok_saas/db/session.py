"""The session class: remembers which cooperative it serves and refuses to serve another,
and connects as the platform role only inside platform work.

The identity map is the one place where the query-level tenant filter cannot help:
``session.get`` may answer from memory without SQL. So ``get`` checks the object it
returns, and a session bound to one cooperative refuses work for another.

Two database roles serve the running platform: the web app's ordinary role, which
row-level security binds to the cooperative of the transaction, and the platform role
(``IOK_PLATFORM_DATABASE_URL``), which bypasses it, for the work that spans cooperatives —
the outbox relay, recovery, the scheduler and the operator's commands. A session uses the
platform role only while ``platform_mode()`` is on (``iok_saas.db.platform_work``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Engine

BOUND_TENANT = "iok_bound_tenant"
RLS_TENANT = "iok_rls_tenant"
PLATFORM_BIND = "platform"
_ROLE = "iok_role"

_platform: ContextVar[bool] = ContextVar("iok_platform_role", default=False)


def platform_mode() -> bool:
    """Whether the current context works as the platform role."""
    return _platform.get()


def set_platform_mode(on: bool):
    """Switch platform mode for the current context; returns a token for ``reset``."""
    return _platform.set(on)


def reset_platform_mode(token) -> None:
    """Restore the mode that was in force before ``set_platform_mode``."""
    _platform.reset(token)


def _no_guard(session: Any, entity: Any, found: Any) -> Any:
    raise RuntimeError("iok_saas.tenancy.scoping is not loaded: no tenant check for get()")


def _no_check(engine: Any) -> None:
    raise RuntimeError("iok_saas.db is not initialised: the platform role is not checked")


class RoleSwitchInTransaction(RuntimeError):
    """A session in a transaction as one role was asked to run a statement as the other."""


class TenantSession(FlaskSession):
    """Flask-SQLAlchemy session that never returns an object of another cooperative."""

    # Installed by ``iok_saas.tenancy.scoping`` (the layer above knows what a cooperative is);
    # until then every ``get`` fails closed.
    identity_guard: Callable[[Any, Any, Any], Any] = staticmethod(_no_guard)
    # Installed by ``iok_saas.db``: refuses a platform engine that row-level security binds.
    platform_check: Callable[[Any], None] = staticmethod(_no_check)

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        """Like ``Session.get``; an object of another cooperative is reported as absent."""
        return type(self).identity_guard(self, entity, super().get(entity, ident, **kwargs))

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> Any:
        """The app's engine, or the platform role's while platform mode is on. A transaction
        keeps the role it began with: switching in the middle is refused, never mixed."""
        if bind is not None:
            return bind
        role = PLATFORM_BIND if platform_mode() else None
        began_as = self.info.get(_ROLE, role)
        if self.in_transaction() and began_as != role:
            raise RoleSwitchInTransaction(
                "This transaction runs as the "
                f"{'platform' if began_as else 'app'} role; commit or roll it back before "
                f"working as the {'platform' if role else 'app'} role.")
        self.info[_ROLE] = role
        if role is None:
            return super().get_bind(mapper=mapper, clause=clause, **kwargs)
        engines = self._db.engines
        engine = engines.get(PLATFORM_BIND, engines[None])
        type(self).platform_check(engine)
        return engine

    def close(self) -> None:
        """Close and forget the cooperative the session was bound to. A transaction that only
        read ends with COMMIT, not ROLLBACK: the same for the data, but psycopg forgets its
        prepared statements at every ROLLBACK, so a page's statement would be planned again
        on every request (5 ms for the home page's, 0.7 once prepared)."""
        transaction = self.get_transaction()
        # Work waiting for a commit (a job to queue: ``iok_saas.jobs``) or anything else a
        # layer above keeps in ``info`` is never let through by a commit here.
        waiting = any(value for key, value in self.info.items() if key not in _BOOKKEEPING)
        if transaction is not None and not (self.new or self.dirty or self.deleted or waiting):
            # The database transactions the session began, ended on their connections: the
            # session's own commit would expire the objects it still hands out after closing.
            began = [entry[1] for entry in getattr(transaction, "_connections", {}).values()
                     if entry[1] is not None]
            if began and not any(t.connection.info.get(WROTE) for t in began):
                with suppress(Exception):  # nothing to keep: the close below rolls back
                    for database_transaction in began:
                        if database_transaction.is_active:
                            database_transaction.commit()
        super().close()
        self.info.pop(BOUND_TENANT, None)
        self.info.pop(RLS_TENANT, None)
        self.info.pop(_ROLE, None)


# Set on a connection by any statement of its transaction that may have changed something.
WROTE = "iok_wrote"
_BOOKKEEPING = (BOUND_TENANT, RLS_TENANT, _ROLE)


@event.listens_for(Engine, "begin")
def _nothing_written(connection: Any) -> None:
    connection.info.pop(WROTE, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                 executemany: bool) -> None:
    """Anything but a SELECT (an INSERT, UPDATE, DELETE, DDL, COPY, a text statement not
    starting with SELECT) marks the transaction as one that wrote."""
    if connection.info.get(WROTE):
        return
    if context is not None and not context.is_text and not context.isddl:
        if context.isinsert or context.isupdate or context.isdelete:
            connection.info[WROTE] = True
        return
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[WROTE] = True


@event.listens_for(TenantSession, "after_transaction_end")
def _forget_role(session: TenantSession, transaction: Any) -> None:
    """The next transaction may run as either role."""
    if transaction.parent is None:
        session.info.pop(_ROLE, None)
