"""Every model of the platform, imported in one place so metadata and migrations see them all."""

from iok_saas.account_security.models import ActivationCode, RecoveryCode, TrustedDevice
from iok_saas.announcements.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementBuilding,
    AnnouncementEstate,
    AnnouncementRead,
)
from iok_saas.applications.models import AccessApplication
from iok_saas.audit.models import AuditEvent, DataView
from iok_saas.auth.models import SignedInSession, User
from iok_saas.cases.models import Case, CaseAttachment, CaseEvent, CaseFollower
from iok_saas.contacts.models import ConsentEvent
from iok_saas.correspondence.models import AnswerTemplate, Letter
from iok_saas.delivery.models import (
    DeliveryConsent,
    DocumentRecipient,
    ProofEvent,
    UnitDocument,
)
from iok_saas.documents.models import Document, DocumentVersion, DocumentVisit
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.faults.models import FaultReport
from iok_saas.files.models import FileChunk, StoredFile
from iok_saas.finance.models import Account, LedgerEntry
from iok_saas.imports.models import ImportRun
from iok_saas.jobs.models import PeriodicRun
from iok_saas.mail.models import OutboxMessage
from iok_saas.meetings.models import (
    Meeting,
    MeetingDocument,
    MeetingDraft,
    MeetingItem,
    MeetingMember,
    MeetingPart,
    MeetingPartBuilding,
    MeetingProxy,
    MeetingVote,
)
from iok_saas.meters.models import Meter, Reading, ReadingCorrection, ReadingPhoto
from iok_saas.my_data.models import DataExport
from iok_saas.registers.models import RegistryCounter
from iok_saas.settlements.models import Settlement, SettlementLine, SettlementQuestion
from iok_saas.tenancy.models import ImmutableRelease, Tenant, TenantDomain

__all__ = [
    "AccessApplication",
    "Account",
    "ActivationCode",
    "Announcement",
    "AnnouncementAttachment",
    "AnnouncementBuilding",
    "AnnouncementEstate",
    "AnnouncementRead",
    "AnswerTemplate",
    "AuditEvent",
    "Building",
    "Case",
    "CaseAttachment",
    "CaseEvent",
    "CaseFollower",
    "ConsentEvent",
    "DataExport",
    "DataView",
    "DeliveryConsent",
    "Document",
    "DocumentRecipient",
    "DocumentVersion",
    "DocumentVisit",
    "FaultReport",
    "FileChunk",
    "ImmutableRelease",
    "ImportRun",
    "LedgerEntry",
    "Letter",
    "Meeting",
    "MeetingDocument",
    "MeetingDraft",
    "MeetingItem",
    "MeetingMember",
    "MeetingPart",
    "MeetingPartBuilding",
    "MeetingProxy",
    "MeetingVote",
    "Meter",
    "OutboxMessage",
    "PeriodicRun",
    "ProofEvent",
    "Reading",
    "ReadingCorrection",
    "ReadingPhoto",
    "RecoveryCode",
    "RegistryCounter",
    "Settlement",
    "SettlementLine",
    "SettlementQuestion",
    "SignedInSession",
    "StoredFile",
    "Tenant",
    "TenantDomain",
    "TrustedDevice",
    "Unit",
    "UnitDocument",
    "UnitTitle",
    "User",
]
