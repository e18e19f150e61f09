"""Makes the example of a bulk delivery of documents: the PDFs, ``manifest.csv`` and the ZIP.

    .venv/bin/python docs/examples/doreczenia/make_example.py

Four one-page letters of SM „Zielone Wzgórza” to the demo's units (``iok demo``: LOK-001-001
and LOK-002-003 are Anna Kowalska's, LOK-001-004 Jan Nowak's): two water settlements and two
notices of a change of fees from 1 July 2027 (lawful when delivered by 31 March 2027). The
manifest is UTF-8 with a byte-order mark, as Excel saves "CSV UTF-8". The ZIP
(``docs/examples/doreczenia-przyklad.zip``) holds ``manifest.csv`` in its main folder and the
PDFs in two folders, its entries dated alike so that the same PDFs make the same ZIP.
Delivered so: ``iok documents deliver zielone-wzgorza docs/examples/doreczenia-przyklad.zip``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ZIP = HERE.parent / "doreczenia-przyklad.zip"
COOPERATIVE = "Spółdzielnia Mieszkaniowa „Zielone Wzgórza” w Murowanej Goślinie"
ADDRESSES = {"LOK-001-001": "os. Zielone Wzgórza 5 m. 1, 62-095 Murowana Goślina",
             "LOK-001-004": "os. Zielone Wzgórza 5 m. 4, 62-095 Murowana Goślina",
             "LOK-002-003": "os. Zielone Wzgórza 7 m. 3, 62-095 Murowana Goślina"}
SETTLEMENT = "Rozliczenie kosztów zużycia wody i odprowadzania ścieków za 2026 r."
FEES = "Zawiadomienie o zmianie wysokości opłat od 1 lipca 2027 r."
# (unit, kind word, title, file, effective date, the letter's own lines)
ROWS = (
    ("LOK-001-001", "rozliczenie", SETTLEMENT, "rozliczenia/LOK-001-001-woda-2026.pdf",
     "2026-12-31", ("Zaliczki wpłacone w 2026 r.: 1 032,00 zł.",
                    "Koszt zużycia (41,3 m³ wody): 987,45 zł.",
                    "Nadpłata 44,55 zł zostanie zaliczona na poczet opłat za styczeń 2027 r.")),
    ("LOK-001-004", "rozliczenie", SETTLEMENT, "rozliczenia/LOK-001-004-woda-2026.pdf",
     "2026-12-31", ("Zaliczki wpłacone w 2026 r.: 864,00 zł.",
                    "Koszt zużycia (38,9 m³ wody): 930,11 zł.",
                    "Niedopłatę 66,11 zł prosimy wpłacić do 31 stycznia 2027 r.")),
    ("LOK-001-001", "zmiana opłat", FEES, "zawiadomienia/LOK-001-001-oplaty-2027-07.pdf",
     "2027-07-01", ("Eksploatacja: 2,95 zł/m² (dotychczas 2,71 zł/m²).",
                    "Fundusz remontowy: 1,80 zł/m² (bez zmian).",
                    "Nowa opłata miesięczna za lokal: 412,37 zł (dotychczas 398,45 zł).")),
    ("LOK-002-003", "zmiana opłat", FEES, "zawiadomienia/LOK-002-003-oplaty-2027-07.pdf",
     "2027-07-01", ("Eksploatacja: 2,95 zł/m² (dotychczas 2,71 zł/m²).",
                    "Fundusz remontowy: 1,80 zł/m² (bez zmian).",
                    "Nowa opłata miesięczna za lokal: 356,20 zł (dotychczas 344,06 zł).")),
)
BASIS = {"rozliczenie": "Rozliczenia dokonano zgodnie z Regulaminem rozliczania kosztów "
                        "dostawy wody i odprowadzania ścieków.",
         "zmiana opłat": "Na podstawie art. 4 ust. 7 ustawy o spółdzielniach mieszkaniowych "
                         "zawiadamiamy o zmianie wysokości opłat za lokal, uchwalonej przez "
                         "Radę Nadzorczą (uchwała nr 12/2026)."}


def letter(unit: str, kind: str, title: str, lines: tuple[str, ...]) -> bytes:
    """One page on the cooperative's letterhead (WeasyPrint, as the demo's documents)."""
    from weasyprint import HTML

    items = "".join(f"<li>{line}</li>" for line in lines)
    html = (f"<html lang='pl'><body style='font-family: sans-serif; font-size: 11pt'>"
            f"<p><strong>{COOPERATIVE}</strong></p>"
            f"<p style='text-align: right'>Murowana Goślina, 7 grudnia 2026 r.</p>"
            f"<p>Lokal: {ADDRESSES[unit]}<br>Numer lokalu w systemie: {unit}</p>"
            f"<h1 style='font-size: 14pt'>{title}</h1><p>{BASIS[kind]}</p><ul>{items}</ul>"
            f"<p>Pytania prosimy kierować do biura Spółdzielni.</p></body></html>")
    return HTML(string=html).write_pdf()


def main() -> None:
    manifest = ["lokal;rodzaj;tytul;plik;data_obowiazywania;osoba;ksef"]
    for unit, kind, title, name, effective, lines in ROWS:
        path = HERE / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(letter(unit, kind, title, lines))
        manifest.append(f"{unit};{kind};{title};{name};{effective};;")
    (HERE / "manifest.csv").write_bytes("\ufeff".encode() + "\r\n".join(manifest).encode()
                                        + b"\r\n")
    with zipfile.ZipFile(ZIP, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("manifest.csv", *(row[3] for row in ROWS)):
            entry = zipfile.ZipInfo(name, date_time=(2026, 12, 7, 12, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (HERE / name).read_bytes())
    print(f"{ZIP.relative_to(HERE.parent.parent.parent)}: {ZIP.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
