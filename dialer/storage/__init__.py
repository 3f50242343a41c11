"""The recordings store: a folder (default) or an S3-compatible object store with object lock.

A recording is kept under a key such as `2026/11/CA0123.ogg`. The database row says which store holds it
(`Recording.store`), so answer clips written by the IVR to the folder and full calls archived to S3 are both
found. This room knows no database, telephony or pages.
"""

from __future__ import annotations

from dialer.storage.base import Store, StoredObject, StoreError
from dialer.storage.folder import FolderStore
from dialer.storage.stores import Stores, open_stores

__all__ = ["FolderStore", "Store", "StoreError", "StoredObject", "Stores", "open_stores"]
