"""Each unit's settlement delivered to the unit with proof (issue 35 on issue 34): the import
queues the delivery; every line of the run gets its explanation as a PDF in *Moje dokumenty*
of the people holding the unit; a correction delivers only the lines it changed."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from iok_saas.db import db
from iok_saas.delivery.models import DocumentRecipient, UnitDocument
from iok_saas.imports.models import ImportRun
from iok_saas.settlements import delivery
from iok_saas.settlements.models import Settlement, SettlementLine
from tests.helpers import in_tenant
from tests.settlement_data import heating_rows, import_settlements, make_settled_estate


def _deliver_last_run(tenant) -> int:
    with in_tenant(tenant):
        run_id = db.session.scalar(select(ImportRun.id).order_by(ImportRun.id.desc()).limit(1))
        done = delivery.deliver_run(run_id)
        db.session.commit()
    return done


def _lines(tenant) -> dict[int, SimpleNamespace]:
    with in_tenant(tenant):
        return {line.unit_id: SimpleNamespace(document_id=line.document_id,
                                              delivered_at=line.delivered_at)
                for line in db.session.scalars(
                    select(SettlementLine).join(SettlementLine.settlement)
                    .where(Settlement.replaced_at.is_(None)))}


def test_the_import_delivers_each_units_explanation_once(zw, tmp_path):
    e = make_settled_estate(zw)
    assert import_settlements(zw, tmp_path, heating_rows(e)).ok
    assert _deliver_last_run(zw) == 3
    assert _deliver_last_run(zw) == 0  # run again: nothing twice
    lines = _lines(zw)
    with in_tenant(zw):
        documents = {d.id: d for d in db.session.scalars(select(UnitDocument))}
        assert {line.document_id for line in lines.values()} == set(documents)
        a = lines[e.unit_ids["A"]]
        document = documents[a.document_id]
        assert (document.kind, document.unit_id, document.title) == (
            "settlement", e.unit_ids["A"],
            "Rozliczenie kosztów centralnego ogrzewania za 2025")
        assert a.delivered_at == document.made_available_at
        recipients = db.session.scalars(select(DocumentRecipient.user_id).where(
            DocumentRecipient.document_id == document.id)).all()
        assert recipients == [e.user_id]
        from iok_saas import files

        assert files.read(document.file_id).startswith(b"%PDF")


def test_a_correction_delivers_only_the_lines_it_changed(zw, tmp_path):
    e = make_settled_estate(zw)
    assert import_settlements(zw, tmp_path, heating_rows(e)).ok
    _deliver_last_run(zw)
    before = _lines(zw)
    corrected = heating_rows(e, A={"zaliczki": "1180,00", "wynik": "-180,00",
                                   "zaliczki_miesieczne": ""})
    assert import_settlements(zw, tmp_path, corrected).ok
    assert _deliver_last_run(zw) == 1
    after = _lines(zw)
    assert after[e.unit_ids["B"]].document_id == before[e.unit_ids["B"]].document_id
    assert after[e.unit_ids["A"]].document_id != before[e.unit_ids["A"]].document_id
    with in_tenant(zw):
        title = db.session.scalar(select(UnitDocument.title).where(
            UnitDocument.id == after[e.unit_ids["A"]].document_id))
    assert title == "Korekta: Rozliczenie kosztów centralnego ogrzewania za 2025"


def test_without_delivery_the_settlements_are_only_shown(zw, tmp_path):
    from iok_saas.tenancy import services as tenant_services
    from tests.helpers import as_platform

    e = make_settled_estate(zw)
    assert import_settlements(zw, tmp_path, heating_rows(e)).ok
    with as_platform():
        tenant_services.update_tenant("zielone-wzgorza", ["settlements.deliver=false"])
    try:
        assert _deliver_last_run(zw) == 0
    finally:
        with as_platform():
            tenant_services.update_tenant("zielone-wzgorza", ["settlements.deliver=true"])
    assert all(line.document_id is None for line in _lines(zw).values())
