"""Declarative base, portable column types and status vocabularies."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants in UTC; always hand back aware UTC datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def column_size(attribute: Any) -> int:
    """Return the length of a mapped String column, e.g. `column_size(Customer.name)` is 100."""
    size = attribute.property.columns[0].type.length
    if not isinstance(size, int):
        raise TypeError(f"{attribute} is not a column of limited length")
    return size


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class TaskStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DIALLING = "dialling"  # claimed by a scheduler; an attempt is being placed or is in progress
    SUCCEEDED = "succeeded"  # the customer in person answered every required item, none bad
    PROBLEM = "problem"  # reached; at least one problem case
    UNREACHABLE = "unreachable"  # attempts used up: manual follow-up (机构自访)
    INVALID = "invalid"  # permanent error, e.g. the number does not exist
    CANCELLED = "cancelled"  # withdrawn by an operator, or opted out
    NOT_SAMPLED = "not_sampled"  # left out by its plan's sample (抽样): closed, counted apart


FINAL_STATUSES = frozenset(
    {
        TaskStatus.SUCCEEDED,
        TaskStatus.PROBLEM,
        TaskStatus.UNREACHABLE,
        TaskStatus.INVALID,
        TaskStatus.CANCELLED,
        TaskStatus.NOT_SAMPLED,
    }
)


class AttemptOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    PROBLEM = "problem"
    WRONG_PERSON = "wrong_person"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    VOICEMAIL = "voicemail"
    HUNG_UP = "hung_up"  # answered, then hung up before the script ended
    INVALID = "invalid"  # permanent gateway error
    ERROR = "error"  # transient gateway error
    CANCELED = "canceled"


class CaseStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    COMPLIANCE = "compliance"
    ADMIN = "admin"
