"""Each page's floor: the page's minimal SQL with psycopg, into a plain template of its size.

A page of the platform costs its fixed pipeline (session, sign-in, the cooperative's settings,
the layout) plus its data. The floor is what its data alone costs at the least: this module's
``app`` — served by the same gunicorn as the platform — answers a page's path by asking, as the
app's ordinary role under row-level security, for exactly what the page shows, hand-written
here (not recorded from the page, so none of the page's own waste is copied): in one
transaction ``set_config('app.tenant_id', …)`` and then ONE statement, only the shown columns,
``LIMIT`` in SQL, plain rows (a page of several lists gets one row of JSON arrays, one a list).
The rows go into one plain Jinja template, compiled once: a table a list, its identifying value
in a ``<th>`` (``bench/scale.py`` checks each one is on the real page), the others in ``<td>``s,
then a fixed block that pads the answer to the size of the real page's body (±10 %). No ORM, no
session, no sign-in, no layout, no formatting.

``bench/scale.py`` fetches each real page once, signed in, and pickles for this server
(``IOK_BENCH_FLOOR``) what each path is: ``{path: {"page": "home" | "record" | "queue" |
"announcements" | "faults" | "documents" | "letters" | "consumption" | "terms", "tenant": id,
"user": id, "unit": id, "size": bytes}}`` — the person is given, since the floor does no sign-in.
The pages:

- ``terms`` (anonymous, the cooperative's terms): no SQL;
- ``home`` (a resident): the person's name; their units' addresses; each unit's accounts with
  balance and due date; the 5 newest current announcements meant for them, in the page's order,
  with whether they are unread; up to 5 documents new since their last visit of the library;
  their open fault reports; their letters waiting for their reply;
- ``record`` (a resident's unit, its first account and latest year): the address; the accounts'
  balances; the years with entries; that year's entries with the running balance over all the
  account's entries; the latest month's charges by component against the month before; the
  last 24 months' sums;
- ``queue`` (a clerk): a page of 200 of the pending readings, oldest first, with the meter, the
  unit's address, the previous accepted reading, the consumption, the flags and how many wait;
- ``announcements`` (a resident's list): every current announcement meant for them in the
  page's order with its unread flag, each one's attachments, their e-mail choice;
- ``faults``, ``letters`` (a resident's lists): their fault reports / letters, open first, with
  the place or the unit's address (a merged report: the number and status of the one it went
  into);
- ``documents`` (the library): the documents a member sees with "new since the last visit" —
  and, as the page does on each GET, the visit recorded, in the same one statement;
- ``consumption`` (a resident's "Zużycie"): their e-mail choices (the form under the page);
  their units, each with its 12 newest monthly statements (PDF links); each remote meter of
  them with its last 12 complete months (up to the newest with a figure), each month's
  consumption, whether it was estimated, the same month a year before and the building's
  median (with how many units it is over) — a table a meter; the page's SVG chart of the same
  figures is what the padding block stands for.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

from flask import Flask, request
from markupsafe import Markup

PLAIN = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>{{ title }}</title></head><body><main>
{% for heading, rows in parts %}<h2>{{ heading }}</h2><table>
{% for row in rows %}<tr><th>{{ row[0] }}</th>
{%- for value in row[1:] %}<td>{{ value }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}{{ pad }}</main></body></html>"""

# A unit's address as the pages write it (``UnitRow.address``).
_ADDRESS = ("b.street || ' ' || b.number || ' m. ' || u.number || ', ' || b.postal_code || ' ' "
            "|| b.city")
# A case's number as residents quote it (``registers.label``).
_NUMBER = "c.register || '/' || c.year || '/' || lpad(c.number::text, 5, '0')"

# The announcements current for the person now (``_live`` and ``_meant_for`` of the app), over
# ``announcement an`` and the person's buildings ``mine``.
_CURRENT = """WHERE an.withdrawn_at IS NULL AND an.publish_from <= now()
  AND (an.publish_until IS NULL OR an.publish_until > now())
  AND (an.audience = 'all'
       OR an.audience = 'buildings' AND EXISTS (
           SELECT FROM announcement_building ab WHERE ab.announcement_id = an.id
             AND ab.building_id IN (SELECT building_id FROM mine))
       OR an.audience = 'estates' AND EXISTS (
           SELECT FROM announcement_estate ae JOIN building b ON b.estate = ae.estate
           WHERE ae.announcement_id = an.id AND b.id IN (SELECT building_id FROM mine)))"""

