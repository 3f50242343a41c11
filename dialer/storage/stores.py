"""The stores one process uses: the folder always, the object store when DIALER_RECORDINGS_URL names one."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialer.settings import Settings
from dialer.storage.base import Store, StoreError
from dialer.storage.folder import FolderStore


@dataclass
class Stores:
    """The folder store and, if configured, the object store; `main` is where new recordings go."""

    settings: Settings
    folder: FolderStore
    _s3: Store | None = field(default=None, repr=False)

    @property
    def main(self) -> Store:
        """The store new full-call recordings are written to."""
        return self.get("s3") if self.settings.recordings_url else self.folder

    def get(self, name: str) -> Store:
        """Return the store called `name` (folder or s3)."""
        if name == "folder":
            return self.folder
        if name == "s3":
            if not self.settings.recordings_url:
                raise StoreError("录音保存在对象存储中，但没有设置 DIALER_RECORDINGS_URL", permanent=True)
            if self._s3 is None:
                from dialer.storage.s3 import S3Store

                self._s3 = S3Store(self.settings)
            return self._s3
        raise StoreError(f"未知的录音存储 {name!r}", permanent=True)


def open_stores(settings: Settings) -> Stores:
    """Return the stores for `settings` (the object store is connected on first use)."""
    return Stores(settings, FolderStore(settings.recordings_dir))
