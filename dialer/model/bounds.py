"""Text from outside fits its column: what a webhook's form brings is bounded as it is set on a row.

A gateway (or anyone holding its token) may post an `AnsweredBy`, `RecordingStatus` or `QueueResult` of any
length. SQLite keeps it whole; PostgreSQL refuses the row (`value too long for type character varying(n)`)
and the webhook would answer 500, which Twilio does not retry. So every length-limited text column of the
rows webhooks write is bounded here, in one place, as the value is assigned: free text is cut to the
column's length; an id (`…_sid`) that does not fit is no id of ours and is dropped (None), never cut, since
a cut id could name another call or recording.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, String, event, inspect

log = logging.getLogger("dialer.model")


def bound_text_columns(*models: type) -> None:
    """Make every `String(n)` attribute of these mapped classes cut (or drop, for ids) a longer value."""
    for model in models:
        # The mapper's own column list: reading it does not configure the mappers (other rooms may be unloaded).
        columns: list[tuple[str, Column[Any]]] = list(inspect(model).columns.items())
        for key, column in columns:
            length = getattr(column.type, "length", None)
            if isinstance(column.type, String) and length:
                bound = _bounder(f"{model.__name__}.{key}", length, is_id=key.endswith("_sid"))
                event.listen(getattr(model, key), "set", bound, retval=True)


def _bounder(name: str, length: int, is_id: bool) -> Callable[..., Any]:
    def bound(_target: object, value: Any, _old: object, _initiator: object) -> Any:
        if not isinstance(value, str) or len(value) <= length:
            return value
        log.warning("%s: %d characters do not fit in %d; %s", name, len(value), length,
                    "dropped (not an id of ours)" if is_id else "cut")  # fmt: skip
        return None if is_id else value[:length]

    return bound
