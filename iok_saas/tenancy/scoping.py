"""Tenancy enforced in one place: every ORM statement and flush is scoped to the cooperative.

* ``TenantScoped`` marks a tenant-owned model: non-null, indexed ``tenant_id``.
* ``do_orm_execute`` adds ``with_loader_criteria(TenantScoped, tenant_id == current)`` to
  every ORM select, update and delete, and stamps or checks ``tenant_id`` on ORM inserts;
  with no cooperative in context it raises (fail closed).
* ``before_flush`` stamps ``tenant_id`` on new objects and refuses objects of another tenant.
* A session serves one cooperative for its whole life (identity-map pitfall).
* ``ALL_TENANTS`` (an execution option) is the one way around it, and only in platform work
  (the platform role, ``iok_saas.db.platform_work``): the app's role cannot lift the wall.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Join,
    Select,
    Table,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.selectable import Lateral, Subquery

from iok_saas.db import rls
from iok_saas.db.rowsets import LONG_LIVED
from iok_saas.db.session import BOUND_TENANT, TenantSession, platform_mode
from iok_saas.tenancy.context import (
    ALL_TENANTS,
    TenantContextMissing,
    TenantMismatch,
    UnscopedStatement,
    current_tenant_id,
    require_tenant_id,
)


class TenantScoped:
    """Mixin for every model whose rows belong to one cooperative."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True
        )


def tenant_fk_target() -> UniqueConstraint:
    """``UNIQUE (tenant_id, id)``: what ``tenant_fk`` points at."""
    return UniqueConstraint("tenant_id", "id")


def tenant_fk(column: str, target: str, name: str | None = None) -> ForeignKeyConstraint:
    """A foreign key that includes ``tenant_id``: a row can point only inside its cooperative
    (PostgreSQL checks foreign keys without row-level security, so this is the wall there).
    ``name`` where a table has two keys to one target (the convention would name both alike)."""
    return ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"],
                                name=name)


def _is_scoped(mapper: Any) -> bool:
    return mapper is not None and issubclass(mapper.class_, TenantScoped)


def _bind_session(session: Session, tenant_id: int) -> None:
    """Bind the session to one cooperative; refuse a second one."""
    bound = session.info.setdefault(BOUND_TENANT, tenant_id)
    if bound != tenant_id:
        raise TenantMismatch(
            f"This session already serves cooperative {bound}; open a new session "
            f"for cooperative {tenant_id}."
        )


def guard_identity(session: Session, entity: Any, obj: Any) -> Any:
    """Used by ``TenantSession.get``: hide an object of another cooperative."""
    if obj is None or not isinstance(obj, TenantScoped):
        return obj
    tenant_id = require_tenant_id()
    _bind_session(session, tenant_id)
    return obj if obj.tenant_id == tenant_id else None


TenantSession.identity_guard = staticmethod(guard_identity)


def _stamp_insert(state: ORMExecuteState, tenant_id: int) -> None:
    """Give ORM ``insert()`` rows the current tenant; refuse rows of another one."""
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    for row in rows:
        _check_or_stamp(row, tenant_id)
    if not rows:
        given = state.statement.compile().params.get("tenant_id")
        if given is None:
            state.statement = state.statement.values(tenant_id=tenant_id)
        elif given != tenant_id:
            raise TenantMismatch(f"insert() of a row of cooperative {given} under {tenant_id}")


def _check_or_stamp(row: dict, tenant_id: int) -> None:
    given = row.setdefault("tenant_id", tenant_id)
    if given != tenant_id:
        raise TenantMismatch(f"insert() of a row of cooperative {given} under {tenant_id}")


_SCOPED: dict[int, frozenset] = {}


