"""What a cooperative's file in ``tenants/`` may say, validated on load.

Errors name the file, the key and the reason, so an operator can fix the file at night
without reading code.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
NIST_MIN_LENGTH = 8
MAX_LOGO_BYTES = 100_000
FEATURES = (
    "online_application", "finance", "meters", "faults", "announcements", "contacts", "documents",
    "my_data", "correspondence", "delivery", "settlements", "general_meeting",
)


class TenantFileError(ValueError):
    """A cooperative's file is wrong: which file, which key, why."""

    def __init__(self, file: str, key: str, reason: str):
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not silently switch a feature off)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_slug(value: str) -> str:
    """A slug becomes a DNS label: lowercase letters, digits and inner hyphens, ≤ 63."""
    if not SLUG_RE.match(value):
        raise ValueError(
            "must be a DNS label: lowercase letters a-z, digits and hyphens, "
            "at most 63 characters, not starting or ending with a hyphen"
        )
    return value


def check_host(value: str) -> str:
    """A host name, lowercased, without port or trailing dot."""
    host = value.strip().lower().rstrip(".")
    if not HOST_RE.match(host):
        raise ValueError(f"{value!r} is not a valid host name")
    return host


Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


class Office(Strict):
    """Where residents come in person (the paper path, the credentials document)."""

    street: str = ""
    room: str = ""
    postal_code: str = ""
    city: str = ""
    hours: list[str] = []
    phone: str = ""
    email: str = ""

    def one_line(self) -> str:
        """The address on one line, for the footer and letters."""
        parts = [self.street, f"{self.postal_code} {self.city}".strip()]
        return ", ".join(p for p in parts if p)


class Phone(Strict):
    label: str
    number: str


class PasswordPolicy(Strict):
    """The cooperative's own password rule; the platform floor is added on top (accounts)."""

    min_length: int = Field(8, ge=4, le=64)
    require_digit: bool = True
    require_lower: bool = False
    require_upper: bool = False
    require_special: bool = False
    initial_password_days: int = Field(30, ge=1, le=365)

    @property
    def below_nist(self) -> bool:
        """Whether the minimum length is under NIST SP 800-63B's 8 characters."""
        return self.min_length < NIST_MIN_LENGTH


class LockoutPolicy(Strict):
    """When and how an account is locked after failed sign-ins."""

    max_failures: int = Field(5, ge=3, le=20)
    mode: Literal["staff_unlock", "timed"] = "staff_unlock"
    minutes: int = Field(15, ge=1, le=1440)


class Accounts(Strict):
    """How residents get an account, what identifiers look like, how sessions end."""

    path: Literal["online", "paper"] = "paper"
    how_to_apply: str = ""
    identifier_prefix: str = Field("", pattern=r"^[A-Z0-9-]{0,8}$")
    identifier_digits: int = Field(6, ge=4, le=10)
    forgotten_password: Literal["paper", "email"] = "paper"
    idle_timeout_minutes: int = Field(30, ge=5, le=480)
    application_confirm_hours: int = Field(48, ge=1, le=336)
    unconfirmed_application_days: int = Field(7, ge=1, le=90)


class Onboarding(Strict):
    """Ways into an account besides the office's document and the online application."""

    # One-time codes on the paper fee notice or a letter open the account of a member who has
    # never signed in (``iok accounts letter-codes``, Staff panel → Residents → Activation codes).
    letter_code: bool = False
    letter_code_days: int = Field(60, ge=7, le=365)


class SecondFactor(Strict):
    """A code from an authenticator app after the password (``account_security.second_factor``)."""

    # off: not offered; optional: anyone may turn it on; staff: required of staff accounts
    # (residents may); all: required of everyone.
    mode: Literal["off", "optional", "staff", "all"] = "off"
    # A browser may be remembered for 30 days (no code there); the person can forget it.
    remember_devices: bool = False


class Features(Strict):
    """Which parts of the portal the cooperative offers."""

    online_application: bool = False
    finance: bool = True
    meters: bool = False
    faults: bool = False
    announcements: bool = True
    contacts: bool = False
    documents: bool = False
    my_data: bool = False
    correspondence: bool = False
    delivery: bool = False  # documents delivered to units with proof (Moje dokumenty)
    settlements: bool = False  # yearly settlements of water and heat, explained (Rozliczenia)
    general_meeting: bool = False  # the general meeting: notice, documents, drafts, proxies


