"""The platform-scale dataset for benchmarks: many cooperatives, built by PostgreSQL itself.

Every row is made with ``INSERT … SELECT`` over ``generate_series`` as the database owner (no
ORM, no row at a time), so 100 cooperatives with 100 000 units and 12 million ledger rows take
minutes, not hours. The cooperatives are copies of Bałtyk's settings (``sm-001`` … on
``sm-001.localhost`` …) with fault reports turned on too, so a resident's home page has every
tile; their residents and their clerk (``obsluga``) all have the password ``Mieszkanie2026``.

    .venv/bin/python bench/dataset.py --database iok_bench_scale            # the full size
    .venv/bin/python bench/dataset.py --database x --cooperatives 2 --units 40 --years 1

The database must exist and be migrated (``bench/run`` does both); the dataset is added to it.
Sizes per cooperative: ``--units`` units in buildings of ``--per-building``; 1.3 residents a
unit (every third unit has a second holder); one fees account a unit with ``--years`` of
monthly charges and payments (2 × 12 × years rows); two water meters a unit with
``--readings`` accepted readings each — the cold one typed by residents, the hot one read
remotely (``reading_mode`` remote, a radio number) with the monthly figures of its last 24
complete months (``meter_month``: the consumption varying by meter, season and year, every
ninth month or so estimated) and each building's median of them (``meter_building_month``,
over the units with such a meter, where at least five have one: every building here); and in
the first cooperative ``--pending`` readings of the typed meters waiting for the clerk (the
5 000-reading queue: that cooperative gets the units it needs).

And what a resident sees besides, per cooperative: ``--announcements`` announcements (two in
three for everyone, one in three for a fifth of the buildings; some outages and meetings, one
pinned, one withdrawn, the oldest five archived), read by every other resident (the ones for
everyone, a third of them); ``--documents`` member documents with a version each (a small PDF
in the file store), one withdrawn, and a visit of the library a month ago by every third
resident, so some documents are new to them; fault reports by every sixth resident (two by
every twelfth), about a third open, and letters by every tenth, a fifth of them waiting for the
resident's reply — each case with its first event, a staff event once it moved on, its filer as
follower, and the registers' counters past them. Residents are counted in each cooperative in
id order, so its first resident (the one ``bench/scale.py`` signs in) has some of everything.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import psycopg

from bench.common import ADMIN, url

PASSWORD = "Mieszkanie2026"
CLERK = "obsluga"  # each cooperative's clerk, same password
PREFIX = "sm-"


@dataclass(frozen=True)
class Size:
    """How big the dataset is."""

    cooperatives: int = 100
    units: int = 1000  # per cooperative
    per_building: int = 50
    years: int = 5  # of monthly ledger history: 2 rows a month (charge, payment)
    readings: int = 6  # accepted, per meter (two meters a unit)
    pending: int = 5000  # waiting in the first cooperative's queue
    announcements: int = 30  # per cooperative
    documents: int = 15  # per cooperative, a version each


def _steps(size: Size, password_hash: str) -> list[tuple[str, str, dict]]:
    """(what, SQL, parameters) in order; each step reads what the ones before made."""
    ours = f"t.slug LIKE '{PREFIX}%%'"  # every step has parameters: % is written %%
    return [
        ("cooperatives", """
            INSERT INTO tenant (slug, name, short_name, status, settings, created_at, updated_at)
            SELECT s.slug, s.name, s.short, 'active',
                   jsonb_set(jsonb_set(jsonb_set(jsonb_set(
                       b.settings::jsonb, '{slug}', to_jsonb(s.slug)), '{name}', to_jsonb(s.name)),
                       '{short_name}', to_jsonb(s.short)), '{features,faults}', 'true')::json,
                   now(), now()
            FROM (SELECT %(prefix)s || lpad(g::text, 3, '0') AS slug,
                         'Spółdzielnia Mieszkaniowa nr ' || g AS name, 'SM nr ' || g AS short
                  FROM generate_series(1, %(n)s) g) s,
                 (SELECT settings FROM tenant WHERE slug = 'baltyk') b""",
         {"prefix": PREFIX, "n": size.cooperatives}),
        ("hosts", f"""
            INSERT INTO tenant_domain (tenant_id, host, is_custom)
            SELECT t.id, t.slug || '.localhost', false FROM tenant t WHERE {ours}""", {}),
        ("buildings", f"""
            INSERT INTO building (tenant_id, external_id, estate, street, number, postal_code,
                                  city, created_at, updated_at)
            SELECT t.id, 'B' || b, 'Osiedle ' || (b %% 4 + 1), 'ul. Bursztynowa', b::text,
                   '80-001', 'Gdańsk', now(), now()
            FROM tenant t, generate_series(1, CASE t.slug WHEN %(first)s THEN %(big)s
                                                   ELSE %(buildings)s END) b
            WHERE {ours}""",
         {"buildings": -(-size.units // size.per_building), "first": f"{PREFIX}001",
          # the first cooperative is large enough for its queue (one typed meter a unit)
          "big": -(-max(size.units, size.pending) // size.per_building)}),
        ("units", f"""
            INSERT INTO unit (tenant_id, external_id, building_id, number, kind, created_at,
                              updated_at)
            SELECT b.tenant_id, b.external_id || '-' || u, b.id, u::text, 'flat', now(), now()
            FROM building b JOIN tenant t ON t.id = b.tenant_id AND {ours},
                 generate_series(1, %(per)s) u""", {"per": size.per_building}),
        ("residents", f"""
            INSERT INTO user_account (tenant_id, identifier, external_id, role, first_name,
                last_name, email, password_hash, must_change_password, active, session_version,
                failed_logins, reading_reminders, announcement_emails, finance_emails,
                created_at, updated_at)
            SELECT u.tenant_id, 'M-' || lpad(u.id::text, 7, '0') || h, 'P' || u.id || '-' || h,
                   'resident', (ARRAY['Anna', 'Jan', 'Maria', 'Piotr'])[u.id %% 4 + 1],
                   'Mieszkaniec ' || u.id, 'm' || u.id || '-' || h || '@example.org',
                   %(hash)s, false, true, 1, 0, false, false, false, now(), now()
            FROM unit u JOIN tenant t ON t.id = u.tenant_id AND {ours},
                 generate_series(1, 2) h
            WHERE h = 1 OR u.id %% 3 = 0""", {"hash": password_hash}),
        ("clerks", f"""
            INSERT INTO user_account (tenant_id, identifier, role, first_name, last_name,
                password_hash, must_change_password, active, session_version, failed_logins,
                reading_reminders, announcement_emails, finance_emails, created_at, updated_at)
            SELECT t.id, %(clerk)s, 'clerk', 'Ewa', 'Obsługa', %(hash)s, false, true, 1, 0,
                   false, false, false, now(), now()
            FROM tenant t WHERE {ours}""", {"clerk": CLERK, "hash": password_hash}),
        ("titles", f"""
            INSERT INTO unit_title (tenant_id, unit_id, user_id, kind, created_at, updated_at)
            SELECT p.tenant_id, split_part(p.external_id, '-', 1)::int, p.id,
                   'cooperative_ownership', now(), now()
            FROM (SELECT a.tenant_id, a.id, substr(a.external_id, 2) AS external_id
                  FROM user_account a JOIN tenant t ON t.id = a.tenant_id AND {ours}
                  WHERE a.external_id LIKE 'P%%') p""", {}),
        ("fee accounts", f"""
            INSERT INTO finance_account (tenant_id, external_id, unit_id, kind, name, nrb,
                                         created_at, updated_at)
            SELECT u.tenant_id, 'K' || u.id, u.id, 'fees', 'Opłaty mieszkaniowe',
                   '1010' || lpad(u.id::text, 22, '0'), now(), now()
            FROM unit u JOIN tenant t ON t.id = u.tenant_id AND {ours}""", {}),
        ("ledger", f"""
            INSERT INTO ledger_entry (tenant_id, external_id, account_id, booked_on, due_on,
                period, document_no, component, description, charge, payment, created_at,
                updated_at)
            SELECT a.tenant_id, 'L' || a.id || '-' || m || '-' || k, a.id,
                   d + CASE k WHEN 1 THEN 0 ELSE 9 END, CASE k WHEN 1 THEN d + 14 END,
                   to_char(d, 'YYYY-MM'), CASE k WHEN 1 THEN 'NAL/' || m ELSE 'WB/' || m END,
                   CASE k WHEN 1 THEN 'eksploatacja' ELSE '' END,
                   CASE k WHEN 1 THEN 'Naliczenie opłat' ELSE 'Wpłata' END,
                   CASE k WHEN 1 THEN 412.50 + (a.id %% 7) ELSE 0 END,
                   CASE k WHEN 2 THEN 412.50 + (a.id %% 7) ELSE 0 END, now(), now()
            FROM finance_account a JOIN tenant t ON t.id = a.tenant_id AND {ours},
                 generate_series(0, %(months)s - 1) m,
                 LATERAL (SELECT (date_trunc('month', now()) - make_interval(months => m))::date
                          AS d) day,
                 generate_series(1, 2) k""", {"months": size.years * 12}),
        ("meters", f"""
            INSERT INTO meter (tenant_id, external_id, unit_id, kind, serial_number, place,
                               measure, installed_on, legalised_until, initial_value,
                               reading_mode, radio_id, created_at, updated_at)
            SELECT u.tenant_id, 'W' || u.id || '-' || k, u.id,
                   CASE k WHEN 1 THEN 'cold_water' ELSE 'hot_water' END,
                   lpad((u.id * 2 + k)::text, 9, '0'), 'łazienka', 'm³', date '2020-01-01',
                   date '2030-01-01', 0, CASE k WHEN 1 THEN 'typed' ELSE 'remote' END,
                   CASE k WHEN 2 THEN 'R' || lpad((u.id * 2 + k)::text, 9, '0') END,
                   now(), now()
            FROM unit u JOIN tenant t ON t.id = u.tenant_id AND {ours}, generate_series(1, 2) k
            """, {}),
        ("readings", f"""
            INSERT INTO meter_reading (tenant_id, meter_id, read_on, value, source, status,
                reject_reason, high_confirmed, created_at, updated_at)
            SELECT m.tenant_id, m.id,
                   (date_trunc('month', now()) - make_interval(months => 6 * r))::date,
                   (%(count)s - r) * 25.5 + (m.id %% 11), 'import', 'accepted', '', false,
                   now(), now()
            FROM meter m JOIN tenant t ON t.id = m.tenant_id AND {ours},
                 generate_series(1, %(count)s) r""", {"count": size.readings}),
        ("pending readings", """
            INSERT INTO meter_reading (tenant_id, meter_id, read_on, value, source, status,
                submitted_by_id, reject_reason, high_confirmed, created_at, updated_at)
            SELECT m.tenant_id, m.id, current_date, %(count)s * 25.5 + 30 + (m.id %% 11),
                   'resident', 'pending',
                   (SELECT min(ut.user_id) FROM unit_title ut
                    WHERE ut.tenant_id = m.tenant_id AND ut.unit_id = m.unit_id),
                   '', false,
                   now() - make_interval(secs => (SELECT max(id) FROM meter) - m.id + 60), now()
            FROM meter m JOIN tenant t ON t.id = m.tenant_id AND t.slug = %(first)s
            WHERE m.reading_mode = 'typed'
            ORDER BY m.id LIMIT %(pending)s""",
         {"count": size.readings, "first": f"{PREFIX}001", "pending": size.pending}),
        *_remote(ours),
        *_seen(size, ours),
    ]


MONTHS = 24  # complete months of figures of each remote meter: the page's 12 and the year before
MIN_UNITS = 5  # a building's median over at least this many units (the app's MIN_UNITS)


def _remote(ours: str) -> list[tuple[str, str, dict]]:
    """The monthly figures of the remote meters (the hot-water ones) and the buildings' medians.

    A month's consumption is a meter's own level (``id % 17``) under a seasonal swing (more hot
    water in winter), a year before 6 % higher, and a wobble by meter and month; the start and
    end values run on from a base (a window sum over the meter's months). Every ninth month or
    so of a meter is estimated (fewer daily readings); a few days a month without flow."""
    return [
        ("remote months", f"""
            INSERT INTO meter_month (tenant_id, meter_id, month, start_value, end_value,
                                     consumption, estimated, readings, zero_days)
            SELECT x.tenant_id, x.meter_id, x.month,
                   x.base + sum(x.used) OVER w - x.used, x.base + sum(x.used) OVER w, x.used,
                   x.estimated, x.days - CASE WHEN x.estimated THEN 3 + x.meter_id %% 5 ELSE 0 END,
                   (x.meter_id * 3 + x.back) %% 4
            FROM (SELECT m.tenant_id, m.id AS meter_id, d.month, g.back, d.days,
                         100 + m.id %% 50 AS base, (m.id + g.back) %% 9 = 0 AS estimated,
                         round(((1.2 + (m.id %% 17) * 0.12
                                 + 0.45 * cos(2 * pi() * (extract(month FROM d.month) - 1) / 12))
                                * CASE WHEN g.back > 12 THEN 1.06 ELSE 1 END
                                + ((m.id * 7 + g.back * 13) %% 23) * 0.011)::numeric, 3) AS used
                  FROM meter m JOIN tenant t ON t.id = m.tenant_id AND {ours},
                       generate_series(1, %(months)s) g(back),
                       LATERAL (SELECT (date_trunc('month', now())
                                        - make_interval(months => g.back))::date AS month) f,
                       LATERAL (SELECT f.month,
                                       extract(day FROM f.month + interval '1 month'
                                               - interval '1 day')::int AS days) d
                  WHERE m.reading_mode = 'remote') x
            WINDOW w AS (PARTITION BY x.meter_id ORDER BY x.month)""", {"months": MONTHS}),
        ("building medians", f"""
            INSERT INTO meter_building_month (tenant_id, building_id, kind, measure, month, units,
                                              median)
            SELECT p.tenant_id, p.building_id, p.kind, p.measure, p.month, count(*),
                   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.used::float8)::numeric,
                         3)
            FROM (SELECT n.tenant_id, u.building_id, m.kind, m.measure, n.month, m.unit_id,
                         sum(n.consumption) AS used
                  FROM meter_month n JOIN tenant t ON t.id = n.tenant_id AND {ours}
                       JOIN meter m ON m.tenant_id = n.tenant_id AND m.id = n.meter_id
                       JOIN unit u ON u.tenant_id = m.tenant_id AND u.id = m.unit_id
                  GROUP BY n.tenant_id, u.building_id, m.kind, m.measure, n.month, m.unit_id) p
            GROUP BY p.tenant_id, p.building_id, p.kind, p.measure, p.month
            HAVING count(*) >= %(least)s""", {"least": MIN_UNITS}),
    ]


# Each resident of a cooperative numbered in id order (1: its first, the one scale.py signs in),
# with the unit they hold and its building.
_RESIDENTS = """
    SELECT a.tenant_id, a.id AS user_id, a.first_name || ' ' || a.last_name AS name,
           row_number() OVER (PARTITION BY a.tenant_id ORDER BY a.id)::int AS rn,
           ut.unit_id, u.building_id
    FROM user_account a JOIN tenant t ON t.id = a.tenant_id AND {ours}
         JOIN unit_title ut ON ut.tenant_id = a.tenant_id AND ut.user_id = a.id
         JOIN unit u ON u.tenant_id = ut.tenant_id AND u.id = ut.unit_id
    WHERE a.role = 'resident'"""
# A small PDF: what a document's version holds in the file store.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
FAULTS = ("woda i kanalizacja", "elektryka", "gaz", "ogrzewanie", "winda", "domofon",
          "drzwi i zamki", "części wspólne", "inne")
TOPICS = ("pytanie o rozliczenie", "reklamacja naliczenia",
          "wniosek o kopię dokumentów (art. 8¹)", "zmiana liczby osób", "inna sprawa")
DOCUMENTS = ("Statut", "Regulaminy", "Uchwały walnego zgromadzenia", "Uchwały rady nadzorczej",
             "Uchwały zarządu", "Protokoły", "Protokoły lustracji", "Sprawozdania finansowe",
             "Cenniki")


def _seen(size: Size, ours: str) -> list[tuple[str, str, dict]]:
    """What a resident sees besides the record and the meters: announcements (with who read
    them), the members' documents (with versions and visits), fault reports and letters."""
    residents = _RESIDENTS.format(ours=ours)
    announcements = f"""
        SELECT x.*, row_number() OVER (PARTITION BY x.tenant_id ORDER BY x.id)::int AS n
        FROM announcement x JOIN tenant t ON t.id = x.tenant_id AND {ours}"""
    body = ("Szanowni Państwo, uprzejmie informujemy o pracach prowadzonych w budynku. "
            "Prosimy o zrozumienie i o zabezpieczenie mienia w piwnicach. ") * 4
    return [
        ("announcements", f"""
            INSERT INTO announcement (tenant_id, title, body_md, body_html, kind, service,
                starts_at, ends_at, audience, publish_from, publish_until, pinned, send_email,
                author_label, published_at, withdrawn_at, created_at, updated_at)
            SELECT t.id,
                   CASE k.kind WHEN 'outage' THEN 'Przerwa w dostawie wody nr ' || n
                               WHEN 'meeting' THEN 'Zebranie mieszkańców nr ' || n
                               ELSE 'Komunikat administracji nr ' || n END,
                   %(body)s, '<p>' || %(body)s || '</p>', k.kind,
                   CASE k.kind WHEN 'outage' THEN 'water' END,
                   CASE k.kind WHEN 'general' THEN NULL
                        ELSE date_trunc('hour', now()) + make_interval(days => n %% 5 + 1) END,
                   CASE k.kind WHEN 'outage' THEN date_trunc('hour', now())
                        + make_interval(days => n %% 5 + 1, hours => 6) END,
                   CASE WHEN n %% 3 = 0 THEN 'buildings' ELSE 'all' END,
                   now() - make_interval(days => 3 * n),
                   CASE WHEN n > %(count)s - 5 THEN now() - make_interval(days => n) END,
                   n = 4, false, 'Ewa Obsługa', now() - make_interval(days => 3 * n),
                   CASE WHEN n = 8 THEN now() - interval '1 day' END, now(), now()
            FROM tenant t, generate_series(1, %(count)s) n,
                 LATERAL (SELECT CASE WHEN n %% 7 = 3 THEN 'outage' WHEN n %% 11 = 5
                                      THEN 'meeting' ELSE 'general' END AS kind) k
            WHERE {ours} ORDER BY t.id, n""", {"count": size.announcements, "body": body}),
        ("announcement buildings", f"""
            INSERT INTO announcement_building (tenant_id, announcement_id, building_id)
            SELECT a.tenant_id, a.id, b.id
            FROM ({announcements}) a
                 JOIN building b ON b.tenant_id = a.tenant_id
                                AND b.number::int %% 5 = (a.n / 3) %% 5
            WHERE a.audience = 'buildings'""", {}),
        ("announcement reads", f"""
            INSERT INTO announcement_read (tenant_id, announcement_id, user_id, read_at)
            SELECT a.tenant_id, a.id, r.user_id, a.publish_from + interval '1 day'
            FROM ({announcements}) a
                 JOIN ({residents}) r ON r.tenant_id = a.tenant_id AND r.rn %% 2 = 1
            WHERE a.audience = 'all' AND a.n %% 3 = 1""", {}),
        ("documents", f"""
            INSERT INTO member_document (tenant_id, category, title, number, dated, status,
                                         changed_at, withdrawn_at, created_at, updated_at)
            SELECT t.id, c.category, c.category || ': dokument nr ' || d || ' z '
                       || to_char(now() - make_interval(days => 9 * d), 'DD.MM.YYYY'),
                   CASE WHEN d %% 3 = 0 THEN d || '/' || to_char(now(), 'YYYY') ELSE '' END,
                   (now() - make_interval(days => 9 * d))::date, 'current',
                   CASE WHEN d %% 5 = 0 THEN now() - make_interval(hours => d)
                        ELSE now() - make_interval(days => 9 * d) END,
                   CASE WHEN d = 12 THEN now() - interval '2 days' END, now(), now()
            FROM tenant t, generate_series(1, %(count)s) d,
                 LATERAL (SELECT (%(categories)s::text[])[d %% %(kinds)s + 1] AS category) c
            WHERE {ours} ORDER BY t.id, d""",
         {"count": size.documents, "categories": list(DOCUMENTS), "kinds": len(DOCUMENTS)}),
        ("document files", f"""
            INSERT INTO stored_file (tenant_id, purpose, filename, content_type, size, sha256,
                                     created_at)
            SELECT d.tenant_id, 'member_document', 'dokument-' || d.id || '.pdf',
                   'application/pdf', length(%(pdf)s), encode(sha256(%(pdf)s), 'hex'),
                   d.changed_at
            FROM member_document d JOIN tenant t ON t.id = d.tenant_id AND {ours}
            ORDER BY d.id""", {"pdf": PDF}),
        ("document chunks", f"""
            INSERT INTO stored_file_chunk (tenant_id, file_id, seq, data)
            SELECT f.tenant_id, f.id, 0, %(pdf)s
            FROM stored_file f JOIN tenant t ON t.id = f.tenant_id AND {ours}
            WHERE f.purpose = 'member_document'""", {"pdf": PDF}),
        ("document versions", f"""
            INSERT INTO member_document_version (tenant_id, document_id, number, file_id,
                                                 filename, size, note, added_at, added_by)
            SELECT d.tenant_id, d.id, 1, f.id, f.filename, f.size, '', d.changed_at,
                   'Ewa Obsługa'
            FROM member_document d JOIN tenant t ON t.id = d.tenant_id AND {ours}
                 JOIN stored_file f ON f.tenant_id = d.tenant_id
                                   AND f.purpose = 'member_document'
                                   AND f.filename = 'dokument-' || d.id || '.pdf'""", {}),
        ("document visits", f"""
            INSERT INTO member_document_visit (tenant_id, user_id, seen_at)
            SELECT r.tenant_id, r.user_id, now() - interval '30 days'
            FROM ({residents}) r WHERE r.rn %% 3 = 1""", {}),
        ("fault reports", f"""
            INSERT INTO office_case (tenant_id, kind, register, year, number, submission,
                filed_by_id, category, subject, building_id, unit_id, status, status_at,
                first_answer_at, closed_at, close_reason, place, description, entry_allowed,
                contact_phone, contact_note, created_at, updated_at)
            SELECT c.tenant_id, 'fault', 'AW', c.year,
                   row_number() OVER (PARTITION BY c.tenant_id, c.year
                                      ORDER BY c.created_at, c.user_id, c.k),
                   'bench-' || c.k, c.user_id, (%(categories)s::text[])[c.rn %% %(kinds)s + 1],
                   '', c.building_id, c.unit_id, c.status,
                   c.created_at + CASE WHEN c.status = 'received' THEN interval '0'
                                       ELSE interval '1 day' END,
                   CASE WHEN c.status <> 'received' THEN c.created_at + interval '1 day' END,
                   CASE WHEN c.status IN ('done', 'rejected')
                        THEN c.created_at + interval '3 days' END,
                   '', 'łazienka', 'Cieknie z rury pod umywalką, woda kapie na podłogę.',
                   true, '', '', c.created_at, c.created_at
            FROM (SELECT r.*, k, y.created_at,
                         extract(year FROM y.created_at AT TIME ZONE 'Europe/Warsaw')::int
                             AS year,
                         (ARRAY['received', 'in_progress', 'in_progress', 'rejected', 'done',
                                'done', 'done', 'done', 'done', 'done'])[(r.rn / 6 + k) %% 10 + 1]
                             AS status
                  FROM ({residents}) r, generate_series(1, 2) k,
                       LATERAL (SELECT now() - make_interval(days => (r.rn * 7 + k * 3) %% 300,
                                                             hours => k) AS created_at) y
                  WHERE r.rn %% 6 = 1 AND (k = 1 OR r.rn %% 12 = 1)) c""",
         {"categories": list(FAULTS), "kinds": len(FAULTS)}),
        ("letters", f"""
            INSERT INTO office_case (tenant_id, kind, register, year, number, submission,
                filed_by_id, category, subject, building_id, unit_id, status, status_at,
                first_answer_at, closed_at, close_reason, created_at, updated_at)
            SELECT c.tenant_id, 'letter', 'KO', c.year,
                   row_number() OVER (PARTITION BY c.tenant_id, c.year
                                      ORDER BY c.created_at, c.user_id),
                   'bench-1', c.user_id, c.topic, 'Pytanie: ' || c.topic || ' (lokal '
                       || c.unit_id || ')', c.building_id, c.unit_id, c.status,
                   c.created_at + CASE WHEN c.status = 'received' THEN interval '0'
                                       ELSE interval '2 days' END,
                   CASE WHEN c.status <> 'received' THEN c.created_at + interval '2 days' END,
                   CASE WHEN c.status = 'closed' THEN c.created_at + interval '5 days' END,
                   '', c.created_at, c.created_at
            FROM (SELECT r.*, (%(topics)s::text[])[r.rn / 10 %% %(kinds)s + 1] AS topic,
                         y.created_at,
                         extract(year FROM y.created_at AT TIME ZONE 'Europe/Warsaw')::int
                             AS year,
                         (ARRAY['waiting', 'received', 'in_progress', 'closed', 'closed'])
                             [r.rn / 10 %% 5 + 1] AS status
                  FROM ({residents}) r,
                       LATERAL (SELECT now() - make_interval(days => (r.rn * 5) %% 200,
                                                             hours => 3) AS created_at) y
                  WHERE r.rn %% 10 = 1) c""", {"topics": list(TOPICS), "kinds": len(TOPICS)}),
        ("case events", f"""
            INSERT INTO case_event (tenant_id, case_id, kind, status, body, author_id,
                                    author_label, by_staff, at)
            SELECT c.tenant_id, c.id, e.kind, e.status, e.body, e.author_id, e.label,
                   e.staff, e.at
            FROM office_case c JOIN tenant t ON t.id = c.tenant_id AND {ours}
                 JOIN user_account a ON a.tenant_id = c.tenant_id AND a.id = c.filed_by_id
                 JOIN user_account s ON s.tenant_id = c.tenant_id AND s.identifier = %(clerk)s,
                 LATERAL (VALUES
                     ('created', 'received',
                      CASE c.kind WHEN 'fault' THEN '' ELSE 'Proszę o wyjaśnienie naliczenia '
                           'opłat za ostatni miesiąc i o informację, jak rozliczono wodę.' END,
                      a.id, a.first_name || ' ' || a.last_name, false, c.created_at, true),
                     (CASE c.kind WHEN 'letter' THEN 'reply' ELSE 'status' END, c.status,
                      CASE c.kind WHEN 'letter' THEN 'Prosimy o przesłanie odczytów wodomierzy '
                           'z ostatniego miesiąca.' ELSE '' END,
                      s.id, 'Ewa (administracja)', true, c.status_at,
                      c.status <> 'received')) e(kind, status, body, author_id, label, staff,
                                                 at, made)
            WHERE e.made ORDER BY c.id, e.at""", {"clerk": CLERK}),
        ("case followers", f"""
            INSERT INTO case_follower (tenant_id, case_id, user_id, since)
            SELECT c.tenant_id, c.id, c.filed_by_id, c.created_at
            FROM office_case c JOIN tenant t ON t.id = c.tenant_id AND {ours}""", {}),
        ("registers", f"""
            INSERT INTO registry_counter (tenant_id, register, year, last)
            SELECT c.tenant_id, c.register, c.year, max(c.number)
            FROM office_case c JOIN tenant t ON t.id = c.tenant_id AND {ours}
            GROUP BY c.tenant_id, c.register, c.year""", {}),
    ]


def build(database: str, size: Size, say=print) -> dict[str, int]:
    """Add the dataset to ``database`` (migrated, with the reference cooperatives); how many
    rows each step made."""
    from iok_saas.auth.passwords import hash_password

    made = {}
    with psycopg.connect(url(ADMIN, database, "postgresql"), autocommit=False) as conn:
        for what, sql, params in _steps(size, hash_password(PASSWORD)):
            started = time.monotonic()
            made[what] = conn.execute(sql, params).rowcount
            conn.commit()
            say(f"{what:>17}: {made[what]:>10,} rows  {time.monotonic() - started:6.1f} s")
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    for field, default in Size.__dataclass_fields__.items():
        parser.add_argument(f"--{field.replace('_', '-')}", type=int,
                            default=default.default)
    args = parser.parse_args()
    size = Size(**{field: getattr(args, field) for field in Size.__dataclass_fields__})
    build(args.database, size)


if __name__ == "__main__":
    main()
