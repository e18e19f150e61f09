"""The demo's members' library: a statute with an older version, a regulation, a resolution —
real PDFs (WeasyPrint), published as staff would, so their checks run too."""

from __future__ import annotations

import io
from datetime import date, timedelta
from functools import cache

from iok_saas.auth.models import User
from iok_saas.db import utcnow
from iok_saas.documents import services
from iok_saas.tenancy.info import TenantInfo


@cache
def _pdf(title: str, cooperative: str, text: str) -> bytes:
    """One page: the cooperative, the title, a paragraph (made once per process)."""
    from weasyprint import HTML  # only the demo's setup makes these (web workers need not)

    html = (f"<html lang='pl'><body style='font-family: sans-serif'><p>{cooperative}</p>"
            f"<h1>{title}</h1><p>{text}</p></body></html>")
    return HTML(string=html).write_pdf()


def publish_demo_documents(info: TenantInfo, clerk: User) -> None:
    """Three documents; the statute has two versions, the first one replaced."""
    name = info.settings.name

    def upload(title: str, text: str) -> services.Upload:
        return services.Upload(f"{title.lower().replace(' ', '-')[:60]}.pdf",
                               io.BytesIO(_pdf(title, name, text)))

    statute = services.publish(
        services.Draft("Statut", f"Statut {info.settings.short_name}", "", date(2019, 6, 15)),
        upload("Statut", "Tekst jednolity statutu uchwalony przez Walne Zgromadzenie w 2019 r."),
        clerk, info, "Tekst jednolity z 2019 r.")
    services.add_version(
        statute, upload("Statut", "Tekst jednolity statutu ze zmianami uchwalonymi przez Walne "
                                  "Zgromadzenie w czerwcu 2024 r."),
        clerk, info, "Zmiany uchwalone przez Walne Zgromadzenie 20.06.2024")
    statute.dated = date(2024, 6, 20)
    services.publish(
        services.Draft("Regulaminy", "Regulamin rozliczania kosztów ciepła i wody", "",
                       date(2023, 3, 1)),
        upload("Regulamin", "Zasady rozliczania kosztów dostawy ciepła i wody w lokalach."),
        clerk, info)
    services.publish(
        services.Draft("Uchwały rady nadzorczej", "Uchwała w sprawie wysokości opłat od 2027 r.",
                       "12/2026", date(2026, 9, 10)),
        upload("Uchwała 12/2026", "Rada Nadzorcza ustala wysokość opłat eksploatacyjnych od "
                                  "1 stycznia 2027 r."),
        clerk, info)
    # The older statute came long ago: nothing looks new but the resolution and the new statute.
    services.versions(statute.id)[-1].added_at = utcnow() - timedelta(days=400)
