"""The platform-scale dataset for benchmarks: many cooperatives, built by PostgreSQL itself.

Every row is made with ``INSERT … SELECT`` over ``generate_series`` as the database owner (no
ORM, no row at a time), so 100 cooperatives with 100 000 units and 12 million ledger rows take
minutes, not hours. The cooperatives are copies of Bałtyk's settings (``sm-001`` … on
``sm-001.localhost`` …), so every feature is on; their residents and their clerk
(``obsluga``) all have the password ``Mieszkanie2026``.

    .venv/bin/python bench/dataset.py --database iok_bench_scale            # the full size
    .venv/bin/python bench/dataset.py --database x --cooperatives 2 --units 40 --years 1

The database must exist and be migrated (``bench/run`` does both); the dataset is added to it.
Sizes per cooperative: ``--units`` units in buildings of ``--per-building``; 1.3 residents a
unit (every third unit has a second holder); one fees account a unit with ``--years`` of
monthly charges and payments (2 × 12 × years rows); two water meters a unit with
``--readings`` accepted readings each; and in the first cooperative ``--pending`` readings
waiting for the clerk (the 5 000-reading queue: that cooperative gets the units it needs).
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


def _steps(size: Size, password_hash: str) -> list[tuple[str, str, dict]]:
    """(what, SQL, parameters) in order; each step reads what the ones before made."""
    ours = f"t.slug LIKE '{PREFIX}%%'"  # every step has parameters: % is written %%
    return [
        ("cooperatives", """
            INSERT INTO tenant (slug, name, short_name, status, settings, created_at, updated_at)
            SELECT s.slug, s.name, s.short, 'active',
                   jsonb_set(jsonb_set(jsonb_set(b.settings::jsonb, '{slug}', to_jsonb(s.slug)),
                                       '{name}', to_jsonb(s.name)),
                             '{short_name}', to_jsonb(s.short))::json, now(), now()
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
          # the first cooperative is large enough for its queue (two meters a unit)
          "big": -(-max(size.units, -(-size.pending // 2)) // size.per_building)}),
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
                               created_at, updated_at)
            SELECT u.tenant_id, 'W' || u.id || '-' || k, u.id,
                   CASE k WHEN 1 THEN 'cold_water' ELSE 'hot_water' END,
                   lpad((u.id * 2 + k)::text, 9, '0'), 'łazienka', 'm³', date '2020-01-01',
                   date '2030-01-01', 0, now(), now()
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
            ORDER BY m.id LIMIT %(pending)s""",
         {"count": size.readings, "first": f"{PREFIX}001", "pending": size.pending}),
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
