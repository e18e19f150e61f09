"""The reference for ``bench/gunicorn_workers.py``: a WSGI app that answers ``ok`` and nothing
else, served by the same gunicorn with the same configuration as the platform."""


def app(environ, start_response):
    """200 ``ok``."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
