"""Finding recordings in their store safely, checking them against their stored SHA-256, streaming ranges."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app, request
from werkzeug.wrappers import Response

from dialer.model import Recording
from dialer.services import services
from dialer.storage import Store, StoredObject, StoreError, Stores, open_stores

log = logging.getLogger(__name__)
MIMETYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".m4a": "audio/mp4",
             ".webm": "audio/webm"}  # fmt: skip
STORES_KEY = "dialer.stores"


def stores() -> Stores:
    """Return this app's recordings stores (opened once per app)."""
    ext = current_app.extensions
    if STORES_KEY not in ext:
        ext[STORES_KEY] = open_stores(services().settings)
    found: Stores = ext[STORES_KEY]
    return found


@dataclass(frozen=True)
class Found:
    """A recording's object in its store."""

    store: Store
    obj: StoredObject

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.obj.key).suffix


@dataclass(frozen=True)
class Checked:
    """A recording's object and whether its SHA-256 still matches the one stored when it was saved."""

    recording: Recording
    found: Found | None
    actual: str | None

    @property
    def path(self) -> str | None:
        """The key the recording is kept under, when it is there."""
        return self.found.obj.key if self.found else None

    @property
    def state(self) -> str:
        """Return missing | unknown (no stored checksum) | ok | mismatch."""
        if self.found is None or self.actual is None:
            return "missing"
        if not self.recording.sha256:
            return "unknown"
        return "ok" if self.actual == self.recording.sha256.lower() else "mismatch"


def locate(rec: Recording, where: Stores) -> Found | None:
    """Return the recording's object if its store has it (and, in the folder, it lies inside); None otherwise."""
    if not rec.path or rec.status == "purged":
        return None
    try:
        store = where.get(rec.store)
        obj = store.stat(rec.path)
    except StoreError as exc:
        log.warning("recording %s: its store cannot be read: %s", rec.id, exc)
        return None
    if obj is None and rec.store == "folder" and where.folder.path(rec.path) is None:
        # A stored path that climbs out of the store is never served, whatever put it there.
        log.warning("recording %s has a path outside the store: %r", rec.id, rec.path)
    return None if obj is None else Found(store, obj)


def sha256_of(found: Found) -> str:
    """Return the hex SHA-256 of the object, read in chunks."""
    digest = hashlib.sha256()
    for chunk in found.store.chunks(found.obj.key):
        digest.update(chunk)
    return digest.hexdigest()


def check(rec: Recording, where: Stores) -> Checked:
    """Return the recording with its object and its actual SHA-256."""
    found = locate(rec, where)
    try:
        actual = None if found is None else sha256_of(found)
    except StoreError as exc:
        log.warning("recording %s: cannot be read to check it: %s", rec.id, exc)
        actual = None
    return Checked(rec, found, actual)


def read(found: Found) -> bytes:
    """Return the whole object."""
    return b"".join(found.store.chunks(found.obj.key))


def mimetype(key: str) -> str:
    """Return the audio MIME type for a key or file name."""
    return MIMETYPES.get(PurePosixPath(key).suffix.lower(), "application/octet-stream")


def stream(found: Found, etag: str | None) -> Response:
    """Answer the request with the object, or with the byte range it asked for (206) so players can seek."""
    size = found.obj.size
    rng = request.range
    span = rng.range_for_length(size) if rng is not None else None
    if rng is not None and span is None:
        resp = Response(status=416)
        resp.headers["Content-Range"] = f"bytes */{size}"
        return resp
    start, stop = span or (0, size)
    body = found.store.chunks(found.obj.key, start, stop)
    resp = Response(
        body, status=206 if span else 200, mimetype=mimetype(found.obj.key), direct_passthrough=True
    )
    resp.headers["Content-Length"] = str(stop - start)
    if span:
        resp.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    resp.headers["Accept-Ranges"] = "bytes"
    resp.headers["Cache-Control"] = "private, no-cache"
    if etag:
        resp.set_etag(etag)
    return resp
