"""Rooms hold one subject each (STYLE.md): the accounts keep sign-in, sessions, passwords,
lockout and the user model; contact details and consents, account security and what cases
share live in rooms of their own, above the accounts, and plug into sign-in through hooks."""

from __future__ import annotations

import tomllib

from tests.helpers import ROOT


def test_the_accounts_room_holds_only_sign_in_sessions_passwords_and_the_user():
    modules = {path.stem for path in (ROOT / "iok_saas/auth").glob("*.py")}
    elsewhere = {"activation", "letters", "second_factor", "second_routes", "devices",
                 "contacts", "consents", "queues"}
    assert modules & elsewhere == set()
    # Its pages name no page of the rooms above (they add blocks through auth.hooks).
    for template in (ROOT / "iok_saas/auth/templates").rglob("*.html"):
        assert "account_security." not in template.read_text(), template.name


def test_contacts_account_security_and_cases_stand_above_the_accounts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [layers] = [c["layers"] for c in config["tool"]["importlinter"]["contracts"]
                if c["id"] == "layers"]
    level = {name.strip(): depth for depth, layer in enumerate(layers)
             for name in layer.split("|")}
    for room in ("account_security", "contacts", "cases"):
        assert level[room] < level["auth"], room
    assert level["account_security"] < level["contacts"]  # it asks the e-mail address there
