"""WSGI entry point: ``gunicorn wsgi:app``."""

from iok_saas import create_app

app = create_app()