HOME = f"""
WITH mine AS (SELECT t.unit_id, u.building_id FROM unit_title t JOIN unit u ON u.id = t.unit_id
              WHERE t.user_id = %(user)s)
SELECT
  (SELECT first_name || ' ' || last_name FROM user_account WHERE id = %(user)s),
  (SELECT json_agg(json_build_array({_ADDRESS}, u.id)
                   ORDER BY b.street, b.number, u.number, u.id)
     FROM mine JOIN unit u ON u.id = mine.unit_id JOIN building b ON b.id = u.building_id),
  (SELECT json_agg(json_build_array(x.name, x.unit_id, x.amount, x.due_on)
                   ORDER BY x.unit_id, x.kind, x.name, x.id)
     FROM (SELECT a.id, a.unit_id, a.kind, a.name,
                  coalesce(sum(e.charge - e.payment), 0) AS amount,
                  max(e.due_on) FILTER (WHERE e.charge > 0) AS due_on
           FROM finance_account a LEFT JOIN ledger_entry e ON e.account_id = a.id
           WHERE a.unit_id IN (SELECT unit_id FROM mine) GROUP BY a.id) x),
  (SELECT json_agg(json_build_array(n.title, n.id, n.kind, n.starts_at, n.ends_at, n.unread))
     FROM (SELECT an.id, an.title, an.kind, an.starts_at, an.ends_at,
                  NOT EXISTS (SELECT FROM announcement_read r
                              WHERE r.announcement_id = an.id AND r.user_id = %(user)s) AS unread
           FROM announcement an
           {_CURRENT}
           ORDER BY an.pinned DESC, (an.kind = 'outage' AND an.ends_at > now()) DESC,
                    CASE WHEN an.kind = 'outage' AND an.ends_at > now() THEN an.starts_at END,
                    an.publish_from DESC, an.id DESC
           LIMIT %(shown)s) n),
  (SELECT json_agg(json_build_array(d.title, d.id, d.number))
     FROM (SELECT id, title, number FROM member_document
           WHERE withdrawn_at IS NULL AND EXISTS (SELECT FROM mine)
             AND changed_at > coalesce((SELECT seen_at FROM member_document_visit
                                        WHERE user_id = %(user)s), '-infinity')
           ORDER BY dated DESC, id DESC LIMIT %(shown)s) d),
  (SELECT json_agg(json_build_array({_NUMBER}, c.id, c.category, c.status)
                   ORDER BY c.created_at DESC, c.id DESC)
     FROM office_case c WHERE c.kind = 'fault' AND c.filed_by_id = %(user)s
                          AND c.status IN ('received', 'in_progress')),
  (SELECT json_agg(json_build_array({_NUMBER}, c.id, c.subject)
                   ORDER BY c.created_at DESC, c.id DESC)
     FROM office_case c WHERE c.kind = 'letter' AND c.filed_by_id = %(user)s
                          AND c.status = 'waiting')
"""
HOME_PARTS = ("units", "balances", "announcements", "documents", "fault reports",
              "letters waiting for a reply")

RECORD = f"""
WITH here AS (SELECT u.id, {_ADDRESS} AS address
              FROM unit u JOIN building b ON b.id = u.building_id
              WHERE u.id = %(unit)s AND EXISTS (SELECT FROM unit_title t
                                                WHERE t.unit_id = u.id AND t.user_id = %(user)s)),
accounts AS (SELECT a.id, a.kind, a.name, a.nrb,
                    coalesce(sum(e.charge - e.payment), 0) AS amount,
                    max(e.due_on) FILTER (WHERE e.charge > 0) AS due_on
             FROM finance_account a LEFT JOIN ledger_entry e ON e.account_id = a.id
             WHERE a.unit_id IN (SELECT id FROM here) GROUP BY a.id),
entries AS (SELECT id, booked_on, document_no, period, description, component, charge, payment,
                   sum(charge - payment) OVER (ORDER BY booked_on, id) AS balance
            FROM ledger_entry
            WHERE account_id = (SELECT id FROM accounts ORDER BY kind, name, id LIMIT 1)),
latest AS (SELECT DISTINCT period FROM entries WHERE charge > 0 AND period <> ''
           ORDER BY period DESC LIMIT 2)
SELECT
  (SELECT json_build_array(json_build_array(address, id)) FROM here),
  (SELECT json_agg(json_build_array(name, id, nrb, amount, due_on) ORDER BY kind, name, id)
     FROM accounts),
  (SELECT json_agg(json_build_array(y) ORDER BY y DESC)
     FROM (SELECT DISTINCT extract(year FROM booked_on)::int AS y FROM entries) years),
  (SELECT json_agg(json_build_array(document_no, booked_on, period,
                                    coalesce(nullif(description, ''), component), charge,
                                    payment, balance) ORDER BY booked_on DESC, id DESC)
     FROM entries WHERE date_trunc('year', booked_on)
                        = (SELECT date_trunc('year', max(booked_on)) FROM entries)),
  (SELECT json_agg(json_build_array(component, now, before) ORDER BY now DESC, component)
     FROM (SELECT component,
                  coalesce(sum(charge) FILTER (WHERE period = (SELECT max(period) FROM latest)),
                           0) AS now,
                  coalesce(sum(charge) FILTER (WHERE period < (SELECT max(period) FROM latest)),
                           0) AS before
           FROM entries WHERE charge > 0 AND period IN (SELECT period FROM latest)
           GROUP BY component) charges),
  (SELECT json_agg(json_build_array(period, charged, paid) ORDER BY period)
     FROM (SELECT period, sum(charge) AS charged, sum(payment) AS paid FROM entries
           WHERE period <> '' GROUP BY period ORDER BY period DESC LIMIT 24) months)
"""
RECORD_PARTS = ("unit", "balances", "years", "entries", "this month's charges", "months")

