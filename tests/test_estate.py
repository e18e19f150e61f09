"""A resident's places (units with their titles, buildings, estates) come from one query in
``estate``; every capability asks it, none reads titles by hand (issue 30, item 4)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db
from iok_saas.estate import services as estate
from iok_saas.estate.models import Building, Unit, UnitTitle
from tests.factories import make_household
from tests.helpers import ROOT, in_tenant

# Modules outside iok_saas/estate/ that may name UnitTitle, and why: none of them reads a
# person's places.
MAY_NAME_TITLES = {
    "iok_saas/models.py": "the list of every model (migrations)",
    "iok_saas/auth/models.py": "the User.titles relationship",
    "iok_saas/imports/runner.py": "the titles import writes titles",
    "iok_saas/cli/demo.py": "the demo data writes titles",
}


def _person(last_name: str) -> User:
    return User(identifier=f"E{uuid.uuid4().hex[:7]}", role=RESIDENT, first_name="Estera",
                last_name=last_name, email=f"{uuid.uuid4().hex[:8]}@example.org",
                password_hash="-")


@pytest.fixture
def holders(zw, baltyk) -> dict[str, int]:
    """Anna holds three units in two buildings (titles given out of address order), one of
    them together with Bogdan, who also holds one elsewhere; a resident of Bałtyk too."""
    tag = uuid.uuid4().hex[:6]
    with in_tenant(zw):
        south = Building(street=f"ul. Akacjowa {tag}", number="1", postal_code="62-095",
                         city="Murowana Goślina", estate="Osiedle Południe")
        plain = Building(street=f"ul. Brzozowa {tag}", number="2", postal_code="62-095",
                         city="Murowana Goślina")
        other = Building(street=f"ul. Cisowa {tag}", number="3", postal_code="62-095",
                         city="Murowana Goślina", estate="Osiedle Północ")
        south.units = [Unit(number="1"), Unit(number="2")]
        plain.units = [Unit(number="7")]
        other.units = [Unit(number="5")]
        anna, bogdan = _person("Akacka"), _person("Brzozowski")
        db.session.add_all([south, plain, other, anna, bogdan])
        db.session.flush()
        db.session.add_all([
            UnitTitle(unit_id=plain.units[0].id, user_id=anna.id, kind="lease"),
            UnitTitle(unit_id=south.units[1].id, user_id=anna.id, kind="ownership"),
            UnitTitle(unit_id=south.units[0].id, user_id=anna.id,
                      kind="cooperative_ownership"),
            UnitTitle(unit_id=south.units[1].id, user_id=bogdan.id, kind="ownership"),
            UnitTitle(unit_id=other.units[0].id, user_id=bogdan.id, kind="lease"),
        ])
        db.session.flush()
        ids = {"anna": anna.id, "bogdan": bogdan.id, "south": south.id, "plain": plain.id,
               "other": other.id, "south_1": south.units[0].id, "south_2": south.units[1].id,
               "plain_7": plain.units[0].id, "other_5": other.units[0].id}
    ids["baltyk_unit"] = make_household(baltyk, units=1).unit_ids[0]
    return ids


def test_a_residents_places_are_their_units_titles_buildings_and_estates_in_address_order(
        zw, holders):
    from tests.test_request_cost import Statements

    with in_tenant(zw):
        with Statements() as sql:
            places = estate.places_of(holders["anna"])
            shown = ([(t.unit.id, t.kind, t.unit.address) for t in places.titles],
                     [b.id for b in places.buildings], places.estates)
        assert len([s for s in sql.sent if "set_config" not in s]) == 1
    titles, buildings, estates = shown
    assert [(unit, kind) for unit, kind, _address in titles] == [
        (holders["south_1"], "cooperative_ownership"), (holders["south_2"], "ownership"),
        (holders["plain_7"], "lease")]
    assert titles[0][2].startswith("ul. Akacjowa") and titles[0][2].endswith(
        " 1 m. 1, 62-095 Murowana Goślina")  # the unit's building came with it
    assert buildings == [holders["south"], holders["plain"]]
    assert estates == ["Osiedle Południe"]


def test_places_hold_nothing_of_another_resident_or_cooperative(zw, baltyk, holders):
    from iok_saas.db.rowsets import together

    with in_tenant(zw):
        anna = estate.places_of(holders["anna"])
        bogdan = estate.places_of(holders["bogdan"])
        assert anna.unit(holders["other_5"]) is None
        assert anna.unit(holders["baltyk_unit"]) is None
        assert anna.building(holders["other"]) is None
        assert anna.building(holders["south"]).id == holders["south"]
        assert [u.id for u in bogdan.units] == [holders["south_2"], holders["other_5"]]
        assert bogdan.estates == ["Osiedle Południe", "Osiedle Północ"]

        def held(unit_id: int) -> list[int]:
            rows = together({"": estate.unit_rows(holders["anna"], unit_id)})[""]
            return [unit.id for unit in estate.as_units(rows)]

        assert held(holders["other_5"]) == [] and held(holders["baltyk_unit"]) == []
        assert held(holders["south_2"]) == [holders["south_2"]]
        nobody = estate.places_of(max(holders.values()) + 1000)
        assert nobody.titles == () and nobody.units == [] and nobody.estates == []
    with in_tenant(baltyk):  # Anna's id means nothing here
        assert estate.places_of(holders["anna"]).titles == ()


def test_places_of_many_people_come_in_one_query(zw, holders):
    from tests.test_request_cost import Statements

    with in_tenant(zw):
        with Statements() as sql:
            each = estate.places_of_each([holders["anna"], holders["bogdan"], 10 ** 9])
            units = {person: [u.id for u in places.units] for person, places in each.items()}
        assert len([s for s in sql.sent if "set_config" not in s]) == 1
    assert units == {holders["anna"]: [holders["south_1"], holders["south_2"],
                                       holders["plain_7"]],
                     holders["bogdan"]: [holders["south_2"], holders["other_5"]]}


def test_unit_and_building_ids_go_inside_a_capabilitys_own_statement(zw, holders):
    with in_tenant(zw):
        units = set(db.session.scalars(select(Unit.id).where(
            Unit.id.in_(estate.unit_ids_of(holders["bogdan"])))))
        buildings = set(db.session.scalars(select(Building.id).where(
            Building.id.in_(estate.building_ids_of(holders["bogdan"])))))
    assert units == {holders["south_2"], holders["other_5"]}
    assert buildings == {holders["south"], holders["other"]}


def test_holdings_tell_who_holds_units_of_a_building_or_an_estate(zw, baltyk, holders):
    from tests.test_request_cost import Statements

    with in_tenant(zw):
        held = estate.holdings()
        with Statements() as sql:
            in_south = set(db.session.scalars(select(held.c.user_id).where(
                held.c.building_id == holders["south"])))
        # The tenant filter reaches inside the subquery (SQLite has no second wall).
        assert all(f"{table}.tenant_id = " in sql.sent[-1]
                   for table in ("unit_title", "unit", "building"))
        in_north = set(db.session.scalars(select(held.c.user_id).where(
            held.c.estate == "Osiedle Północ")))
        of_unit = set(db.session.execute(select(held.c.user_id, held.c.unit_id).where(
            held.c.unit_id == holders["south_2"])).all())
    assert in_south == {holders["anna"], holders["bogdan"]}
    assert in_north == {holders["bogdan"]}
    assert of_unit == {(holders["anna"], holders["south_2"]),
                       (holders["bogdan"], holders["south_2"])}
    with in_tenant(baltyk):
        held = estate.holdings()
        assert not set(db.session.scalars(select(held.c.user_id).where(
            held.c.building_id == holders["south"])))


def test_no_capability_reads_titles_by_hand():
    """Every module outside ``estate`` asks it for a person's places or a unit's holders;
    only the writers of titles and the model lists name the model."""
    package = ROOT / "iok_saas"
    naming = {
        str(path.relative_to(ROOT)) for path in package.rglob("*.py")
        if not path.is_relative_to(package / "estate")
        and re.search(r"\bUnitTitle\b|\bunit_title\b", path.read_text(encoding="utf-8"))}
    assert naming <= set(MAY_NAME_TITLES), sorted(naming - set(MAY_NAME_TITLES))


def test_the_list_of_modules_naming_titles_is_not_stale():
    for module in MAY_NAME_TITLES:
        assert "UnitTitle" in (ROOT / module).read_text(encoding="utf-8"), module
