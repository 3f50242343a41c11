"""Finding recordings on disk safely, and checking them against their stored SHA-256."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from dialer.model import Recording

log = logging.getLogger(__name__)
MIMETYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".m4a": "audio/mp4"}


@dataclass(frozen=True)
class Checked:
    """A recording's file and whether its SHA-256 still matches the one stored when it was saved."""

    recording: Recording
    path: Path | None
    actual: str | None

    @property
    def state(self) -> str:
        """Return missing | unknown (no stored checksum) | ok | mismatch."""
        if self.path is None or self.actual is None:
            return "missing"
        if not self.recording.sha256:
            return "unknown"
        return "ok" if self.actual == self.recording.sha256.lower() else "mismatch"


def resolve_recording(rec: Recording, root: Path) -> Path | None:
    """Return the recording's file if it exists and lies inside `root`; None otherwise."""
    if not rec.path or rec.status == "purged":
        return None
    base = root.resolve()
    try:
        path = (base / rec.path).resolve()
    except (OSError, ValueError):
        return None
    if not path.is_relative_to(base):
        # A stored path that climbs out of the store is never served, whatever put it there.
        log.warning("recording %s has a path outside the store: %r", rec.id, rec.path)
        return None
    return path if path.is_file() else None


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check(rec: Recording, root: Path) -> Checked:
    """Return the recording with its file and its actual SHA-256."""
    path = resolve_recording(rec, root)
    return Checked(rec, path, None if path is None else file_sha256(path))


def mimetype(path: Path) -> str:
    """Return the audio MIME type for a file name."""
    return MIMETYPES.get(path.suffix.lower(), "application/octet-stream")
