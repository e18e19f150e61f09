"""The reference for ``bench/scale.py``: a bare Flask app answering a constant, served by
the same gunicorn with the same configuration as the platform. Every page's figure is a share
of this one's requests per second, measured in the same round."""

from flask import Flask

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def constant(path: str) -> str:
    """200 ``ok`` for any path."""
    return "ok"
