"""Values sealed at rest: encrypted with a key that is not in the database.

A column of type ``Sealed`` holds a Fernet token (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package): whoever reads the database or a backup without the key learns
nothing from it. The keys come from ``IOK_DATA_KEYS`` (the config's ``DATA_KEYS``), newest
first: the newest seals, any of them opens. So a key is rotated by putting a new one in front,
running ``iok secrets rotate`` (every sealed value sealed again with the newest), and only
then dropping the old one.

Raw SQL here, as in the other modules of ``iok_saas/db/``: ``rewrite`` changes the values as
stored, past the ORM and the tenant filter (rotation as the platform role re-seals tokens
without opening them; migration 0024 seals the secrets stored in clear before it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import MetaData, String, TypeDecorator, bindparam, column, select, table
from sqlalchemy.engine import Connection

_EXTENSION = "iok_data_keys"
WHAT_TO_DO = (
    "Put the key it was sealed with back into IOK_DATA_KEYS (after the newest key), "
    "then run `iok secrets rotate`."
)


class DataKeyError(RuntimeError):
    """The configured data keys cannot seal or open a value."""


def keyring(keys: Sequence[str]) -> MultiFernet:
    """The data keys, newest first, as one ``MultiFernet``; a bad key is named by its place."""
    if not keys:
        raise DataKeyError("No data key: set IOK_DATA_KEYS (docs/operations.md, \"Data keys\").")
    fernets = []
    for place, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            raise DataKeyError(
                f"IOK_DATA_KEYS: key {place} of {len(keys)} is not a Fernet key (32 url-safe "
                "base64-encoded bytes; docs/operations.md, \"Data keys\").") from None
    return MultiFernet(fernets)


def init_app(app: Flask) -> None:
    """Build the app's keyring once, so a bad ``IOK_DATA_KEYS`` stops the start."""
    app.extensions[_EXTENSION] = keyring(app.config.get("DATA_KEYS") or [])


def _keys() -> MultiFernet:
    try:
        return current_app.extensions[_EXTENSION]
    except KeyError:
        raise DataKeyError("The data keys are not loaded (iok_saas.db.init_app).") from None


def seal(clear: str) -> str:
    """``clear`` sealed with the newest data key."""
    return _keys().encrypt(clear.encode()).decode("ascii")


def unseal(token: str, where: str = "a sealed value") -> str:
    """The clear text of a sealed value; a clear error when no configured key opens it."""
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise _refused(where) from None


def reseal(token: str, where: str = "a sealed value") -> str:
    """A sealed value sealed again with the newest key (``MultiFernet.rotate``)."""
    try:
        return _keys().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise _refused(where) from None


def _refused(where: str) -> DataKeyError:
    return DataKeyError(f"{where} opens with none of the keys in IOK_DATA_KEYS. {WHAT_TO_DO}")


def token_length(length: int) -> int:
    """The length of the token that seals up to ``length`` bytes: version, time, IV, the
    padded ciphertext and the HMAC, in url-safe base64."""
    raw = 1 + 8 + 16 + (length // 16 + 1) * 16 + 32
    return -(-raw // 3) * 4


class Sealed(TypeDecorator):
    """A text of up to ``length`` bytes kept sealed (a Fernet token) in the database.

    Sealing is not deterministic: a sealed column cannot be compared or searched in SQL.
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(token_length(length))
        self.clear_length = length

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        if len(value.encode()) > self.clear_length:
            raise ValueError(f"a sealed value longer than {self.clear_length} bytes")
        return seal(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else unseal(value)


@dataclass(frozen=True)
class SealedColumns:
    """The sealed columns of one table, and its primary key."""

    table: str
    key: str
    columns: tuple[str, ...]


def sealed_columns(metadata: MetaData) -> list[SealedColumns]:
    """Every table of ``metadata`` with sealed columns (a single-column primary key each)."""
    found = []
    for each in metadata.sorted_tables:
        names = tuple(c.name for c in each.columns if isinstance(c.type, Sealed))
        if names:
            (key,) = each.primary_key.columns
            found.append(SealedColumns(each.name, key.name, names))
    return found


def rewrite(connection: Connection, where: SealedColumns, change: Callable[[str, str], str],
            tenant_id: int | None = None) -> int:
    """Replace every stored value of the columns by ``change(value, "table.column of row
    id")``, read and written as stored (no sealing or opening on the way); only the rows of
    ``tenant_id`` when given. How many values changed."""
    changed = 0
    for name in where.columns:
        target = table(where.table, column(where.key), column(name), column("tenant_id"))
        key, value = target.c[where.key], target.c[name]
        query = select(key, value).where(value.is_not(None)).order_by(key)
        if tenant_id is not None:
            query = query.where(target.c.tenant_id == tenant_id)
        rows = [{"row": row_id, "was": stored,
                 "value": change(stored, f"{where.table}.{name} of row {row_id}")}
                for row_id, stored in connection.execute(query)]
        if rows:
            # Only a value still as read: one the app wrote meanwhile is sealed already.
            changed += connection.execute(
                target.update().where(key == bindparam("row"),
                                      value == bindparam("was", type_=String()))
                .values({name: bindparam("value", type_=String())}), rows).rowcount
    return changed


def rotate(connection: Connection, metadata: MetaData) -> dict[str, int]:
    """Seal every sealed value of every table again with the newest key (no commit): how
    many values in each ``table.column``. Needs a connection that sees every cooperative."""
    counts: dict[str, int] = {}
    for where in sealed_columns(metadata):
        for name in where.columns:
            one = replace(where, columns=(name,))
            counts[f"{where.table}.{name}"] = rewrite(connection, one, reseal)
    return counts

