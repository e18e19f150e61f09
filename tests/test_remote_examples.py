"""The remote-readings examples in docs/examples (issue 33): both mappings are valid
``[remote_readings]`` sections, are the reference cooperatives' own, and read their example
files after the other example files are imported; a second import adds nothing."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from iok_saas.db import db
from iok_saas.meters.models import REMOTE, TYPED, Meter, RemoteReading
from iok_saas.tenancy import services as tenant_services
from iok_saas.tenancy.settings import RemoteReadings
from tests.helpers import ROOT, as_platform, in_tenant, run_cli
from tests.test_imports import EXAMPLES, _import_examples

MAPPINGS = {"a": ("zielone-wzgorza", "odczyty-zdalne-a.csv"),
            "b": ("baltyk", "odczyty-zdalne-b.json")}


def _mapping(name: str) -> dict:
    return tomllib.loads((EXAMPLES / f"remote-mapping-{name}.toml").read_text())[
        "remote_readings"]


def _toml(value: object) -> str:
    """A value as TOML writes it inline (what ``iok tenants update KEY=VALUE`` reads)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_each_example_mapping_is_a_valid_section_and_the_reference_cooperatives_own(name):
    mapping = RemoteReadings.model_validate(_mapping(name))
    slug, _ = MAPPINGS[name]
    own = tomllib.loads((ROOT / "tenants" / f"{slug}.toml").read_text())["remote_readings"]
    assert mapping == RemoteReadings.model_validate(own)
    assert mapping.unit_of("m3").measure == "m³"


def _import(app, name: str):
    return run_cli(app, "import", "remote", "--tenant", "baltyk", "--quiet",
                   str(EXAMPLES / MAPPINGS[name][1]))


def test_the_example_files_import_after_the_others_by_their_mapping_and_again_add_nothing(
        app, baltyk):
    _import_examples(app)  # meters.csv marks the hot water and the allocator remote
    with in_tenant(baltyk):
        modes = {m.serial_number: (m.reading_mode, m.radio_id)
                 for m in db.session.scalars(select(Meter))}
    assert modes == {"ZW-2231457": (TYPED, None), "CW-8812003": (REMOTE, "R-8812003"),
                     "PK-0045121": (REMOTE, "R-0045121")}
    try:
        for name in ("a", "b"):
            switched = run_cli(app, "tenants", "update", "baltyk",
                               f"remote_readings={_toml(_mapping(name))}")
            assert switched.exit_code == 0, switched.output
            first = _import(app, name)
            assert first.exit_code == 0, first.output
            assert "imported 6 rows — added 6" in first.output, first.output
            assert "rows left out 0" in first.output, first.output
            again = _import(app, name)
            assert again.exit_code == 0, again.output
            assert "added 0, changed 0, unchanged 6" in again.output, again.output
    finally:
        with as_platform():
            tenant_services.sync_dir(ROOT / "tenants")
    with in_tenant(baltyk):
        stored = {(serial, at, value) for serial, at, value in db.session.execute(
            select(Meter.serial_number, RemoteReading.read_at, RemoteReading.value)
            .join(Meter, Meter.id == RemoteReading.meter_id))}
    assert len(stored) == 12
    # a: 01.11.2026 00:05 in Warsaw (CET); b: litres into m³, allocator units as they are
    assert ("CW-8812003", datetime(2026, 10, 31, 23, 5, tzinfo=UTC), Decimal("21.343")) in stored
    assert ("CW-8812003", datetime(2026, 11, 3, 23, 5, tzinfo=UTC), Decimal("21.589")) in stored
    assert ("PK-0045121", datetime(2026, 11, 3, 23, 5, tzinfo=UTC), Decimal("111")) in stored