QUEUE = f"""
SELECT m.serial_number, r.id, r.value, r.read_on, m.kind, m.measure, m.id, {_ADDRESS},
       p.value, p.read_on, r.value - p.value, r.high_confirmed,
       EXISTS (SELECT FROM meter_reading_photo f WHERE f.reading_id = r.id),
       (SELECT count(*) FROM meter_reading WHERE status = 'pending')
FROM (SELECT id, meter_id, value, read_on, high_confirmed, created_at FROM meter_reading
      WHERE status = 'pending' ORDER BY created_at, id LIMIT %(shown)s OFFSET 0) r
     JOIN meter m ON m.id = r.meter_id JOIN unit u ON u.id = m.unit_id
     JOIN building b ON b.id = u.building_id
     LEFT JOIN LATERAL (SELECT value, read_on FROM meter_reading a
                        WHERE a.meter_id = r.meter_id AND a.status = 'accepted'
                        ORDER BY read_on DESC, id DESC LIMIT 1) p ON true
ORDER BY r.created_at, r.id
"""

# The lists a resident opens from the menu. Each shows all of the person's rows (no paging):
# ``announcements``: the current announcements meant for them in the page's order (pinned,
# current outages by start, newest), with the unread flag and each one's attachments, and their
# e-mail choice (the form under the list); ``faults``: their fault reports, open first, with
# the place (the unit's address, or the building's common areas) and the report a duplicate was
# merged into (its number and status); ``letters``: their letters, open first, with the topic
# and the unit's address; ``documents``: the library's documents (for a member: one who holds a
# unit) with "new since the last visit", and the visit recorded — the page writes it on each
# GET, so the floor's one statement writes it too (a data-modifying CTE; the list reads the
# visit before it).
_MINE = ("WITH mine AS (SELECT u.building_id FROM unit_title t JOIN unit u ON u.id = t.unit_id "
         "WHERE t.user_id = %(user)s)")
ANNOUNCEMENTS = f"""
{_MINE},
shown AS (SELECT an.id, an.title, an.kind, an.pinned, an.publish_from, an.edited_at,
                 an.service, an.starts_at, an.ends_at,
                 NOT EXISTS (SELECT FROM announcement_read r
                             WHERE r.announcement_id = an.id AND r.user_id = %(user)s) AS unread,
                 row_number() OVER (
                     ORDER BY an.pinned DESC, (an.kind = 'outage' AND an.ends_at > now()) DESC,
                              CASE WHEN an.kind = 'outage' AND an.ends_at > now()
                                   THEN an.starts_at END,
                              an.publish_from DESC, an.id DESC) AS place
          FROM announcement an
          {_CURRENT})
SELECT
  (SELECT announcement_emails FROM user_account WHERE id = %(user)s),
  (SELECT json_agg(json_build_array(title, id, kind, pinned, unread, publish_from, edited_at,
                                    service, starts_at, ends_at) ORDER BY place) FROM shown),
  (SELECT json_agg(json_build_array(f.filename, f.announcement_id, f.id, f.size)
                   ORDER BY f.announcement_id, f.id)
     FROM announcement_attachment f WHERE f.announcement_id IN (SELECT id FROM shown))
"""
ANNOUNCEMENTS_PARTS = ("announcements", "attachments")

