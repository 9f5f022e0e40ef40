from .callbacks import (
    FAILED_OUTCOMES,
    OPEN_FOLLOW_UP,
    CallbackAttempt,
    CallbackMode,
    CallbackStatus,
    CallbackTask,
    Decision,
    DissatisfiedScheme,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Preferences,
    PublicReply,
    PublicReplyStatus,
)
from .disputes import (
    OPEN_DISPUTE,
    DispatchDecision,
    Dispute,
    DisputeKind,
    DisputeStatus,
    Meeting,
    MeetingStatus,
)
from .letters import LetterCounter, LetterRun, LetterStatus, ReminderLetter
from .notifications import (
    CardAlert,
    Delivery,
    DeliveryStatus,
    Kind,
    Notification,
    Recipient,
    Transport,
    TransportKind,
)
from .orders import (
    MANUAL_REASONS,
    Level,
    OnSiteVisit,
    OrderEvent,
    OrderStatus,
    Reason,
    RuleLevel,
    SupervisionOrder,
    TriggerRule,
)
from .urgings import Urging

__all__ = [
    "FAILED_OUTCOMES", "MANUAL_REASONS", "OPEN_DISPUTE", "OPEN_FOLLOW_UP", "CallbackAttempt", "CallbackMode",
    "CallbackStatus", "CallbackTask", "CardAlert", "Decision", "Delivery", "DissatisfiedScheme", "DeliveryStatus", "DispatchDecision",
    "Dispute", "DisputeKind", "DisputeStatus", "FollowUp", "FollowUpStatus", "Kind", "Level", "Meeting",
    "MeetingStatus", "Notification", "OnSiteVisit", "OrderEvent", "OrderStatus", "Outcome", "Preferences",
    "PublicReply", "PublicReplyStatus", "Reason", "Recipient", "ReminderLetter", "RuleLevel", "SupervisionOrder",
    "Transport", "TransportKind", "TriggerRule", "Urging",
    "LetterCounter", "LetterRun", "LetterStatus",
]
