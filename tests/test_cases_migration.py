"""Revision 0026 (one room for cases) on data the 0025 code really made.

``fixtures/cases_0025.json`` is a frozen dump of fault reports and letters written through the
services of revision 0025 (by ``tests/fixtures/make_cases_0025.py`` of commit bd19d9f, removed once
those services were gone). The test loads it into an empty database at 0025 (SQLite and
PostgreSQL), upgrades to 0026 and proves that every registry number, event, file and link arrived
(fault ids kept; letters, their entries and attachments renumbered above the reports'; followers
derived), that the new code works on the result (the next number of the register, a merged report's
history as a co-reporter sees it, the old address of a letter answering with a permanent redirect),
and that the downgrade gives back the 0025 rows.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from iok_saas.db import db
from iok_saas.tenancy import tenant_context
from tests.helpers import client_for

DUMP = json.loads((Path(__file__).parent / "fixtures" / "cases_0025.json").read_text("utf-8"))
META = DUMP["__meta__"]["cases"]
ZW = META["zielone-wzgorza"]
PASSWORD = "Haslo12345x"  # every account of the dump (make_cases_0025.estate)
# In foreign-key order (each row of fault_report comes after the report it was merged into).
TABLES = (
    "tenant", "tenant_domain", "user_account", "building", "unit", "unit_title", "stored_file",
    "stored_file_chunk", "registry_counter", "fault_report", "fault_event", "fault_photo",
    "correspondence_case", "correspondence_entry", "correspondence_attachment", "audit_event",
    "outbox_message",
)
OLD = ("fault_report", "fault_event", "fault_photo", "correspondence_case",
       "correspondence_entry", "correspondence_attachment")
NEW = ("office_case", "case_event", "case_attachment", "case_follower")
ENTRY_KINDS = {"letter": "created", "answer": "reply", "follow_up": "comment"}
# Old column -> office_case column (the others keep their names).
FAULT_AS_CASE = {"reporter_id": "filed_by_id"}
LETTER_AS_CASE = {"id": "legacy_id", "author_id": "filed_by_id", "topic": "category",
                  "fault_report_id": "moved_to_id"}


# --- reading and writing rows -------------------------------------------------------------------


def _normal(value: Any) -> Any:
    """A value as the test compares it: timestamps tz-aware UTC (SQLite gives naive UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    """A dumped value back as Python: ISO strings of DateTime/Date columns, base64 bytes."""
    if isinstance(value, dict) and set(value) == {"__b64__"}:
        return base64.b64decode(value["__b64__"])
    if isinstance(value, str) and isinstance(column.type, sa.DateTime):
        return _normal(datetime.fromisoformat(value))
    if isinstance(value, str) and isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    return value


def _reflect(engine: sa.Engine) -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    return metadata


def _dumped(metadata: sa.MetaData) -> dict[str, list[dict[str, Any]]]:
    """Every dumped row, decoded with the column types of the schema at 0025."""
    return {name: [{key: _decode(metadata.tables[name].c[key], value)
                    for key, value in row.items()} for row in DUMP[name]] for name in TABLES}


def _load(engine: sa.Engine, metadata: sa.MetaData, rows: dict[str, list[dict]]) -> None:
    """Insert the dump with its ids, as the owner (a superuser on PostgreSQL: row-level
    security does not apply); PostgreSQL's id sequences then go on after the highest id."""
    with engine.begin() as conn:
        for name in TABLES:
            if rows[name]:
                conn.execute(metadata.tables[name].insert(), rows[name])
        if engine.dialect.name != "postgresql":
            return
        for name in TABLES:
            if "id" not in metadata.tables[name].c or not rows[name]:
                continue
            sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                    {"t": name}).scalar()
            if sequence:  # outbox_message's ids are UUIDs: no sequence
                conn.execute(sa.text("SELECT setval(:s, :v)"),
                             {"s": sequence, "v": max(r["id"] for r in rows[name])})


