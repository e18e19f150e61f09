"""The demo's settlements (issue 35): both cooperatives have last year's heating and water
settlements of every unit, imported from the company's file in each cooperative's own format,
with surcharges and refunds, one building's heating corrected, the water settlements delivered
with proof and booked in the ledger — and the first demo resident sees a corrected refund and a
surcharge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.db import settlements as settlement_sql
from iok_saas.delivery.models import UnitDocument
from iok_saas.settlements import services
from iok_saas.settlements.models import Settlement, SettlementLine
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import WARSAW
from tests.helpers import as_platform, in_tenant

RESIDENTS = {"zielone-wzgorza": "ZW-000001", "baltyk": "B-000001"}


def test_the_demo_settles_2025_for_every_unit_with_a_correction(app, zw, baltyk):
    from iok_saas.cli.demo import reset_demo_data
    from iok_saas.cli.demo_settlements import demo_file

    with as_platform():
        reset_demo_data()
    with app.app_context():
        first = {slug: demo_file(slug).read_text(encoding="utf-8").splitlines()[:2]
                 for slug in RESIDENTS}
    assert first["zielone-wzgorza"][0].startswith("typ;budynek;medium")
    assert first["baltyk"][0].startswith("Rekord;Nr budynku;Rodzaj")
    assert first["baltyk"][1].startswith("B;BUD-001;CO")
    for tenant in (zw, baltyk):
        with in_tenant(tenant):
            current = db.session.scalars(select(Settlement).where(
                Settlement.replaced_at.is_(None))).all()
            assert {(s.medium, s.period_start, s.period_end) for s in current} == {
                ("heating", date(2024, 1, 1), date(2024, 12, 31)),
                ("heating", date(2025, 1, 1), date(2025, 12, 31)),
                ("cold_water", date(2025, 1, 1), date(2025, 12, 31))}
            assert len(current) == 9  # three buildings, two media, the heating a year before
            corrected = [s for s in current if s.version == 2]
            assert len(corrected) == 1 and corrected[0].medium == "heating"
            current = [s for s in current if s.period_end.year == 2025]
            lines = db.session.scalars(select(SettlementLine).where(
                SettlementLine.settlement_id.in_([s.id for s in current]))).all()
            assert len(lines) == 72
            assert {line.result > 0 for line in lines} == {True, False}  # both ways
            assert sum(1 for line in lines if line.corrects_id) == 2
            for settlement in current:  # to the grosz
                mine = [line for line in lines if line.settlement_id == settlement.id]
                assert sum(line.cost for line in mine) == settlement.cost
                assert all(line.cost - line.advances == line.result for line in mine)
            water = [line for line in lines if line.settlement.medium == "cold_water"]
            assert all(line.document_id for line in water)
            sample = water[0]
            document = db.session.get(UnitDocument, sample.document_id)
            assert document.made_available_at == sample.delivered_at
            assert sample.delivered_at.astimezone(WARSAW).date() in (date(2026, 3, 16),
                                                                     date(2026, 3, 20))
            booked = [line for line in water if line.result and settlement_sql.booked(
                db.session, tenant.id, line.unit_id, line.document_no)]
            assert len(booked) == sum(1 for line in water if line.result)

            resident = db.session.scalar(select(User).where(
                User.identifier == RESIDENTS[tenant.slug]))
            mine = services.lines_of(resident.id)
            heating = sorted((line for line in mine if line.settlement.medium == "heating"
                              and line.settlement.period_end.year == 2025),
                             key=lambda line: line.unit_id)
            assert [line.result < 0 for line in heating] == [True, False]
            assert heating[0].corrects_id is not None
            assert all(line.result != Decimal(0) for line in heating)
            rules = get_tenant_info(tenant.id).settings.settlements
            compared = services.explain(heating[0], rules)
            assert compared.previous is not None and compared.consumption_change is not None