def _scoped_tables() -> frozenset:
    """Tables of every model that uses the ``TenantScoped`` mixin (cached per model count)."""
    subclasses, stack = [], list(TenantScoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        subclasses.append(cls)
    key = len(subclasses)
    if key not in _SCOPED:
        _SCOPED.clear()
        _SCOPED[key] = frozenset(c.__table__ for c in subclasses if hasattr(c, "__table__"))
    return _SCOPED[key]


def _plain(element: Any) -> Any:
    return element._deannotate() if hasattr(element, "_deannotate") else element


def _core_tables(from_clause: Any) -> list[Any]:
    """Tables named in a FROM element that are not ORM entities (those get the criteria)."""
    if isinstance(from_clause, Join):
        return _core_tables(from_clause.left) + _core_tables(from_clause.right)
    if isinstance(from_clause, Table) and not from_clause._annotations.get("parententity"):
        return [from_clause]
    return []


def unfiltered_tables(statement: Any) -> set[str]:
    """Tenant-owned tables a SELECT reads where ``with_loader_criteria`` cannot attach.

    That is a table reached only through the WHERE clause (``select(func.count()).where(
    User.role == …)``), a Core ``exists()``, or a Core join — unless a nested select
    explicitly correlates it (``.correlate(Model)``) and a select around it reads that very
    table as an entity of its own (where the criteria attach). PostgreSQL's row-level
    security would still stop them; SQLite has no such wall, so they are refused everywhere.
    """
    scoped = {_plain(t) for t in _scoped_tables()}
    elements = list(visitors.iterate(statement))
    selects = [e for e in elements if isinstance(e, Select)]
    # A select in a FROM (not LATERAL) is not correlated by SQL: it reads its tables itself.
    in_from = {id(e.element) for e in elements
               if isinstance(e, Subquery) and not isinstance(e, Lateral)}
    own = {id(e): {_plain(f) for f in e.columns_clause_froms} for e in selects}
    around: dict[int, set[Any]] = {}  # what the selects around each nested one read
    for outer in selects:
        for inner in visitors.iterate(outer):
            if isinstance(inner, Select) and inner is not outer:
                around.setdefault(id(inner), set()).update(own[id(outer)])
    found = set()
    for element in selects:
        correlated = ({_plain(f) for f in element._correlate or ()}
                      if id(element) not in in_from else set())
        covered = own[id(element)] | (correlated & around.get(id(element), set()))
        for from_clause in element.get_final_froms():
            for table in _core_tables(from_clause):
                if _plain(table) in scoped and _plain(table) not in covered:
                    found.add(table.name)
    return found


_CHECKED: dict[Any, frozenset[str]] = {}
_CHECKED_MAX = 4096


# Statements built once and sent again and again (``iok_saas.db.rowsets``, execution option
# ``LONG_LIVED``): each cooperative's filtered copy is made once and kept, so SQLAlchemy's
# cache key (a walk of the whole statement, memoised on it) and the check below are computed
# once per cooperative and shape, not on every request.
_BY_STATEMENT: dict[int, tuple[Any, frozenset[str]]] = {}
_SCOPED: dict[tuple[int, int], tuple[Any, Any]] = {}


def _scoped_once(statement: Any, tenant_id: int) -> Any:
    """``statement`` with the cooperative's criteria: the same object every time."""
    key = (id(statement), tenant_id)
    known = _SCOPED.get(key)
    if known is not None and known[0] is statement:
        return known[1]
    if len(_SCOPED) >= _CHECKED_MAX:
        _SCOPED.clear()
        _BY_STATEMENT.clear()
    scoped = statement.options(_criteria(tenant_id))
    _SCOPED[key] = (statement, scoped)
    return scoped


def _unfiltered_cached(statement: Any, long_lived: bool = False) -> set[str] | frozenset[str]:
    """``unfiltered_tables`` remembered per statement shape (SQLAlchemy's own cache key, which
    leaves out bound values): walking a statement costs more than running a small query."""
    if long_lived:
        known = _BY_STATEMENT.get(id(statement))
        if known is not None and known[0] is statement:
            return known[1]
        if len(_BY_STATEMENT) >= _CHECKED_MAX:
            _BY_STATEMENT.clear()
        found = frozenset(unfiltered_tables(statement))
        _BY_STATEMENT[id(statement)] = (statement, found)
        return found
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return unfiltered_tables(statement)
    found = _CHECKED.get(cache_key.key)
    if found is None:
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        found = _CHECKED[cache_key.key] = frozenset(unfiltered_tables(statement))
    return found


def _refuse_unscopable(state: ORMExecuteState) -> None:
    """Statements the tenant filter cannot cover are refused, not run unfiltered."""
    statement = state.statement
    if state.is_select:
        tables = _unfiltered_cached(statement, bool(state.execution_options.get(LONG_LIVED)))
        if tables:
            raise UnscopedStatement(
                f"{', '.join(sorted(tables))} read outside the tenant filter: select an ORM "
                "entity or use select_from(Model) instead of a bare WHERE, exists() or join."
            )
        return
    if not any(_is_scoped(m) for m in state.all_mappers):
        return
    if isinstance(state.parameters, list):
        raise UnscopedStatement("bulk UPDATE/DELETE by primary key bypasses the tenant filter; "
                                "use update(Model).where(...) instead.")
    values = getattr(statement, "_values", None) or {}
    names = {getattr(key, "key", key) for key in values} | set(state.parameters or {})
    if "tenant_id" in names:
        raise TenantMismatch("tenant_id cannot be changed by an UPDATE statement.")


def touches_tenant_rows(state: ORMExecuteState) -> bool:
    """Whether a statement reads or writes a tenant-owned table anywhere (subqueries too)."""
    if any(_is_scoped(m) for m in state.all_mappers):
        return True
    scoped = _scoped_tables()
    return any(el in scoped for el in visitors.iterate(state.statement))


_CRITERIA: dict[int, Any] = {}


def _criteria(tenant_id: int) -> Any:
    """The tenant filter option, made once per cooperative (an option is immutable)."""
    option = _CRITERIA.get(tenant_id)
    if option is None:
        if len(_CRITERIA) >= _CHECKED_MAX:
            _CRITERIA.clear()
        option = _CRITERIA[tenant_id] = with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
        )
    return option


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> Any:
    """Add the tenant criteria to every ORM statement; without a tenant, refuse tenant rows."""
    tenant_id = current_tenant_id()
    if state.execution_options.get(ALL_TENANTS):
        if not platform_mode() and touches_tenant_rows(state):
            raise TenantContextMissing(
                "Rows of every cooperative are read or written only as the platform role "
                "(iok_saas.db.platform_work); the app's role sees one cooperative.")
        return None
    if tenant_id is None:
        if touches_tenant_rows(state):
            raise TenantContextMissing(
                "No cooperative in context: tenant-owned rows cannot be read or written."
            )
        return None
    _bind_session(state.session, tenant_id)
    rls.sync_tenant(state.session, tenant_id)
    if state.is_insert:
        if any(_is_scoped(m) for m in state.all_mappers):
            _stamp_insert(state, tenant_id)
        return None
    if state.is_select or state.is_update or state.is_delete:
        # Added to every statement, not only those whose top-level entity is scoped:
        # select_from(), subqueries and joins carry tenant-owned tables too. The check below
        # then reads the final statement, whose cache key SQLAlchemy computes once for both
        # (for a statement built once, once per cooperative: ``_scoped_once``).
        if state.execution_options.get(LONG_LIVED):
            state.statement = _scoped_once(state.statement, tenant_id)
        else:
            state.statement = state.statement.options(_criteria(tenant_id))
    _refuse_unscopable(state)
    return None


@event.listens_for(Session, "before_flush")
def _stamp_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Stamp new tenant-owned objects; refuse to write objects of another cooperative."""
    touched = [o for o in (*session.new, *session.dirty, *session.deleted)
               if isinstance(o, TenantScoped)]
    if not touched:
        return
    tenant_id = require_tenant_id()
    _bind_session(session, tenant_id)
    rls.sync_tenant(session, tenant_id)
    for obj in touched:
        if obj in session.new and obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id or _tenant_changed(obj):
            raise TenantMismatch(
                f"{type(obj).__name__} of cooperative {obj.tenant_id} cannot be written "
                f"while serving cooperative {tenant_id}."
            )


def _tenant_changed(obj: Any) -> bool:
    history = inspect(obj).attrs.tenant_id.history
    return bool(history.deleted) and history.deleted[0] is not None


@event.listens_for(Session, "after_transaction_end")
def _reset_rls(session: Session, transaction: Any) -> None:
    """The setting ends with its transaction (a rolled-back savepoint undoes it too)."""
    rls.forget(session)
