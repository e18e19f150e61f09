"""WSGI entry point: ``gunicorn wsgi:app``.

The web app holds the app role's credentials only: even when the platform's or the migration
owner's URL is in its environment, it does not connect with them (work across cooperatives
belongs to the worker and the operator's commands; here it would fail closed).
"""

from iok_saas import create_app

app = create_app({"PLATFORM_DATABASE_URI": None, "MIGRATION_DATABASE_URI": None})
