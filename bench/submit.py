"""Reading submissions for wrk: a resident opens a meter's page and submits a reading.

``bench/scale.py`` measures "reading submission (GET + POST)" with wrk and the Lua script this
module writes: every pair of requests is one resident of one meter with no reading waiting —
GET ``/liczniki/N`` (the form), then POST the reading (302 when it is accepted). The residents
come from every cooperative but the first (whose queue is measured); their sessions are signed
with the app's key as a sign-in would make them, each with its CSRF token, instead of thousands
of sign-ins (Argon2 has its own figure). Each wrk thread takes every other pair, so no meter is
submitted twice; afterwards the readings made are deleted and the dataset stays as built.
"""

from __future__ import annotations

import hashlib
import os
import time
from datetime import date
from pathlib import Path

from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from bench.common import Database, signed_in_devices, url
from bench.dataset import PREFIX

LUA = """-- written by bench/submit.py: GET the meter's page, then POST its reading, pair by pair
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local entries, count, step, at = {}, 0, 1, 0
init = function(args)
  local file = io.open(args[1], "r")
  for line in file:lines() do
    local host, meter, cookie, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.+)$")
    count = count + 1
    entries[count] = {
      wrk.format("GET", "/liczniki/" .. meter, {Host = host, Cookie = cookie}),
      wrk.format("POST", "/liczniki/" .. meter, {Host = host, Cookie = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded"}, body)}
  end
  file:close()
  step = tonumber(args[2])  -- threads: each takes every step-th pair, from its own
  at = (id - 1) * 2
end
request = function()
  local index = math.floor(at / 2) % count + 1
  local which = at % 2 + 1
  if which == 2 then at = at + 1 + (step - 1) * 2 else at = at + 1 end
  return entries[index][which]
end
"""


def prepare(database: Database, secret: str, cookie_name: str, count: int, folder: Path
            ) -> Path:
    """``count`` (resident, meter) pairs with signed sessions, as wrk's input file."""
    import psycopg

    app = Flask("bench-sessions")
    app.secret_key = secret
    app.config["SESSION_COOKIE_NAME"] = cookie_name
    sessions = app.session_interface.get_signing_serializer(app)
    forms = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
    today = date.today()
    with psycopg.connect(url("postgres", database.name, "postgresql")) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (m.id) t.slug, m.id, a.id, a.session_version, r.value, t.id "
            "FROM meter m JOIN tenant t ON t.id = m.tenant_id AND t.slug <> %s "
            "JOIN unit_title ut ON ut.unit_id = m.unit_id "
            "JOIN user_account a ON a.id = ut.user_id "
            "JOIN meter_reading r ON r.meter_id = m.id AND r.status = 'accepted' "
            "WHERE m.reading_mode = 'typed' "  # a remote meter takes no resident's reading
            "AND NOT EXISTS (SELECT FROM meter_reading p WHERE p.meter_id = m.id "
            "AND p.status = 'pending') ORDER BY m.id, r.read_on DESC LIMIT %s",
            (f"{PREFIX}001", count)).fetchall()
    tokens = signed_in_devices(database.name, [(row[5], row[2]) for row in rows])
    lines = []
    for slug, meter_id, user_id, version, last, _tenant in rows:
        raw = hashlib.sha1(os.urandom(64)).hexdigest()
        cookie = sessions.dumps({"_user_id": f"{user_id}:{version}", "_fresh": True,
                                 "seen": int(time.time()), "csrf_token": raw,
                                 "sid": tokens[user_id]})
        value = f"{last + 1:.3f}".replace(".", ",")
        body = (f"csrf_token={forms.dumps(raw)}&value={value}&read_on={today.isoformat()}"
                "&confirmed=y")
        lines.append(f"{slug}.localhost\t{meter_id}\t{cookie_name}={cookie}\t{body}")
    found = folder / "submissions.tsv"
    found.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "submit.lua").write_text(LUA, encoding="utf-8")
    return found


def clear(database: Database, entries: Path) -> int:
    """Delete the readings waiting on the prepared meters (made by a run); how many."""
    import psycopg

    meters = [int(line.split("\t")[1]) for line in entries.read_text().splitlines() if line]
    with psycopg.connect(url("postgres", database.name, "postgresql")) as conn:
        return conn.execute("DELETE FROM meter_reading WHERE status = 'pending' "
                            "AND meter_id = ANY(%s)", (meters,)).rowcount
