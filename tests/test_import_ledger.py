"""Importing ledger entries: idempotent, all or nothing, every bad row reported in Polish."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from iok_saas.db import db
from iok_saas.finance.models import Account, LedgerEntry
from iok_saas.imports import parse_amount
from iok_saas.imports.models import ImportRun
from iok_saas.tenancy import tenant_context
from tests.factories import make_household
from tests.helpers import ROOT, in_tenant, run_cli

HEADER = "id_zewnetrzne;konto;data;termin;okres;dokument;skladnik;opis;naliczenie;wplata\n"


@pytest.fixture
def account(baltyk):
    """A Bałtyk unit with the fees account FK-1 (the example file's account)."""
    home = make_household(baltyk, units=1)
    with in_tenant(baltyk):
        db.session.add(Account(external_id="FK-1", unit_id=home.unit_ids[0],
                               name="Opłaty mieszkaniowe (czynsz)"))
    return home


def _file(tmp_path, body: str, encoding: str = "utf-8", name: str = "ksiegi.csv"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def _entries(tenant) -> list[tuple[str, Decimal, Decimal]]:
    with tenant_context(tenant.id):
        rows = db.session.execute(select(LedgerEntry.external_id, LedgerEntry.charge,
                                         LedgerEntry.payment).order_by(LedgerEntry.external_id))
        result = [tuple(r) for r in rows]
    db.session.remove()
    return result


@pytest.mark.parametrize(("raw", "value"), [
    ("1234,56", "1234.56"), ("1 234,56", "1234.56"), ("1\xa0234,56", "1234.56"),
    ("1234.56", "1234.56"), ("1.234,56", "1234.56"), ("", "0.00"), ("-20,00", "-20.00"),
])
def test_amounts_in_every_usual_notation(raw, value):
    assert parse_amount(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["12,345", "abc", "1,2,3", "99999999999,00"])
def test_impossible_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


def test_example_file_imports_and_a_second_run_changes_nothing(app, baltyk, account):
    example = str(ROOT / "docs/examples/ledger.csv")
    first = run_cli(app, "import", "ledger", "--tenant", "baltyk", example)
    assert first.exit_code == 0, first.output
    assert "added 3, changed 0, unchanged 0" in first.output
    second = run_cli(app, "import", "ledger", "--tenant", "baltyk", example)
    assert "added 0, changed 0, unchanged 3" in second.output
    assert _entries(baltyk)[-1] == ("W-2026-11-001", Decimal("0.00"), Decimal("1366.30"))


def test_a_corrected_row_replaces_the_old_one(app, baltyk, account, tmp_path):
    run_cli(app, "import", "ledger", "--tenant", "baltyk",
            str(_file(tmp_path, "N1;FK-1;2026-01-01;;2026-01;D1;woda;Woda;80,00;\n")))
    fixed = _file(tmp_path, "N1;FK-1;2026-01-01;;2026-01;D1;woda;Woda;85,50;\n", name="b.csv")
    result = run_cli(app, "import", "ledger", "--tenant", "baltyk", str(fixed))
    assert "added 0, changed 1" in result.output
    assert _entries(baltyk) == [("N1", Decimal("85.50"), Decimal("0.00"))]


def test_windows_1250_is_read(app, baltyk, account, tmp_path):
    path = _file(tmp_path, "N1;FK-1;2026-01-01;;2026-01;D1;wywóz śmieci;Opłata za śmieci;46,00;\n",
                 encoding="cp1250")
    assert run_cli(app, "import", "ledger", "--tenant", "baltyk", str(path)).exit_code == 0
    with tenant_context(baltyk.id):
        assert db.session.scalar(select(LedgerEntry.component)) == "wywóz śmieci"


def test_a_broken_file_imports_nothing_and_says_where(app, baltyk, account, tmp_path):
    body = ("N1;FK-1;2026-01-01;;2026-01;D1;woda;;80,00;\n"
            "N2;FK-9;2026-01-01;;2026-01;D1;woda;;80,00;\n"
            "N3;FK-1;2099-01-01;;2026-01;D1;woda;;80,00;\n"
            "N4;FK-1;2026-01-01;;styczeń;D1;woda;;8O,00;\n"
            "N5;FK-1;2026-01-01;;2026-01;D1;wpłata;;;-10,00\n"
            "N1;FK-1;2026-01-02;;2026-01;D1;woda;;1,00;\n")
    result = run_cli(app, "import", "ledger", "--tenant", "baltyk", str(_file(tmp_path, body)))
    assert result.exit_code == 1
    assert "nic nie zapisano" in result.output
    for expected in ("wiersz 3, kolumna konto: nie ma konta o identyfikatorze „FK-9”",
                     "wiersz 4, kolumna data: data jest późniejsza niż dzisiejsza",
                     "wiersz 5, kolumna naliczenie: to nie jest kwota",
                     "wiersz 5, kolumna okres", "wiersz 6, kolumna wplata: wpłata nie może",
                     "wiersz 7, kolumna id_zewnetrzne: ten identyfikator jest już wyżej"):
        assert expected in result.output
    assert _entries(baltyk) == []
    with tenant_context(baltyk.id):
        run = db.session.scalar(select(ImportRun))
        assert not run.ok and run.problem_count == 6 and run.added == 0


@pytest.mark.parametrize(("content", "message"), [
    (b"", "Plik jest pusty."),
    (HEADER.encode(), "Plik nie zawiera żadnych wierszy z danymi."),
    (b"kolumna;inna\n1;2\n", "Brakuje kolumn: id_zewnetrzne, konto, data"),
    (b"\x81\x81\x98\xff\xfe;;\n", "ani w Windows-1250"),
])
def test_unusable_files_get_one_clear_message(app, baltyk, account, tmp_path, content, message):
    path = tmp_path / "zly.csv"
    path.write_bytes(content)
    result = run_cli(app, "import", "ledger", "--tenant", "baltyk", str(path))
    assert result.exit_code == 1 and message in result.output


def test_dry_run_writes_nothing(app, baltyk, account):
    example = str(ROOT / "docs/examples/ledger.csv")
    result = run_cli(app, "import", "ledger", "--tenant", "baltyk", "--dry-run", example)
    assert "would import 3 rows" in result.output
    assert _entries(baltyk) == []


def test_accounts_of_another_cooperative_are_unknown(app, zw, baltyk, account):
    example = str(ROOT / "docs/examples/ledger.csv")
    result = run_cli(app, "import", "ledger", "--tenant", "zielone-wzgorza", example)
    assert result.exit_code == 1 and "nie ma konta o identyfikatorze „FK-1”" in result.output
    with tenant_context(baltyk.id):
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
