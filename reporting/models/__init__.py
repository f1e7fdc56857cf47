from .clues import (
    Clue,
    Digest,
    Evidence,
    LedgerEntry,
    Message,
    Party,
    ReceiptHandoff,
    evidence_path,
    private_storage,
)
from .delivery import Delivery, DeliveryAttempt
from .figures import StatisticsDay, StatisticsFact, StatisticsPending
from .outbox import OutgoingMail
from .protection import ProtectionRequest
from .reference import BilingualName, Category, Region
from .review import SIGNATURES_REQUIRED, Conclusion, Signature, Transfer
from .snapshots import StatisticsSnapshot
from .triage import BulkJob
from .units import Membership, Unit

__all__ = [
    "SIGNATURES_REQUIRED",
    "BilingualName",
    "BulkJob",
    "Category",
    "Clue",
    "Conclusion",
    "Delivery",
    "DeliveryAttempt",
    "Digest",
    "Evidence",
    "LedgerEntry",
    "Membership",
    "Message",
    "OutgoingMail",
    "Party",
    "ProtectionRequest",
    "ReceiptHandoff",
    "Region",
    "Signature",
    "StatisticsDay",
    "StatisticsFact",
    "StatisticsPending",
    "StatisticsSnapshot",
    "Transfer",
    "Unit",
    "evidence_path",
    "private_storage",
]
