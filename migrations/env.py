"""Alembic environment for Flask-Migrate (`iok db upgrade`).

Runs as the schema owner (``IOK_MIGRATION_DATABASE_URL`` when set, else the app's URL) and
afterwards grants the other two roles their rights: the web app's role (``IOK_DATABASE_APP_ROLE``,
else the user of ``IOK_DATABASE_URL``) rows of tenant-owned tables and reading ``tenant`` and
``tenant_domain``; the platform role (the user of ``IOK_PLATFORM_DATABASE_URL``) every table.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from iok_saas.db import UtcDateTime, platform_url, rls
from iok_saas.db.sealed import Sealed

config = context.config
# Keep the loggers the app made before (its one-line log, the request log) working.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_db = current_app.extensions["migrate"].db


def get_engine():
    """The owner's engine when a migration URL is configured, else the app's."""
    url = current_app.config.get("MIGRATION_DATABASE_URI")
    return create_engine(url) if url else target_db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Emit SQL instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _skip_empty(context_, revision, directives):
    """Do not write an empty revision when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _render_item(type_, obj, autogen_context):
    """Write UtcDateTime columns as plain timestamptz and Sealed ones as the VARCHAR of their
    tokens (the conversion lives in the model)."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, Sealed):
        return f"sa.String(length={obj.impl.length})"
    return False


def run_migrations_online():
    """Run the migrations on a live connection, then grant the app role."""
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", _skip_empty)
    conf_args.setdefault("render_item", _render_item)
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            _grant_roles(connection)


def _grant_roles(connection):
    """Renew the rights of the app's and the platform's roles (when they are not the owner)."""
    config = current_app.config
    owner = connection.engine.url.username

    def other_user(url):
        user = make_url(url).username if url else None
        return user if user and user != owner else None

    app_role = config.get("DATABASE_APP_ROLE") or other_user(config.get("SQLALCHEMY_DATABASE_URI"))
    platform_role = other_user(platform_url(config))
    if app_role:
        rls.grant_app_role(connection, app_role)
    if platform_role and platform_role != app_role:
        rls.grant_platform_role(connection, platform_role)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
