"""Plain read-only views of a task and its attempts: what the policy needs, nothing more.

The database room builds these from its rows; every instant is an aware UTC datetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DEFAULT_TIMEZONE = "Asia/Shanghai"


class Standing(StrEnum):
    """Where a task stands in the policy's words (the model's `TaskStatus` maps onto these).

    Only a pending task may be dialled; "calling" is any task with an attempt in flight.
    """

    PENDING = "pending"
    CALLING = "calling"
    COMPLETED = "completed"
    UNREACHABLE = "unreachable"
    INVALID = "invalid"
    OPTED_OUT = "opted_out"


class Outcome(StrEnum):
    """How one attempt ended. An attempt still in flight has no outcome (None)."""

    ANSWERED = "answered"  # the customer in person was reached
    NOT_CUSTOMER = "not_customer"  # someone else answered: reschedule, say nothing
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    FAILED = "failed"
    CANCELED = "canceled"
    INVALID_NUMBER = "invalid_number"  # a permanent gateway error, e.g. Twilio 21211
    GATEWAY_ERROR = "gateway_error"  # a transient gateway error: the call never left


# Outcomes that do not use up an attempt: the call never left the gateway.
UNCOUNTED_OUTCOMES = frozenset({Outcome.GATEWAY_ERROR})


def _require_aware(owner: str, name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{owner}.{name} must be an aware datetime (UTC), got naive {value.isoformat()}")


@dataclass(frozen=True)
class TaskView:
    """One follow-up task as the policy sees it."""

    id: int | str
    status: str = Standing.PENDING
    timezone: str = DEFAULT_TIMEZONE
    opted_out: bool = False
    earliest_at: datetime | None = None
    deadline_at: datetime | None = None
    attempt_count: int = 0

    def __post_init__(self) -> None:
        _require_aware("TaskView", "earliest_at", self.earliest_at)
        _require_aware("TaskView", "deadline_at", self.deadline_at)


@dataclass(frozen=True)
class AttemptView:
    """One dialling attempt: when it started and how it ended (None while in flight)."""

    started_at: datetime
    outcome: str | None = None

    def __post_init__(self) -> None:
        _require_aware("AttemptView", "started_at", self.started_at)

    @property
    def in_flight(self) -> bool:
        return self.outcome is None

    @property
    def counts(self) -> bool:
        """Return whether this attempt used up one of the task's attempts."""
        # Fail safe: an unknown outcome, or a call still in flight, counts.
        return self.outcome not in UNCOUNTED_OUTCOMES