class Readings(Strict):
    """When residents may submit meter readings and what counts as suspiciously high.

    ``window_start_day``/``window_end_day`` (1–31) open a window each month (the end day past
    the month's last day means its last day; start after end wraps into the next month, e.g.
    25–5); both empty: always open.
    """

    window_start_day: int | None = Field(None, ge=1, le=31)
    window_end_day: int | None = Field(None, ge=1, le=31)
    high_consumption_factor: float = Field(3.0, ge=1.2, le=100)
    reminder: bool = True  # e-mail residents who asked for it when the window opens
    photo_max_mb: int = Field(8, ge=1, le=20)

    @model_validator(mode="after")
    def _both_days(self) -> Readings:
        if (self.window_start_day is None) != (self.window_end_day is None):
            raise ValueError("give both window_start_day and window_end_day, or neither")
        return self

    @property
    def always_open(self) -> bool:
        """No window: readings are accepted every day."""
        return self.window_start_day is None


MEASURES = ("m³", "GJ", "kWh", "MWh", "jedn.")
# The vendor's word for a unit → (our measure, the factor its values are multiplied by).
DEFAULT_REMOTE_UNITS = {"m3": "m³", "m³": "m³", "gj": "GJ", "kwh": "kWh", "mwh": "MWh",
                        "jedn.": "jedn.", "jedn": "jedn.", "j": "jedn.", "units": "jedn.",
                        "hca": "jedn."}


class RemoteUnit(Strict):
    """A unit a metering company writes: our measure and the factor to reach it (``l`` →
    ``m³`` with 0.001)."""

    measure: Literal["m³", "GJ", "kWh", "MWh", "jedn."]
    factor: float = Field(1.0, gt=0, le=1_000_000)


class RemoteReadings(Strict):
    """How the metering company's export of remote readings is read (its column names, its
    units, its times) and what residents are told each month (docs/remote-readings.md).

    Column names are matched as in every import (case, Polish letters and spaces do not
    matter); columns the mapping does not name are ignored.
    """

    vendor: str = Field("", max_length=80)  # shown in the import history
    match: Literal["serial", "radio_id"] = "serial"  # what the ``device`` column holds
    device: str = Field("numer_seryjny", min_length=1, max_length=80)
    read_at: str = Field("data", min_length=1, max_length=80)  # date, or date and time
    time: str = Field("", max_length=80)  # a separate time column, if the vendor has one
    value: str = Field("wartosc", min_length=1, max_length=80)
    unit: str = Field("", max_length=80)  # empty: the values are in each meter's own unit
    date_format: str = Field("", max_length=40)  # strptime; empty: ISO 8601 or DD.MM.RRRR
    # A date without a time is the state at the end of that day (the usual "stan na dzień")
    # or at its start.
    date_only: Literal["end", "start"] = "end"
    timezone: str = "Europe/Warsaw"  # for times written without an offset
    delimiter: Literal[";", ",", "\t", "|"] = ";"
    json_rows: str = Field("", max_length=80)  # the key holding the list in a JSON export
    units: dict[str, Literal["m³", "GJ", "kWh", "MWh", "jedn."] | RemoteUnit] = Field(
        default_factory=lambda: dict(DEFAULT_REMOTE_UNITS))
    # Water flowing every day, without a single day at zero, for this many days: a possible
    # leak (where daily readings come).
    leak_days: int = Field(14, ge=3, le=90)
    # Monthly statements are kept this many years.
    statement_years: int = Field(3, ge=1, le=10)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Warsaw)") from None
        return value

    def unit_of(self, word: str) -> RemoteUnit | None:
        """What a vendor's unit word means, or None when the mapping does not know it."""
        plain = word.strip().lower().replace(" ", "")
        for name, meaning in self.units.items():
            if name.strip().lower().replace(" ", "") == plain:
                return meaning if isinstance(meaning, RemoteUnit) else RemoteUnit(measure=meaning)
        return None

    @property
    def columns(self) -> dict[str, str]:
        """Our name → the vendor's column, for the columns the mapping names."""
        named = {"device": self.device, "read_at": self.read_at, "time": self.time,
                 "value": self.value, "unit": self.unit}
        return {ours: theirs for ours, theirs in named.items() if theirs}