# A case's unit's address (``Unit.address``); a fault report about the common areas gives the
# building's instead.
_UNIT_ADDRESS = ("ub.street || ' ' || ub.number || ' m. ' || u.number || ', ' || ub.postal_code "
                 "|| ' ' || ub.city")
FAULTS = f"""
SELECT {_NUMBER}, c.id, c.category,
       coalesce({_UNIT_ADDRESS}, 'common areas, ' || cb.street || ' ' || cb.number), c.place,
       c.status, c.status_at, c.planned_on, c.created_at, m.id,
       m.register || '/' || m.year || '/' || lpad(m.number::text, 5, '0'), m.status
FROM office_case c
     LEFT JOIN unit u ON u.id = c.unit_id LEFT JOIN building ub ON ub.id = u.building_id
     LEFT JOIN building cb ON cb.id = c.building_id
     LEFT JOIN office_case m ON m.id = c.merged_into_id
WHERE c.kind = 'fault' AND c.filed_by_id = %(user)s
ORDER BY c.status IN ('received', 'in_progress') DESC, c.created_at DESC, c.id DESC
"""
LETTERS = f"""
SELECT {_NUMBER}, c.id, c.subject, c.category, coalesce({_UNIT_ADDRESS}, 'not about one unit'),
       c.status, c.status_at, c.created_at
FROM office_case c
     LEFT JOIN unit u ON u.id = c.unit_id LEFT JOIN building ub ON ub.id = u.building_id
WHERE c.kind = 'letter' AND c.filed_by_id = %(user)s
ORDER BY c.status IN ('received', 'in_progress', 'waiting') DESC, c.created_at DESC, c.id DESC
"""
DOCUMENTS = """
WITH seen AS (SELECT seen_at FROM member_document_visit WHERE user_id = %(user)s),
visit AS (INSERT INTO member_document_visit (tenant_id, user_id, seen_at)
          VALUES (%(tenant)s, %(user)s, now())
          ON CONFLICT (tenant_id, user_id) DO UPDATE SET seen_at = excluded.seen_at)
SELECT d.title, d.id, d.number, d.dated, d.status, d.category,
       coalesce(d.changed_at > (SELECT seen_at FROM seen), true),
       coalesce(d.created_at > (SELECT seen_at FROM seen), true)
FROM member_document d
WHERE d.withdrawn_at IS NULL AND EXISTS (SELECT FROM unit_title WHERE user_id = %(user)s)
ORDER BY d.dated DESC, d.id DESC
"""

# The consumption page (``consumption_routes``): the person's e-mail choices (the form under
# the page: the page has them with the signed-in person); their units in address order, each
# one's 12 newest monthly statements (a statement's identifying value: its link); their remote
# meters (kind, id) with the 12 months up to the newest month with a figure of any of them (or
# last month), newest first, each with the same month a year before and the building's median
# — the oldest months with neither figure left out (a new meter), a meter removed before those
# months without a figure in them left out. A month's identifying value is its consumption as
# the page writes it (decimal comma, no trailing zeros; "—" for none), so the check that it is
# on the page looks at the figures.
CONSUMPTION = f"""
WITH mine AS (SELECT u.id, u.building_id, {_ADDRESS} AS address, b.street, b.number AS building,
                     u.number
              FROM unit_title t JOIN unit u ON u.id = t.unit_id
                   JOIN building b ON b.id = u.building_id
              WHERE t.user_id = %(user)s),
meters AS (SELECT m.id, m.unit_id, mine.building_id, m.kind, m.serial_number, m.place,
                  m.measure, m.removed_on
           FROM meter m JOIN mine ON mine.id = m.unit_id WHERE m.reading_mode = 'remote'),
upto AS (SELECT coalesce(max(n.month), (date_trunc('month', now()) - interval '1 month')::date)
                AS month
         FROM meter_month n WHERE n.meter_id IN (SELECT id FROM meters)),
shown AS (SELECT (upto.month - make_interval(months => k))::date AS month
          FROM upto, generate_series(0, 11) k)
SELECT
  (SELECT json_build_array(email, consumption_emails, consumption_alerts) FROM user_account
   WHERE id = %(user)s),
  (SELECT json_agg(json_build_array(address, id) ORDER BY street, building, number, id)
     FROM mine),
  (SELECT json_agg(json_build_array('/zuzycie/informacja/' || k.id, k.unit_id, k.month)
                   ORDER BY k.unit_id, k.month DESC)
     FROM mine,
          LATERAL (SELECT id, unit_id, month FROM meter_consumption_statement
                   WHERE unit_id = mine.id ORDER BY month DESC LIMIT 12) k),
  (SELECT json_agg(json_build_array(m.serial_number, m.id, m.unit_id, m.kind, m.place,
                                    m.measure, f.months) ORDER BY m.kind, m.id)
     FROM meters m,
          LATERAL (SELECT json_agg(json_build_array(
                              coalesce(replace(rtrim(rtrim(x.used::text, '0'), '.'), '.', ','),
                                       '—'),
                              x.month, x.used, x.estimated, x.last_year, x.median, x.units)
                              ORDER BY x.month DESC) AS months
                   FROM (SELECT s.month, n.consumption AS used, n.estimated,
                                y.consumption AS last_year, bm.median, bm.units,
                                min(s.month) FILTER (WHERE n.consumption IS NOT NULL
                                                        OR y.consumption IS NOT NULL)
                                    OVER () AS first
                         FROM shown s
                              LEFT JOIN meter_month n ON n.meter_id = m.id
                                                     AND n.month = s.month
                              LEFT JOIN meter_month y
                                     ON y.meter_id = m.id
                                    AND y.month = (s.month - interval '1 year')::date
                              LEFT JOIN meter_building_month bm
                                     ON bm.building_id = m.building_id AND bm.kind = m.kind
                                    AND bm.measure = m.measure AND bm.month = s.month) x
                   WHERE x.month >= x.first) f
     WHERE m.removed_on IS NULL OR m.removed_on >= (SELECT min(month) FROM shown)
        OR EXISTS (SELECT FROM meter_month WHERE meter_id = m.id
                                               AND month IN (SELECT month FROM shown)))
"""

