"""Bulk delivery of documents (issue 34) against a plain loop storing the same PDFs, in one run.

    .venv/bin/python bench/deliver_documents.py [--units 10000] [--kb 0]

Makes a fresh database (dropped at the end) with both reference cooperatives; Zielone Wzgórza
gets ``--units`` units (100 a building), each held by one resident (every other one has
consented to electronic delivery), and a ZIP with one distinct one-page PDF a unit (padded to
``--kb`` KB each if asked) and its ``manifest.csv``. Then, side by side:

* **floor** — the same PDFs read from the same ZIP one by one and kept by a plain loop: the
  file store's ``files.store`` and one INSERT of the document's row each (kind *other*, so it
  does not clash with the delivery), one transaction; no manifest, no checks, no recipients,
  no e-mails: what storing them cannot go below;
* **delivery** — ``run_import("documents", …)`` as ``iok documents deliver`` runs it: the ZIP
  checked, every manifest row checked (unit, kind, dates, the PDF's content: no script), each
  PDF delivered (the file store, the document, a recipient row a person, the e-mail to those
  who consented, queued in batches), the audit entry, one transaction; the app's role with
  row-level security;
* the same ZIP again (each PDF already delivered: nothing new).

Reports seconds, PDFs per second, the ratio floor/delivery, and the memory of this process:
its resident size as the delivery went (after the first 1 000 PDFs and at the end) and its
peak (``ru_maxrss``) — the ZIP is read one PDF at a time, so memory should stay flat in the
PDFs.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Database  # noqa: E402

SLUG = "zielone-wzgorza"
PER_BUILDING = 100
TODAY = date(2026, 12, 7)


def pdf(number: int, pad_kb: int = 0) -> bytes:
    """A small valid one-page PDF saying ``Dokument <number>`` (distinct for each number),
    written by hand (pypdf would take longer to make 10 000 than to check them); ``pad_kb``
    KB of an uncompressed stream make it larger."""
    text = f"BT /F1 14 Tf 72 760 Td (Rozliczenie - dokument {number:06d}) Tj ET".encode()
    padding = os.urandom(pad_kb * 512).hex().encode()  # no "/JS" in it by chance
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(padding), padding),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (index, body))
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, start))
    return out.getvalue()


def make_estate(database: Database, units: int) -> int:
    """``units`` units of Zielone Wzgórza, each held by one resident, every other one
    consenting to electronic delivery; the cooperative's id."""
    from sqlalchemy import insert, select

    from iok_saas.auth.models import User
    from iok_saas.db import db, utcnow
    from iok_saas.delivery.models import DeliveryConsent
    from iok_saas.estate.models import Building, Unit, UnitTitle
    from iok_saas.tenancy import services, tenant_context

    app = database.app()
    with app.app_context():
        tenant_id = services.get_tenant(SLUG).id
        with tenant_context(tenant_id):
            buildings = (units + PER_BUILDING - 1) // PER_BUILDING
            db.session.execute(insert(Building), [
                {"street": "ul. Doręczeń", "number": str(b + 1), "postal_code": "62-095",
                 "city": "Murowana Goślina", "external_id": f"BUD-{b:03d}"}
                for b in range(buildings)])
            building_ids = db.session.scalars(select(Building.id).order_by(Building.id)).all()
            db.session.execute(insert(Unit), [
                {"building_id": building_ids[n // PER_BUILDING],
                 "number": str(n % PER_BUILDING + 1), "external_id": _unit(n)}
                for n in range(units)])
            db.session.execute(insert(User), [
                {"identifier": f"ZW-{n:06d}", "first_name": "Osoba", "last_name": f"Nr {n}",
                 "email": f"osoba{n}@example.org", "password_hash": "!"}
                for n in range(units)])
            unit_ids = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
            user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
            db.session.execute(insert(UnitTitle), [
                {"unit_id": unit_id, "user_id": user_id}
                for unit_id, user_id in zip(unit_ids, user_ids, strict=True)])
            db.session.execute(insert(DeliveryConsent), [
                {"user_id": user_id, "given": True, "on": TODAY, "at": utcnow(),
                 "way": "resident", "rules_sha256": "0" * 64}
                for user_id in user_ids[::2]])
            db.session.commit()
        db.session.remove()
    return tenant_id


def _unit(n: int) -> str:
    return f"LOK-{n // PER_BUILDING:03d}-{n % PER_BUILDING + 1:03d}"


def make_zip(folder: Path, units: int, pad_kb: int) -> Path:
    """The ZIP: ``manifest.csv`` and a PDF a unit, in a folder."""
    path = folder / "doreczenia.zip"
    manifest = ["lokal;rodzaj;tytul;plik;data_obowiazywania;osoba;ksef"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(units):
            name = f"rozliczenia/{_unit(n)}.pdf"
            archive.writestr(name, pdf(n, pad_kb))
            manifest.append(f"{_unit(n)};rozliczenie;Rozliczenie kosztów wody za 2026 r.;"
                            f"{name};2026-12-31;;")
        archive.writestr("manifest.csv", ("\r\n".join(manifest) + "\r\n").encode())
    return path


def floor(path: Path) -> float:
    """Seconds a plain loop takes to keep the same PDFs: ``files.store`` and one INSERT of
    the document's row each, read from the same ZIP, one transaction."""
    import hashlib

    from sqlalchemy import insert, select

    from iok_saas import files
    from iok_saas.db import db, utcnow
    from iok_saas.delivery.models import UnitDocument
    from iok_saas.estate.models import Unit

    units = dict(db.session.execute(select(Unit.external_id, Unit.id)).all())
    document = insert(UnitDocument)
    started = time.perf_counter()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".pdf"):
                continue
            data = archive.read(info)
            name = info.filename.rsplit("/", 1)[1]
            stored = files.store(data, filename=name, content_type="application/pdf",
                                 purpose="unit_document")
            db.session.flush()
            db.session.execute(document, {  # one compiled statement for every row
                "unit_id": units[name[:-4]], "kind": "other", "title": "Rozliczenie",
                "file_id": stored.id, "filename": name, "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "address": "ul. Doręczeń",
                "made_available_at": utcnow(), "actor": "bench"})
            db.session.expunge(stored)
    db.session.commit()
    return time.perf_counter() - started


def rss_mb() -> float:
    """This process's resident size now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 ** 2


@dataclass
class Delivery:
    """One measurement."""

    units: int
    zip_mb: float
    floor_seconds: float
    delivery_seconds: float
    again_seconds: float
    rss_start: float
    rss_at_1000: float
    rss_end: float
    peak_mb: float
    rss: list[tuple[int, float]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The delivery's PDFs per second as a share of the floor's."""
        return self.floor_seconds / self.delivery_seconds


def measure(units: int, pad_kb: int) -> Delivery:
    """Deliver a PDF to each of ``units`` units, and keep the same PDFs by the floor's loop,
    on a fresh database."""
    with Database(REDIS_URL="redis://127.0.0.1:6379/12") as database, \
            tempfile.TemporaryDirectory() as folder:
        tenant_id = make_estate(database, units)
        path = make_zip(Path(folder), units, pad_kb)
        zip_mb = path.stat().st_size / 1024 ** 2
        print(f"{units:,} units and PDFs, a {zip_mb:.1f} MB ZIP", flush=True)
        from iok_saas.delivery import bulk
        from iok_saas.imports import run_import
        from iok_saas.tenancy import tenant_context

        bulk.local_today = lambda: TODAY  # the settlements' date as the example's
        with database.app().app_context(), tenant_context(tenant_id):
            floor_seconds = floor(path)
            print(f"floor: {floor_seconds:.1f} s", flush=True)
            samples: list[tuple[int, float]] = []

            def progress(done: int, total: int) -> None:
                if done % 1000 == 0 and total > 1:  # (1, 1): the end
                    samples.append((done, rss_mb()))

            rss_start = rss_mb()
            started = time.perf_counter()
            first = run_import("documents", path, actor="bench", progress=progress)
            delivery_seconds = time.perf_counter() - started
            assert first.ok and first.added == units, (first.added, first.lines()[:5])
            rss_end = rss_mb()
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            again = run_import("documents", path, actor="bench")
            again_seconds = time.perf_counter() - started
            assert again.ok and again.added == 0 and again.changed == units, again.lines()[:5]
    at_1000 = next((mb for done, mb in samples if done >= 1000), rss_end)
    return Delivery(units, zip_mb, floor_seconds, delivery_seconds, again_seconds, rss_start,
                    at_1000, rss_end, peak_mb, samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--kb", type=int, default=0, help="pad each PDF to about this many KB")
    args = parser.parse_args()
    result = measure(args.units, args.kb)
    print(f"{'':34}{'seconds':>10}{'PDFs/s':>10}")
    for label, seconds in (("floor (files.store + INSERT)", result.floor_seconds),
                           ("iok documents deliver", result.delivery_seconds),
                           ("the same ZIP again", result.again_seconds)):
        print(f"{label:34}{seconds:>10.1f}{result.units / seconds:>10,.0f}")
    print(f"ratio floor/delivery: {result.ratio:.2f}; resident memory: {result.rss_start:.0f} MB "
          f"before, {result.rss_at_1000:.0f} MB after 1 000 PDFs, {result.rss_end:.0f} MB after "
          f"{result.units:,}; peak of the process {result.peak_mb:.0f} MB")
    print("memory as the delivery went: " + ", ".join(
        f"{done:,}: {mb:.0f} MB" for done, mb in result.rss))


if __name__ == "__main__":
    main()
