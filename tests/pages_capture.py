"""The pages the read path changed, as the demo's resident and clerk see them: fetched by this
tree's code in the test, and by the reference build's code (the commit before the read path,
``git archive``) in a process of its own against the same database, for
``tests/test_pages_unchanged.py``.

    python -m tests.pages_capture SETTINGS OUT   # SETTINGS, OUT: pickles; run by the test
"""

from __future__ import annotations

import pickle
import re
import sys
from typing import Any

# (host, identifier, paths): ``{unit}`` is the resident's first unit on the home page.
PEOPLE = [
    ("zielone-wzgorza.localhost", "ZW-000001", "Mieszkanie2026",
     ["/", "/lokale/{unit}", "/lokale/{unit}?rok=2025", "/liczniki", "/ogloszenia", "/awarie",
      "/sprawy", "/dokumenty"]),
    ("zielone-wzgorza.localhost", "zw.obsluga", "ObslugaDemo2026",
     ["/panel/", "/panel/odczyty/", "/panel/awarie/", "/panel/sprawy/"]),
    ("baltyk.localhost", "B-000001", "Mieszkanie2026",
     ["/", "/lokale/{unit}", "/liczniki", "/ogloszenia", "/sprawy", "/dokumenty"]),
    ("baltyk.localhost", "baltyk.obsluga", "ObslugaDemo2026",
     ["/panel/", "/panel/odczyty/", "/panel/sprawy/"]),
]
# What differs between two fetches of the same page by design: per-response tokens.
_VOLATILE = [
    (re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]*'), r"\1…"),
    (re.compile(r'(name="csrf-token" content=")[^"]*'), r"\1…"),
    (re.compile(r'(nonce=")[^"]*'), r"\1…"),
    (re.compile(r'(name="submission" (?:type="hidden" )?value=")[^"]*'), r"\1…"),
]


def normalise(html: str) -> str:
    """Per-response tokens out; lines of nothing but whitespace (a template's ``{% set %}``
    between two tags, which no browser shows) dropped."""
    for pattern, replacement in _VOLATILE:
        html = pattern.sub(replacement, html)
    return "\n".join(line for line in html.split("\n") if line.strip())


def capture(app: Any) -> dict[str, str]:
    """{"host identifier path": normalised HTML} for every page of ``PEOPLE``."""
    from flask.testing import FlaskClient

    found = {}
    for host, identifier, password, paths in PEOPLE:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        base = f"http://{host}"
        form = client.get("/logowanie", base_url=base).get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form)
        assert token, (host, form[:2000])
        token = token.group(1)
        signed = client.post("/logowanie", data={"csrf_token": token, "identifier": identifier,
                                                 "password": password}, base_url=base)
        assert signed.status_code == 302, (host, identifier, signed.status_code)
        unit = None
        for path in paths:
            if "{unit}" in path:
                unit = unit or re.search(r'href="/lokale/(\d+)"', found[
                    f"{host} {identifier} /"]).group(1)
                path = path.format(unit=unit)
            answer = client.get(path, base_url=base)
            assert answer.status_code == 200, (host, identifier, path, answer.status_code)
            found[f"{host} {identifier} {path}"] = normalise(answer.get_data(as_text=True))
    return found


def main(argv: list[str]) -> int:
    with open(argv[0], "rb") as source:
        settings = pickle.load(source)
    from iok_saas import create_app

    app = create_app(settings)
    found = capture(app)
    found["__code__"] = sys.modules["iok_saas"].__file__
    with open(argv[1], "wb") as out:
        pickle.dump(found, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
