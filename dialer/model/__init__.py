"""SQLAlchemy 2.0 typed models, the session factory and the queries other rooms use."""

from dialer.model.audit import AuditEntry
from dialer.model.base import (
    FINAL_STATUSES,
    AttemptOutcome,
    Base,
    CaseStatus,
    Role,
    TaskStatus,
)
from dialer.model.calls import Answer, Attempt, AttemptEvent, Escalation, Recording
from dialer.model.cases import CaseNote, ProblemCase
from dialer.model.db import MAX_ID, Database, migrate, open_database, parse_id
from dialer.model.dials import AgentDial
from dialer.model.followups import FollowUp
from dialer.model.heard import HeardAnswer, HeardStatus
from dialer.model.pacing import DialPacer
from dialer.model.people import Customer, OptOut, User
from dialer.model.quality import QaSample
from dialer.model.reports import FiledReport
from dialer.model.scripts import ScriptSetting, ScriptVersion
from dialer.model.sessions import UserSession
from dialer.model.states import (
    CALLS_IN_FLIGHT,
    CallStatus,
    EscalationReason,
    EscalationStatus,
    RecordingKind,
    RecordingStatus,
)
from dialer.model.suggestions import Suggestion
from dialer.model.tasks import Callback, ImportBatch, Task

__all__ = [
    "CALLS_IN_FLIGHT",
    "FINAL_STATUSES",
    "MAX_ID",
    "AgentDial",
    "Answer",
    "Attempt",
    "AttemptEvent",
    "AttemptOutcome",
    "AuditEntry",
    "Base",
    "CallStatus",
    "Callback",
    "CaseNote",
    "CaseStatus",
    "Customer",
    "Database",
    "DialPacer",
    "Escalation",
    "EscalationReason",
    "EscalationStatus",
    "FiledReport",
    "FollowUp",
    "HeardAnswer",
    "HeardStatus",
    "ImportBatch",
    "OptOut",
    "ProblemCase",
    "QaSample",
    "Recording",
    "RecordingKind",
    "RecordingStatus",
    "Role",
    "ScriptSetting",
    "ScriptVersion",
    "Suggestion",
    "Task",
    "TaskStatus",
    "User",
    "UserSession",
    "migrate",
    "open_database",
    "parse_id",
]
