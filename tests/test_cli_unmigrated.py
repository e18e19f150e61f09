"""Operator commands on a database that ``iok db upgrade`` has not (fully) migrated: one
sentence saying so, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import click
import psycopg
import pytest
from flask import Flask
from flask_migrate import stamp

from iok_saas import create_app
from iok_saas.db import db
from tests.helpers import DB_NAME, PG_ADMIN, app_settings, pg_url

EMPTY = f"{DB_NAME}_empty"
FLASKS_OWN = {"db", "run", "shell", "routes", "demo"}  # demo migrates the database itself


def _admin(sql: str) -> None:
    with psycopg.connect(pg_url(PG_ADMIN, "postgres", "postgresql"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def empty_app(database, tmp_path) -> Iterator[Flask]:
    """The app on a database of its own with no tables at all (one role: nothing to grant)."""
    _admin(f"CREATE DATABASE {EMPTY}")
    url = pg_url(PG_ADMIN, EMPTY)
    app = create_app(app_settings(tmp_path, SQLALCHEMY_DATABASE_URI=url,
                                  MIGRATION_DATABASE_URI=url, PLATFORM_DATABASE_URI=url,
                                  DATABASE_APP_ROLE=None, DATABASE_TRANSACTION_POOLING=False))
    yield app
    with app.app_context():
        db.engine.dispose()
    _admin(f"DROP DATABASE IF EXISTS {EMPTY} WITH (FORCE)")


@pytest.mark.parametrize("command", [("tenants", "list"), ("tenants", "show", "baltyk"),
                                     ("jobs", "list"), ("outbox", "status")])
def test_a_command_on_an_empty_database_says_to_run_db_upgrade(empty_app, command):
    result = empty_app.test_cli_runner().invoke(args=list(command))
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "The database has no IOK schema yet: run `iok db upgrade` first." in result.output


def test_a_command_on_an_older_revision_says_to_run_db_upgrade(empty_app):
    with empty_app.app_context():
        stamp(revision="0001")
    result = empty_app.test_cli_runner().invoke(args=["tenants", "list"])
    assert isinstance(result.exception, SystemExit), result.exception
    assert "The database is at revision 0001, this version of IOK needs" in result.output
    assert "run `iok db upgrade` first" in result.output


def test_help_needs_no_database(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["tenants", "list", "--help"])
    assert result.exit_code == 0 and "List cooperatives." in result.output


def _leaves(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _leaves(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_operator_command_checks_the_schema_first(app):
    leaves = [(name, command) for name, command in _leaves(app.cli)
              if name.split()[0] not in FLASKS_OWN]
    assert len(leaves) > 20
    unchecked = [name for name, command in leaves
                 if "_on_migrated_database" not in getattr(command.callback, "__iok_wrapped__", ())]
    assert unchecked == []
