"""Each page's floor: the same SQL the page runs, with psycopg and a plain template.

A page of the platform costs its fixed pipeline (session, sign-in, the cooperative's settings,
the layout) plus its data. The floor is what its data alone costs: ``bench/scale.py`` records
the statements (with their parameters) that one request of the page sends, in a process of its
own with the production settings, and this module's ``app`` — served by the same gunicorn —
answers the same path by running those statements as the app's role in one transaction and
writing every value into a bare HTML table. No ORM, no session, no sign-in, no layout.

    python bench/floor.py capture IN OUT   # IN: pickled [(host, path, cookie)]; env: the app's
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
PLAIN = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>{{ path }}</title></head><body><main>
{% for rows in results %}<table>
{% for row in rows %}<tr>{% for value in row %}<td>{{ value }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}</main></body></html>"""

Statements = list[tuple[str, Any]]


def capture(pages: list[tuple[str, str, str]]) -> dict[str, Statements]:
    """The statements one request of each page sends: {path: [(sql, parameters)…]}. Run with
    the production environment (the settings are read when the app is imported)."""
    from sqlalchemy import event

    from iok_saas import create_app
    from iok_saas.db import db

    app = create_app({"PLATFORM_DATABASE_URI": None, "MIGRATION_DATABASE_URI": None})
    sent: Statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, sql, params, *rest: sent.append((sql, params)))
    client = app.test_client(use_cookies=False)  # only each page's own Cookie header
    found = {}
    for host, path, cookie in pages:
        headers = {"Host": host, **({"Cookie": cookie} if cookie else {})}
        client.get(path, headers=headers)  # warm: the cooperative's settings, first statements
        sent.clear()
        answer = client.get(path, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"{host}{path}: {answer.status_code} while recording its SQL "
                               f"{answer.headers.get('Location', '')}")
        found[path] = list(sent)
    return found


app = Flask(__name__)
_statements: dict[str, Statements] = {}
_connection: list[Any] = []
_compiled: list[Any] = []


def _conn() -> Any:
    """One connection a worker process, opened after the fork, as the app's role."""
    if not _connection:
        import psycopg

        pooled = os.environ.get("IOK_DATABASE_TRANSACTION_POOLING") == "1"  # as the app
        _connection.append(psycopg.connect(os.environ["IOK_BENCH_FLOOR_DSN"],
                                           **({"prepare_threshold": None} if pooled else {})))
    return _connection[0]


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def floor(path: str) -> str:
    """Run the page's statements in one transaction and list what they return."""
    if not _statements:
        with open(os.environ["IOK_BENCH_FLOOR"], "rb") as source:
            _statements.update(pickle.load(source))
    from flask import request

    results = []
    conn = _conn()
    with conn.transaction(), conn.cursor() as cursor:
        for sql, params in _statements[request.full_path.rstrip("?")]:
            cursor.execute(sql, params)
            results.append(cursor.fetchall() if cursor.description else [])
    return _plain().render(path=path, results=results)


def _plain() -> Any:
    """The plain template, compiled once (``render_template_string`` compiles every time)."""
    if not _compiled:
        _compiled.append(app.jinja_env.from_string(PLAIN))
    return _compiled[0]


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "capture":
        print(__doc__)
        return 2
    sys.path.insert(0, str(ROOT))
    with open(argv[1], "rb") as source:
        pages = pickle.load(source)
    found = capture(pages)
    with open(argv[2], "wb") as out:
        pickle.dump(found, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