DEFAULT_FAULT_CATEGORIES = [
    "woda i kanalizacja", "elektryka", "gaz", "ogrzewanie", "winda", "domofon",
    "drzwi i zamki", "części wspólne", "inne",
]


def _category_list(value: list[str]) -> list[str]:
    """Categories as staff and residents see them: 1–60 characters each, none twice."""
    cleaned = [v.strip() for v in value]
    if not cleaned or any(not v or len(v) > 60 for v in cleaned):
        raise ValueError("give at least one category, each 1 to 60 characters")
    if len({v.casefold() for v in cleaned}) != len(cleaned):
        raise ValueError("a category is listed twice")
    return cleaned


class _Categorised(Strict):
    """A section with ``categories`` people choose from: checked alike everywhere."""

    @field_validator("categories", check_fields=False)
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        return _category_list(value)


class Faults(_Categorised):
    """Fault reports: the categories residents choose from, photos, and how long after a
    report is finished the resident may confirm or reopen it."""

    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_FAULT_CATEGORIES))
    emergency_note: str = ""  # e.g. when the cooperative's own emergency service answers
    photo_max_mb: int = Field(12, ge=1, le=25)
    photos_per_message: int = Field(5, ge=1, le=10)
    photos_per_report: int = Field(15, ge=1, le=50)
    reopen_days: int = Field(14, ge=1, le=90)


DEFAULT_CORRESPONDENCE_TOPICS = [
    "pytanie o rozliczenie", "reklamacja naliczenia", "wniosek o kopię dokumentów (art. 8¹)",
    "zmiana liczby osób", "inna sprawa",
]


class Correspondence(Strict):
    """Letters to the office (sprawy): the topics residents choose from, the largest attachment,
    and whether the e-mail about an answer carries its text or only a link to it."""

    topics: list[str] = Field(default_factory=lambda: list(DEFAULT_CORRESPONDENCE_TOPICS))
    answer_in_email: bool = False
    attachment_max_mb: int = Field(10, ge=1, le=25)

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str]) -> list[str]:
        return _category_list(value)


# What art. 8¹ of the housing cooperatives act lets members see, as most cooperatives file it.
DEFAULT_DOCUMENT_CATEGORIES = [
    "Statut", "Regulaminy", "Uchwały walnego zgromadzenia", "Uchwały rady nadzorczej",
    "Uchwały zarządu", "Protokoły", "Protokoły lustracji", "Sprawozdania finansowe", "Cenniki",
]


class Documents(_Categorised):
    """The members' library: its categories and the largest PDF staff may publish."""

    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_DOCUMENT_CATEGORIES))
    max_mb: int = Field(20, ge=1, le=50)


DEFAULT_RETENTION = [
    "Dane konta i dane kontaktowe: przez czas posiadania tytułu do lokalu i 5 lat po jego "
    "ustaniu.",
    "Kartoteka finansowa i odczyty liczników (dokumenty księgowe): 5 lat od końca roku, "
    "którego dotyczą.",
    "Zgłoszenia awarii: 3 lata od zakończenia.",
    "Historia logowań i przeglądania danych: 1 rok.",
    "Wiadomości e-mail (temat i data wysyłki): 1 rok.",
]


class MyData(Strict):
    """The resident's own data (RODO): how long what is kept, as the cooperative decided."""

    retention: list[str] = Field(default_factory=lambda: list(DEFAULT_RETENTION))


# Kinds of documents delivered to units (code: words in docs/delivery.md); the rules of each
# are in ``delivery.rules``.
DELIVERY_KINDS = ("fee_change", "fee_change_independent", "settlement", "meeting_notice",
                  "certificate", "invoice", "other")
DEFAULT_PAPER_AFTER = {"fee_change": 14, "fee_change_independent": 5, "settlement": 14,
                       "meeting_notice": 7, "certificate": 14, "invoice": 14, "other": 14}
DEFAULT_CONSENT_RULES = (
    "Wyrażam zgodę na doręczanie mi przez Spółdzielnię w portalu internetowym dokumentów "
    "dotyczących moich lokali (zawiadomień o zmianie opłat, rozliczeń, zawiadomień o walnym "
    "zgromadzeniu, zaświadczeń, faktur). Dokument uważa się za doręczony z chwilą jego "
    "udostępnienia w portalu; o każdym nowym dokumencie Spółdzielnia zawiadamia wiadomością "
    "e-mail na podany adres. Zgodę mogę w każdej chwili wycofać w portalu lub w biurze "
    "Spółdzielni; od chwili wycofania zgody dokumenty są doręczane na papierze.")


