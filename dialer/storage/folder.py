"""The folder store: files under one directory, written whole through a temporary name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from dialer.storage.base import CHUNK, StoredObject, StoreError


class FolderStore:
    """Recordings as files under `root`. Retention and legal holds are kept by the database here."""

    name = "folder"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path | None:
        """Return the file for `key` if the key stays inside the folder; None otherwise."""
        base = self.root.resolve()
        try:
            path = (base / key).resolve()
        except (OSError, ValueError):
            return None
        return path if path.is_relative_to(base) and path != base else None

    def _path(self, key: str) -> Path:
        path = self.path(key)
        if path is None:
            raise StoreError(f"录音的存放路径 {key!r} 不在录音目录之内，已拒绝", permanent=True)
        return path

    def put(self, key: str, data: bytes, content_type: str, *, retain_until: datetime | None = None,
            legal_hold: bool = False) -> None:  # fmt: skip
        """Write the file through a temporary name, flushed to disk, then rename it into place."""
        path = self._path(key)
        tmp = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"无法写入录音文件 {path}：{exc.strerror}", permanent=False) from exc

    def stat(self, key: str) -> StoredObject | None:
        """Return the file's size, or None when it is missing or outside the folder."""
        path = self.path(key)
        if path is None or not path.is_file():
            return None
        return StoredObject(key, path.stat().st_size)

    def chunks(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Yield the file's bytes [start, stop) in chunks."""
        path = self._path(key)
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise StoreError(f"无法读取录音文件 {path}：{exc.strerror}", permanent=False) from exc
        with fh:
            fh.seek(start)
            left = None if stop is None else stop - start
            while left is None or left > 0:
                chunk = fh.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        """Delete the file; a missing file is fine."""
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"无法删除录音文件 {key}：{exc.strerror}", permanent=False) from exc

    def hold(self, key: str, on: bool) -> None:
        """Nothing to do: the folder has no legal hold; the database's hold stops the purge."""

    def describe(self) -> str:
        """Return the folder's absolute path."""
        return f"文件夹 {self.root.resolve()}"