def _read(engine: sa.Engine, *names: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of these tables now, in primary-key order, values normalised."""
    metadata = sa.MetaData()
    metadata.reflect(bind=engine, only=names)
    with engine.connect() as conn:
        return {name: [{k: _normal(v) for k, v in row.items()} for row in conn.execute(
            sa.select(table).order_by(*table.primary_key.columns)).mappings()]
            for name, table in ((n, metadata.tables[n]) for n in names)}


def _check_sequences(engine: sa.Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """PostgreSQL: each table's id sequence stands at or past its highest id (the next row
    the app inserts gets a free id). SQLite goes on from the highest id by itself."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        for name, table_rows in rows.items():
            last = conn.execute(sa.text(
                "SELECT last_value FROM pg_sequences WHERE schemaname || '.' || sequencename "
                "= pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
            assert last is not None and last >= max(r["id"] for r in table_rows), name


def _by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def _without(row: dict[str, Any], *keys: str) -> tuple:
    return tuple(sorted((k, v) for k, v in row.items() if k not in keys))


# --- what 0026 must make of the dump ------------------------------------------------------------


def _check_upgraded(engine: sa.Engine, old: dict[str, list[dict]], offsets: dict[str, int]
                    ) -> None:
    cases_off, events_off, files_off = offsets["cases"], offsets["events"], offsets["files"]
    new = _read(engine, *NEW, "registry_counter")
    cases = _by_id(new["office_case"])

    # Every registry number, and nothing else, in its register.
    assert Counter((c["tenant_id"], c["register"], c["year"], c["number"])
                   for c in cases.values()) == Counter(
        [(f["tenant_id"], "AW", f["year"], f["number"]) for f in old["fault_report"]]
        + [(c["tenant_id"], "KO", c["year"], c["number"]) for c in old["correspondence_case"]])

    # A report keeps its id and every column (reporter -> filer), merged_into_id included.
    for report in old["fault_report"]:
        case = cases[report["id"]]
        assert (case["kind"], case["register"], case["moved_to_id"], case["legacy_id"]) == (
            "fault", "AW", None, None)
        for column, value in report.items():
            assert case[FAULT_AS_CASE.get(column, column)] == value, (report["id"], column)
    merge = ZW["fault_reports"]
    assert {cases[merge["merge_b"]]["merged_into_id"],
            cases[merge["merge_c"]]["merged_into_id"]} == {merge["merge_a"]}

    # A letter moves above the reports, its old id in legacy_id; topic -> category,
    # author -> filer, the report it was moved into -> moved_to_id; the unit's building.
    units = {u["id"]: u["building_id"] for u in old["unit"]}
    for letter in old["correspondence_case"]:
        case = cases[letter["id"] + cases_off]
        assert (case["kind"], case["register"], case["merged_into_id"]) == (
            "letter", "KO", None)
        assert case["building_id"] == units.get(letter["unit_id"])
        for column, value in letter.items():
            if column != "fault_number":
                assert case[LETTER_AS_CASE.get(column, column)] == value, (letter["id"], column)
    moved = cases[ZW["letters"]["moved"] + cases_off]
    assert moved["moved_to_id"] == ZW["fault_reports"]["moved_from_letter"] == 8
    assert cases[8]["submission"] == f"ko-{ZW['letters']['moved']}"

    # Every event: the reports' with their ids, the letters' entries renumbered, words mapped.
    expected_events = {e["id"]: {**{k: v for k, v in e.items() if k != "report_id"},
                                 "case_id": e["report_id"]} for e in old["fault_event"]}
    for e in old["correspondence_entry"]:
        expected_events[e["id"] + events_off] = {
            **e, "id": e["id"] + events_off, "case_id": e["case_id"] + cases_off,
            "kind": ENTRY_KINDS.get(e["kind"], e["kind"])}
    assert _by_id(new["case_event"]) == expected_events

    # Every file: photos keep their ids, the letters' attachments renumbered; each on an event
    # of its own case.
    stored = _by_id(old["stored_file"])
    expected_files = {p["id"]: {
        "id": p["id"], "tenant_id": p["tenant_id"], "case_id": p["report_id"],
        "event_id": p["event_id"], "file_id": p["file_id"],
        "filename": stored[p["file_id"]]["filename"], "content_type": "image/jpeg",
        "size": stored[p["file_id"]]["size"]} for p in old["fault_photo"]}
    for a in old["correspondence_attachment"]:
        expected_files[a["id"] + files_off] = {
            **{k: v for k, v in a.items() if k != "entry_id"}, "id": a["id"] + files_off,
            "case_id": a["case_id"] + cases_off, "event_id": a["entry_id"] + events_off}
    files = new["case_attachment"]
    assert _by_id(files) == expected_files
    assert {f["file_id"] for f in files} == {
        r["file_id"] for r in old["fault_photo"] + old["correspondence_attachment"]}
    events = _by_id(new["case_event"])
    for f in files:
        assert f["event_id"] is not None
        assert (events[f["event_id"]]["case_id"], events[f["event_id"]]["tenant_id"]) == (
            f["case_id"], f["tenant_id"]), f
    report_1 = [f for f in files if f["case_id"] == ZW["fault_reports"]["two_photos"]]
    assert Counter(events[f["event_id"]]["kind"] for f in report_1) == {"created": 2,
                                                                          "comment": 1}

    # Followers: every filer, and the filers of the cases merged into a case.
    followers = {(f["tenant_id"], f["case_id"], f["user_id"]) for f in new["case_follower"]}
    assert len(followers) == len(new["case_follower"])
    assert followers == {(c["tenant_id"], c["id"], c["filed_by_id"]) for c in cases.values()} | {
        (c["tenant_id"], c["merged_into_id"], c["filed_by_id"]) for c in cases.values()
        if c["merged_into_id"]}
    people = ZW["people"]
    assert {u for t, c, u in followers if c == merge["merge_a"]} == {
        people["piotr"], people["anna"], people["jan"]}

    assert new["registry_counter"] == old["registry_counter"]
    _check_sequences(engine, {name: new[name] for name in NEW})
    assert not set(OLD) & set(sa.inspect(engine).get_table_names())


# --- the new code on the migrated data ----------------------------------------------------------


def _check_new_code(app, old: dict[str, list[dict]], cases_off: int) -> None:
    from iok_saas import registers
    from iok_saas.cases import services as cases
    from iok_saas.correspondence.models import Letter
    from iok_saas.faults.models import FaultReport
    from iok_saas.faults.personal import photo_files

    reports, letters = ZW["fault_reports"], ZW["letters"]
    merged_b = next(r for r in old["fault_report"] if r["id"] == reports["merge_b"])
    merged_c = next(r for r in old["fault_report"] if r["id"] == reports["merge_c"])
    co_reporter, other_resident = merged_b["reporter_id"], merged_c["reporter_id"]
    [aw] = [c for c in old["registry_counter"]
            if c["tenant_id"] == ZW["tenant_id"] and c["register"] == "AW"]
    with tenant_context(ZW["tenant_id"]):
        try:
            assert registers.next_number("AW", aw["year"]) == aw["last"] + 1
        finally:
            db.session.rollback()
        report = db.session.get(FaultReport, reports["merge_a"])
        seen = cases.history(report, viewer_id=co_reporter)
        assert not [e for e in seen if e.author_id == other_resident and not e.by_staff]
        assert {e.case_id for e in seen} >= {reports["merge_a"], reports["merge_b"]}
        assert any(e.case_id == reports["merge_b"] and e.author_id == co_reporter for e in seen)
        assert cases.followed(FaultReport, co_reporter, reports["merge_a"]) is report
        # "Moje dane": the photos the reporter of the report with two photos sent (two with the
        # report, one with a comment), under the report's number.
        two = next(r for r in old["fault_report"] if r["id"] == reports["two_photos"])
        photos = photo_files(two["reporter_id"])
        assert len([n for n, _f in photos if n.startswith(f"AW-{two['year']}-00001-")]) == 3
        first = letters["pdf_answer_follow_up_closed"]
        assert cases.renumbered(Letter, first) == first + cases_off
        author = db.session.get(Letter, first + cases_off).filed_by_id
        identifier = next(u["identifier"] for u in old["user_account"] if u["id"] == author)
        db.session.remove()

    # An address from an e-mail sent before 0026 (/sprawy/<old id>; that id is now a fault
    # report's) answers with a permanent redirect to the letter's new address.
    browser = client_for(app, next(d["host"] for d in old["tenant_domain"]
                                   if d["tenant_id"] == ZW["tenant_id"]))
    assert browser.login(identifier, PASSWORD).status_code == 302
    answer = browser.get(f"/sprawy/{first}")
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith(f"/sprawy/{first + cases_off}")
    page = browser.get(f"/sprawy/{first + cases_off}")
    assert page.status_code == 200 and "KO/" in page.get_data(as_text=True)


# --- back to 0025 -------------------------------------------------------------------------------


def _check_downgraded(engine: sa.Engine, old: dict[str, list[dict]]) -> None:
    back = _read(engine, *OLD)
    for name in ("fault_report", "fault_event", "fault_photo", "correspondence_case"):
        assert back[name] == old[name], name
    moved = _by_id(back["correspondence_case"])[ZW["letters"]["moved"]]
    assert moved["fault_number"] == _by_id(old["correspondence_case"])[
        ZW["letters"]["moved"]]["fault_number"] == "AW/2026/00008"

    # Entries and attachments keep the ids the upgrade gave them: compared without them, an
    # attachment's entry named by the entry's other columns.
    def entries(rows):
        return {row["id"]: _without(row, "id") for row in rows}

    def attachments(rows, entry):
        return Counter((_without(row, "id", "entry_id"), entry[row["entry_id"]]) for row in rows)

    old_entries, new_entries = (entries(old["correspondence_entry"]),
                                entries(back["correspondence_entry"]))
    assert len(set(old_entries.values())) == len(old_entries)  # each entry is told apart
    assert Counter(new_entries.values()) == Counter(old_entries.values())
    assert attachments(back["correspondence_attachment"], new_entries) == attachments(
        old["correspondence_attachment"], old_entries)
    assert not set(NEW) & set(sa.inspect(engine).get_table_names())
    _check_sequences(engine, back)


def test_0026_moves_every_number_event_and_file_and_0025_comes_back(app_on_empty_database):
    app = app_on_empty_database
    with app.app_context():
        engine = db.engine
        try:
            upgrade(revision="0025")
            schema = _reflect(engine)
            old = _dumped(schema)
            _load(engine, schema, old)
            offsets = {"cases": max(r["id"] for r in old["fault_report"]),
                       "events": max(r["id"] for r in old["fault_event"]),
                       "files": max(r["id"] for r in old["fault_photo"])}

            upgrade(revision="0026")
            _check_upgraded(engine, old, offsets)
            upgrade()  # the code of this tree runs on the newest schema
            _check_new_code(app, old, offsets["cases"])

            db.session.remove()
            downgrade(revision="0025")
            _check_downgraded(engine, old)
        finally:
            db.session.remove()
            engine.dispose()