SQL = {"home": HOME, "record": RECORD, "queue": QUEUE, "announcements": ANNOUNCEMENTS,
       "faults": FAULTS, "letters": LETTERS, "documents": DOCUMENTS,
       "consumption": CONSUMPTION}
# LIMIT: the home's tiles, the queue's page; the lists show all of the person's rows
SHOWN = {"home": 5, "record": None, "queue": 200}
# The pages of plain rows: one table each, under this heading.
LISTS = {"queue": "readings waiting", "faults": "fault reports", "letters": "letters",
         "documents": "documents"}

app = Flask(__name__)
_pages: dict[str, dict[str, Any]] = {}
_pads: dict[str, Markup] = {}
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


def _fetch(page: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """The page's rows as (heading, rows) a list: its statement after the tenant setting."""
    kind = page["page"]
    params = {"user": page.get("user"), "unit": page.get("unit"), "tenant": page["tenant"],
              "shown": SHOWN.get(kind)}
    conn = _conn()
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", (str(page["tenant"]),))
        cursor.execute(SQL[kind], params)
        found = cursor.fetchall()
    if kind in LISTS:
        return [(LISTS[kind], found)]
    row = found[0]
    if kind == "home":
        return [(f"Welcome, {row[0]}", []),
                *((name, part or []) for name, part in zip(HOME_PARTS, row[1:], strict=True))]
    if kind == "announcements":
        return [(f"e-mail: {row[0]}", []),
                *((name, part or []) for name, part in zip(ANNOUNCEMENTS_PARTS, row[1:],
                                                           strict=True))]
    if kind == "consumption":  # the units, the meters, then a table of months a meter
        meters = row[3] or []
        return [(f"e-mail: {row[0]}", []), ("units", row[1] or []),
                ("statements", row[2] or []),
                ("remote meters", [meter[:-1] for meter in meters]),
                *((f"meter {meter[0]}, by month", meter[-1] or []) for meter in meters)]
    return [(name, part or []) for name, part in zip(RECORD_PARTS, row, strict=True)]


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def floor(path: str) -> str:
    """The page's rows in the plain template, padded to the real page's size."""
    key = request.full_path.rstrip("?")
    page = _page(key)
    parts = _fetch(page) if page["page"] != "terms" else []
    if key not in _pads:  # the first answer fixes the block that pads every later one
        bare = len(_plain().render(title=path, parts=parts, pad="").encode())
        _pads[key] = Markup(f"<p hidden>{'.' * max(0, page['size'] - bare - 14)}</p>")
    return _plain().render(title=path, parts=parts, pad=_pads[key])


def _page(key: str) -> dict[str, Any]:
    if not _pages:
        with open(os.environ["IOK_BENCH_FLOOR"], "rb") as source:
            _pages.update(pickle.load(source))
    return _pages[key]


def _plain() -> Any:
    """The plain template, compiled once (``render_template_string`` compiles every time)."""
    if not _compiled:
        _compiled.append(app.jinja_env.from_string(PLAIN))
    return _compiled[0]
