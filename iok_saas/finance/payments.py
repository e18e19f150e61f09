"""Payment details for a unit's account: NRB, title, amount, and the bank QR code.

The QR code follows the Polish banks' association recommendation "Standard 2D" (ZBP, 2013):
``NIP|PL|NRB|KWOTA|NAZWA|TYTUŁ|||`` — recipient's NIP (may be empty), country code, the 26-digit
account number, the amount in grosze as 6 digits, the recipient's name (≤ 20 characters), the
transfer title (≤ 32 characters), then three reserved fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import segno
from stdnum import iban

from iok_saas.estate.services import UnitRow
from iok_saas.tenancy.info import TenantInfo

if TYPE_CHECKING:
    from iok_saas.finance.services import AccountLine

MAX_GROSZE = 999_999  # six digits: larger amounts are left for the resident to type


def nrb_is_valid(nrb: str | None) -> bool:
    """A Polish account number (26 digits) with a correct IBAN checksum."""
    digits = (nrb or "").replace(" ", "")
    return len(digits) == 26 and digits.isdigit() and iban.is_valid("PL" + digits)


@dataclass(frozen=True)
class PaymentDetails:
    """What a transfer for this account needs."""

    recipient: str
    nrb: str
    title: str
    amount: Decimal  # 0 when nothing is due
    nip: str = ""

    def qr_payload(self) -> str:
        """The Standard 2D text encoded in the QR code."""
        grosze = int(self.amount * 100) if 0 < self.amount * 100 <= MAX_GROSZE else 0
        fields = [self.nip, "PL", self.nrb, f"{grosze:06d}", _clean(self.recipient)[:20],
                  _clean(self.title)[:32], "", "", ""]
        return "|".join(fields)

    def qr_code(self) -> segno.QRCode:
        """The QR code (error correction M, as banking apps expect)."""
        return segno.make(self.qr_payload(), error="m", encoding="utf-8", micro=False)


def _clean(text: str) -> str:
    """No field separators or line breaks inside a field."""
    return " ".join(text.replace("|", " ").split())


def details_for(tenant: TenantInfo, unit: UnitRow, account: AccountLine, due: Decimal
                ) -> PaymentDetails | None:
    """The payment details of a unit's account with a valid NRB, else None."""
    if not nrb_is_valid(account.nrb):
        return None
    title = f"Lokal {unit.street} {unit.building_number}/{unit.number}"
    return PaymentDetails(recipient=tenant.short_name, nrb=account.nrb or "", title=title,
                          amount=max(due, Decimal("0")))
