"""Tenancy is enforced in one place: every pitfall DESIGN.md names, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, update

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.tenancy import (
    ALL_TENANTS,
    TenantContextMissing,
    TenantMismatch,
    UnscopedStatement,
    tenant_context,
)
from tests.factories import make_household
from tests.helpers import across_cooperatives


@pytest.fixture
def two(zw, baltyk):
    """A household in each reference cooperative."""
    return make_household(zw), make_household(baltyk)


def test_query_of_tenant_rows_without_tenant_raises(two):
    with pytest.raises(TenantContextMissing):
        db.session.scalars(select(User)).all()


def test_platform_tables_need_no_tenant(two):
    from iok_saas.tenancy.models import Tenant

    assert db.session.scalar(select(func.count()).select_from(Tenant)) >= 2


def test_select_sees_only_the_current_cooperative(two, zw):
    zw_home, _ = two
    with tenant_context(zw.id):
        ids = set(db.session.scalars(select(User.id)))
        units = set(db.session.scalars(select(Unit.id).join(Building)))
    assert ids == {zw_home.user_id}
    assert units == set(zw_home.unit_ids)


def test_get_of_another_cooperatives_id_is_none(two, zw):
    _, baltyk_home = two
    with tenant_context(zw.id):
        assert db.session.get(User, baltyk_home.user_id) is None


def test_identity_map_does_not_leak_to_another_cooperative(two, zw, baltyk):
    zw_home, _ = two
    with tenant_context(zw.id):
        cached = db.session.get(User, zw_home.user_id)
        assert cached is not None
    with tenant_context(baltyk.id):
        # The object sits in the identity map; get must not hand it over ...
        with pytest.raises(TenantMismatch):
            db.session.get(User, zw_home.user_id)
        # ... and the session refuses to run SQL for a second cooperative.
        with pytest.raises(TenantMismatch):
            db.session.scalars(select(User)).all()


def test_get_without_tenant_raises_even_from_identity_map(two, zw):
    zw_home, _ = two
    with tenant_context(zw.id):
        db.session.get(User, zw_home.user_id)
    with pytest.raises(TenantContextMissing):
        db.session.get(User, zw_home.user_id)


def test_lazy_load_is_scoped_and_fails_closed(two, zw):
    zw_home, _ = two
    with tenant_context(zw.id):
        building = db.session.get(Building, zw_home.building_id)
        assert {u.id for u in building.units} == set(zw_home.unit_ids)
        db.session.expire(building)
    with pytest.raises(TenantContextMissing):
        _ = building.units


def test_bulk_update_touches_only_the_current_cooperative(two, zw, baltyk):
    _, baltyk_home = two
    with tenant_context(zw.id):
        result = db.session.execute(update(User).values(first_name="Zmieniona"))
        db.session.commit()
    assert result.rowcount == 1
    db.session.remove()
    with tenant_context(baltyk.id):
        assert db.session.get(User, baltyk_home.user_id).first_name == "Testowa"


def test_bulk_delete_touches_only_the_current_cooperative(two, zw, baltyk):
    with tenant_context(zw.id):
        db.session.execute(delete(UnitTitle))
        db.session.execute(delete(User))
        db.session.commit()
    db.session.remove()
    with tenant_context(baltyk.id):
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).select_from(UnitTitle)) == 2


def test_orm_insert_is_stamped_with_the_current_cooperative(zw):
    with tenant_context(zw.id):
        db.session.execute(insert(Building).values(
            street="ul. Wstawiona", number="1", postal_code="00-001", city="X", estate=""))
        db.session.execute(insert(Building), [
            {"street": "ul. Lista", "number": str(i), "postal_code": "00-001", "city": "X",
             "estate": ""} for i in range(2)])
        db.session.commit()
        tenants = {row[0] for row in across_cooperatives(select(Building.tenant_id))}
    assert tenants == {zw.id}


def test_orm_insert_for_another_cooperative_is_refused(zw, baltyk):
    with tenant_context(zw.id), pytest.raises(TenantMismatch):
        db.session.execute(insert(Building).values(
            tenant_id=baltyk.id, street="ul. Obca", number="1", postal_code="00-001",
            city="X", estate=""))
    db.session.rollback()
    with tenant_context(zw.id), pytest.raises(TenantMismatch):
        db.session.execute(insert(Building), [{
            "tenant_id": baltyk.id, "street": "ul. Obca", "number": "2",
            "postal_code": "00-001", "city": "X", "estate": ""}])


def test_flush_stamps_new_objects(zw):
    with tenant_context(zw.id):
        building = Building(street="ul. Nowa", number="1", postal_code="00-001", city="X")
        db.session.add(building)
        db.session.flush()
        assert building.tenant_id == zw.id


def test_flush_refuses_object_of_another_cooperative(zw, baltyk):
    with tenant_context(zw.id), pytest.raises(TenantMismatch):
        db.session.add(Building(tenant_id=baltyk.id, street="ul. Obca", number="1",
                                postal_code="00-001", city="X"))
        db.session.flush()


def test_flush_refuses_moving_a_row_to_another_cooperative(two, zw, baltyk):
    zw_home, _ = two
    with tenant_context(zw.id):
        user = db.session.get(User, zw_home.user_id)
        user.tenant_id = baltyk.id
        with pytest.raises(TenantMismatch):
            db.session.flush()


def test_flush_without_tenant_raises(ctx):
    db.session.add(Building(street="ul. Bez", number="1", postal_code="00-001", city="X"))
    with pytest.raises(TenantContextMissing):
        db.session.flush()


def test_all_tenants_option_is_the_one_way_around(two):
    assert across_cooperatives(select(func.count()).select_from(User)) == [(2,)]


def test_all_tenants_option_is_refused_to_the_app_role(two, zw):
    stmt = select(func.count()).select_from(User).execution_options(**{ALL_TENANTS: True})
    with pytest.raises(TenantContextMissing, match="platform role"):
        db.session.scalar(stmt)
    with tenant_context(zw.id), pytest.raises(TenantContextMissing, match="platform role"):
        db.session.scalar(stmt)


def test_all_tenants_option_does_not_leak_into_the_next_statement(two, zw):
    with tenant_context(zw.id):
        stmt = select(func.count()).select_from(User)
        assert across_cooperatives(stmt) == [(2,)]
        assert db.session.scalar(stmt) == 1


def test_count_with_select_from_is_scoped_and_fails_closed(two, zw):
    stmt = select(func.count()).select_from(User)
    with pytest.raises(TenantContextMissing):
        db.session.scalar(stmt)
    with tenant_context(zw.id):
        assert db.session.scalar(stmt) == 1


def test_subquery_is_scoped_and_fails_closed(two, zw):
    stmt = select(func.count()).select_from(select(User.id).subquery())
    with pytest.raises(TenantContextMissing):
        db.session.scalar(stmt)
    with tenant_context(zw.id):
        assert db.session.scalar(stmt) == 1


def test_core_table_select_without_tenant_fails_closed(two):
    with pytest.raises(TenantContextMissing):
        db.session.execute(select(User.__table__)).all()


def test_foreign_key_cannot_point_into_another_cooperative(two, zw):
    from sqlalchemy.exc import IntegrityError

    zw_home, baltyk_home = two
    with tenant_context(zw.id):
        db.session.add(UnitTitle(unit_id=baltyk_home.unit_ids[0], user_id=zw_home.user_id))
        with pytest.raises(IntegrityError, match="fk_unit_title_tenant_id_unit"):
            db.session.flush()


@pytest.mark.parametrize("shape", ["implicit_where", "core_exists", "core_join"])
def test_statements_the_filter_cannot_cover_are_refused(two, zw, shape):
    from sqlalchemy import exists

    statements = {
        "implicit_where": select(func.count()).where(User.role == "resident"),
        "core_exists": select(exists().where(User.id == two[1].user_id)),
        "core_join": select(User.id).select_from(User.__table__.join(
            UnitTitle.__table__, User.__table__.c.id == UnitTitle.__table__.c.user_id)),
    }
    with tenant_context(zw.id), pytest.raises(UnscopedStatement, match="outside the tenant"):
        db.session.execute(statements[shape])


def test_covered_shapes_still_run(two, zw):
    with tenant_context(zw.id):
        assert db.session.scalar(select(func.count(User.id)).where(User.role == "resident")) == 1
        assert db.session.scalar(select(select(User.id).where(
            User.id == two[1].user_id).exists())) is False


def test_update_cannot_move_rows_to_another_cooperative(two, zw, baltyk):
    with tenant_context(zw.id), pytest.raises(TenantMismatch, match="tenant_id cannot"):
        db.session.execute(update(User).values(tenant_id=baltyk.id))


def test_bulk_update_by_primary_key_is_refused(two, zw):
    _, baltyk_home = two
    with tenant_context(zw.id), pytest.raises(UnscopedStatement, match="by primary key"):
        db.session.execute(update(User), [{"id": baltyk_home.user_id, "first_name": "X"}])


def _correlated(shape: str):
    """Statements with a nested select that ``.correlate()``s a table: covered only where a
    select around it reads that table as an entity of its own."""
    from sqlalchemy import literal, union_all

    titles = select(UnitTitle.id).where(UnitTitle.unit_id == Unit.id).correlate(Unit)
    return {
        # the unit's titles, counted beside each unit: Unit is read (and filtered) around it
        "beside_its_table": select(Unit.id, select(func.count(UnitTitle.id)).where(
            UnitTitle.unit_id == Unit.id).correlate(Unit).scalar_subquery()),
        "exists_with_its_table": select(Unit.id).where(titles.exists()),
        # no select around reads Unit: SQL would read it unfiltered inside
        "exists_without_its_table": select(Building.id).where(select(literal(1)).where(
            Unit.number == "1").correlate(Unit).exists()),
        "union_member": union_all(select(Building.id).where(Unit.number == "1").correlate(Unit),
                                  select(Building.id)),
        # a select in FROM is not correlated by SQL, whatever it asks
        "in_from": select(Unit.id, titles.subquery().c.id),
    }[shape]


@pytest.mark.parametrize(("shape", "refused"), [
    ("beside_its_table", set()), ("exists_with_its_table", set()),
    ("exists_without_its_table", {"unit"}), ("union_member", {"unit"}), ("in_from", {"unit"}),
])
def test_a_correlated_table_counts_as_filtered_only_inside_a_select_that_reads_it(
        ctx, shape, refused):
    from iok_saas.tenancy.scoping import unfiltered_tables

    assert unfiltered_tables(_correlated(shape)) == refused