class Delivery(Strict):
    """Documents delivered to units (doręczenie elektroniczne, docs/delivery.md): the rules a
    person consents to, the day fees are due (art. 4 ust. 6 of the housing cooperatives act:
    the 10th unless the statute says otherwise), the kinds the office delivers, after how many
    days an unopened document goes on the paper list, the largest PDF."""

    consent_rules: str = Field(DEFAULT_CONSENT_RULES, min_length=20, max_length=4000)
    payment_day: int = Field(10, ge=1, le=28)
    kinds: list[str] = Field(default_factory=lambda: list(DELIVERY_KINDS))
    paper_after_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_PAPER_AFTER))
    pdf_max_mb: int = Field(20, ge=1, le=50)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        unknown = [kind for kind in value if kind not in DELIVERY_KINDS]
        if unknown:
            raise ValueError(f"unknown kinds {', '.join(unknown)}; known: "
                             f"{', '.join(DELIVERY_KINDS)}")
        if not value:
            raise ValueError("name at least one kind")
        return list(dict.fromkeys(value))

    @field_validator("paper_after_days")
    @classmethod
    def _days(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = [kind for kind in value if kind not in DELIVERY_KINDS]
        if unknown:
            raise ValueError(f"unknown kinds {', '.join(unknown)}; known: "
                             f"{', '.join(DELIVERY_KINDS)}")
        if any(not 1 <= days <= 90 for days in value.values()):
            raise ValueError("each number of days must be from 1 to 90")
        return {**DEFAULT_PAPER_AFTER, **value}


class Finance(Strict):
    """The financial record."""

    # Residents may ask for an e-mail when an import from the accounting system posts new
    # charges or payments to their units (a choice on the contact-details page).
    emails: bool = False


class Accessibility(Strict):
    """The cooperative's part of its accessibility statement (deklaracja dostępności): who
    answers requests about accessibility and how the office can be reached in person. Empty
    contact fields fall back to the office's e-mail and phone."""

    published: date | None = None  # when the cooperative's IOK went online
    contact_person: str = Field("", max_length=120)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    building: str = Field("", max_length=4000)  # how the office can be reached (steps, lift…)


class Branding(Strict):
    """Colours and logo; the primary colour carries white text, so it must be dark enough."""

    primary_color: Colour = "#1f4e79"
    accent_color: Colour = "#f2f6fa"
    logo: str = ""
    # The name under the icon on a phone's home screen (short: about 12 characters show in
    # full); empty: the quoted part of short_name.
    app_name: str = Field("", max_length=30)

    @field_validator("primary_color")
    @classmethod
    def _readable(cls, value: str) -> str:
        if contrast_ratio(value, "#ffffff") < 4.5:
            raise ValueError("too light for white text (WCAG contrast below 4.5:1)")
        return value


class Mail(Strict):
    """The sender of the cooperative's e-mails."""

    sender_name: str = ""
    sender_address: str = Field("", pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    reply_to: str = Field("", pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Terms(Strict):
    """The cooperative's regulamin; the version is stored with every acceptance."""

    version: str = "1"
    text: str = ""
    privacy: str = ""


# The settlement company's file (docs/import-format.md, "Rozliczenia"): our column names.
SETTLEMENT_COLUMNS = (
    "typ", "budynek", "medium", "okres_od", "okres_do", "firma", "ilosc", "jednostka", "koszt",
    "koszt_staly", "koszt_zmienny", "koszt_roznicy", "powierzchnia", "stawka_stala",
    "stawka_zmienna", "jednostki", "lokal", "zuzycie", "zaliczki", "zaliczki_miesieczne",
    "wynik", "termin", "nadplata", "dokument", "licznik", "miejsce", "stan_poczatkowy",
    "stan_koncowy", "wspolczynnik",
)
SETTLEMENT_MEDIA = ("cold_water", "hot_water", "heating", "water_heating")
DEFAULT_SETTLEMENT_ROWS = {"budynek": "building", "lokal": "unit", "licznik": "meter"}
DEFAULT_SETTLEMENT_MEDIA = {
    "zimna woda": "cold_water", "woda zimna": "cold_water", "ZW": "cold_water",
    "ciepła woda": "hot_water", "woda ciepła": "hot_water", "CW": "hot_water",
    "centralne ogrzewanie": "heating", "ogrzewanie": "heating", "CO": "heating",
    "c.o.": "heating", "podgrzanie wody": "water_heating", "CCW": "water_heating",
}


class Settlements(Strict):
    """Yearly settlements of water and heat (docs/settlements.md): how the settlement
    company's file is read, how long members have to question a settlement, where the
    advances stand in the ledger.

    ``columns`` maps our column names to the company's (only those that differ); ``rows`` and
    ``media`` the words its file uses for a row's type and a medium (case, Polish letters and
    spaces do not matter).
    """

    columns: dict[str, str] = {}
    rows: dict[str, Literal["building", "unit", "meter"]] = Field(
        default_factory=lambda: dict(DEFAULT_SETTLEMENT_ROWS))
    media: dict[str, Literal["cold_water", "hot_water", "heating", "water_heating"]] = Field(
        default_factory=lambda: dict(DEFAULT_SETTLEMENT_MEDIA))
    delimiter: Literal[";", ",", "\t", "|"] = ";"
    json_rows: str = Field("wiersze", min_length=1, max_length=80)
    # Days from the settlement's delivery (or its import, where the portal delivers nothing)
    # in which a member may question it, by the cooperative's rules.
    question_days: int = Field(14, ge=1, le=365)
    # What an overpayment becomes where the file does not say.
    refund: Literal["credit", "payout"] = "credit"
    # The ledger's component the monthly advances of a medium are charged under: where given,
    # a file's advances must agree with the ledger's charges for the months the ledger holds.
    ledger_components: dict[Literal["cold_water", "hot_water", "heating", "water_heating"],
                            str] = {}
    # Each unit's explanation, as a PDF, delivered to the unit with proof (needs
    # features.delivery).
    deliver: bool = True

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [name for name in value if name not in SETTLEMENT_COLUMNS]
        if unknown:
            raise ValueError(f"unknown columns {', '.join(unknown)}; known: "
                             f"{', '.join(SETTLEMENT_COLUMNS)}")
        if any(not theirs.strip() for theirs in value.values()):
            raise ValueError("a column's name in the file cannot be empty")
        return value

    @field_validator("rows")
    @classmethod
    def _rows(cls, value: dict[str, str]) -> dict[str, str]:
        missing = {"building", "unit", "meter"} - set(value.values())
        if missing:
            raise ValueError(f"name a word for each type of row; missing: "
                             f"{', '.join(sorted(missing))}")
        return value


class GeneralMeeting(Strict):
    """What the cooperative's statute decides about its general meeting (walne zgromadzenie;
    docs/general-meeting.md). What the act fixes is not here: a member's draft resolution is
    filed at least 15 days before the meeting (or its first part) with the support of at
    least 10 members, a proxy is delivered at least 3 days before, and one proxy holder
    represents one member (art. 8³ of the housing cooperatives act, as amended by Dz.U. 2026
    poz. 39).
    """

    # Notice to every member at least so many days before the meeting or its first part: the
    # act's 21 days, or more where the statute says so.
    notice_days: int = Field(21, ge=21, le=90)
    # The reports and draft resolutions laid out for members at least so many days before.
    documents_days: int = Field(14, ge=14, le=90)
    # The legal titles that make their holder a member (art. 3 of the act: the cooperative
    # rights always; the owners of separate ownership who joined where the register says so).
    member_titles: list[Literal["ownership", "cooperative_ownership", "cooperative_tenancy",
                                "lease"]] = Field(
        default_factory=lambda: ["cooperative_ownership", "cooperative_tenancy"], min_length=1)
    # The share of all members who must attend (in person or by proxy, all parts together) for
    # a resolution to be adopted; 0: the meeting is valid whoever comes.
    quorum_percent: int = Field(0, ge=0, le=100)
    # The majority a resolution needs unless it says otherwise: more votes for than against
    # ("simple"), or at least two thirds of the votes cast ("two_thirds").
    majority: Literal["simple", "two_thirds"] = "simple"


class TenantSettings(Strict):
    """Everything a cooperative's file says."""

    slug: str
    name: str = Field(min_length=3, max_length=255)
    short_name: str = Field(min_length=2, max_length=120)
    website: str = ""
    domains: list[str] = []
    maintenance_message: str = ""
    office: Office = Office()
    emergency_phones: list[Phone] = []
    password: PasswordPolicy = PasswordPolicy()
    lockout: LockoutPolicy = LockoutPolicy()
    accounts: Accounts = Accounts()
    onboarding: Onboarding = Onboarding()
    second_factor: SecondFactor = SecondFactor()
    features: Features = Features()
    readings: Readings = Readings()
    remote_readings: RemoteReadings = RemoteReadings()
    faults: Faults = Faults()
    correspondence: Correspondence = Correspondence()
    finance: Finance = Finance()
    documents: Documents = Documents()
    delivery: Delivery = Delivery()
    settlements: Settlements = Settlements()
    general_meeting: GeneralMeeting = GeneralMeeting()
    my_data: MyData = MyData()
    branding: Branding = Branding()
    accessibility: Accessibility = Accessibility()
    mail: Mail = Mail()
    terms: Terms = Terms()
    logo_svg: str = ""

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("domains")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        hosts = [check_host(v) for v in value]
        if len(set(hosts)) != len(hosts):
            raise ValueError("a domain is listed twice")
        return hosts

    @model_validator(mode="after")
    def _paths_agree(self) -> TenantSettings:
        if self.features.online_application and self.accounts.path != "online":
            raise ValueError("features.online_application needs accounts.path = \"online\"")
        return self

    def warnings(self) -> list[str]:
        """Things the operator should know although the file is valid."""
        notes = []
        if self.password.below_nist:
            notes.append(
                f"password.min_length = {self.password.min_length} is below the NIST SP "
                f"800-63B minimum of {NIST_MIN_LENGTH} characters (applied as configured)"
            )
        missing = [part for part in ("street", "postal_code", "city")
                   if not getattr(self.office, part).strip()]
        if missing:  # letters, e-mails and the sign-in page give the office's address
            notes.append(f"office.{', office.'.join(missing)} empty: residents are not told "
                         "where the office is (e-mail footers, the blocked-account notice)")
        if not (self.accessibility.email or self.office.email):
            notes.append("accessibility.email and office.email empty: the accessibility "
                         "statement gives no address for requests about accessibility")
        return notes


def setting_field(path: list[str]) -> FieldInfo:
    """The field a dotted key names (``readings.window_start_day``); ``KeyError`` if none."""
    fields = TenantSettings.model_fields
    for part in path[:-1]:
        section = fields[part].annotation
        if not (isinstance(section, type) and issubclass(section, BaseModel)):
            raise KeyError(".".join(path))  # a value, not a section
        fields = section.model_fields
    return fields[path[-1]]


_REASONS = {
    "extra_forbidden": "unknown key (is it misspelt?)",
    "missing": "is required",
}


def _key(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def parse_settings(data: dict, source: str) -> TenantSettings:
    """Validate a settings mapping; ``TenantFileError`` names source, key and reason."""
    try:
        return TenantSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = _REASONS.get(first["type"]) or first["msg"].removeprefix("Value error, ")
        raise TenantFileError(source, _key(first["loc"]), reason) from None


def load_tenant_file(path: Path) -> TenantSettings:
    """Read and validate one ``tenants/*.toml`` file, embedding its logo."""
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TenantFileError(source, "(file)", f"cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TenantFileError(source, "(file)", f"is not valid TOML: {exc}") from None
    if data.get("slug") and data["slug"] != path.stem:
        raise TenantFileError(source, "slug", f"must match the file name ({path.stem!r})")
    settings = parse_settings(data, source)
    if settings.branding.logo:
        logo = _read_logo(path, settings.branding.logo)
        settings = settings.model_copy(update={"logo_svg": logo})
    return settings


def _read_logo(path: Path, name: str) -> str:
    logo = (path.parent / name).resolve()
    source = str(path)
    if logo.suffix != ".svg" or not logo.is_relative_to(path.parent.resolve()):
        raise TenantFileError(source, "branding.logo", "must be an .svg file in the tenants folder")
    try:
        content = logo.read_text(encoding="utf-8")
    except OSError as exc:
        raise TenantFileError(source, "branding.logo", f"cannot be read: {exc}") from None
    if len(content.encode()) > MAX_LOGO_BYTES or "<svg" not in content or "<script" in content:
        raise TenantFileError(
            source, "branding.logo", "must be an SVG image under 100 kB without scripts"
        )
    return content
