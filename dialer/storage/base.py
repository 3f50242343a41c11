"""What every recordings store does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialer.errors import DialerError

CHUNK = 256 * 1024


class StoreError(DialerError):
    """The store refused or failed a request; `permanent` says whether trying again can help."""


@dataclass(frozen=True)
class StoredObject:
    """What the store says about one object."""

    key: str
    size: int
    retain_until: datetime | None = None
    legal_hold: bool = False


class Store(Protocol):
    """A place that keeps recordings by key."""

    name: str

    def put(self, key: str, data: bytes, content_type: str, *, retain_until: datetime | None = None,
            legal_hold: bool = False) -> None:  # fmt: skip
        """Write `data` under `key` in one piece; a reader never sees half of it."""

    def stat(self, key: str) -> StoredObject | None:
        """Return the object's size and lock, or None when there is no such object."""

    def chunks(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Yield the bytes [start, stop) of the object (all of it by default)."""

    def delete(self, key: str) -> None:
        """Delete the object (every version of it); a missing object is not an error."""

    def hold(self, key: str, on: bool) -> None:
        """Put the object under legal hold, or release it."""

    def describe(self) -> str:
        """Return where this store is, for `dialer doctor` and logs."""


def read_all(store: Store, key: str) -> bytes:
    """Return the whole object."""
    return b"".join(store.chunks(key))
