"""The S3 store: any S3-compatible object store (MinIO, Ceph, OSS, COS) through boto3.

Where the bucket has object lock, each kept object is written with a retention date (WORM) and a customer's
legal hold becomes the object's legal hold. Deleting removes every version, which the store refuses while an
object is still retained or held: the database's purge and the store's lock agree, and the lock wins.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from dialer.settings import Settings
from dialer.storage.base import CHUNK, StoredObject, StoreError

log = logging.getLogger("dialer.storage")
MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}
REFUSED = {"AccessDenied", "NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidRequest"}


def parse_url(url: str) -> tuple[str, str]:
    """Return (bucket, prefix) of an s3://bucket/prefix URL."""
    parts = urlparse(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise StoreError(f"DIALER_RECORDINGS_URL：{url!r} 不是 s3://存储桶/前缀 的形式", permanent=True)
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def _error(what: str, exc: Exception) -> StoreError:
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        text = exc.response.get("Error", {}).get("Message", "") or code
        return StoreError(f"对象存储{what}失败（{code}：{text}）", permanent=code in REFUSED)
    return StoreError(f"对象存储{what}失败，无法连接（{exc}）", permanent=False)


class S3Store:
    """Recordings as objects under `prefix` in one bucket."""

    name = "s3"

    def __init__(self, settings: Settings) -> None:
        self.bucket, self.prefix = parse_url(settings.recordings_url)
        self.endpoint = settings.s3_endpoint_url or None
        self.lock_mode = settings.s3_lock_mode
        keys: dict[str, Any] = {}
        if settings.s3_access_key_id:
            keys = {"aws_access_key_id": settings.s3_access_key_id,
                    "aws_secret_access_key": settings.s3_secret_access_key}  # fmt: skip
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                        connect_timeout=5, read_timeout=30)  # fmt: skip
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name=settings.s3_region,
                                   config=config, **keys)  # fmt: skip
        self._locking: bool | None = None

    def _key(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise StoreError(f"录音的存放路径 {key!r} 无效，已拒绝", permanent=True)
        return self.prefix + key

    @property
    def locking(self) -> bool:
        """Whether the bucket has object lock switched on (asked once)."""
        if self._locking is None:
            try:
                conf = self.client.get_object_lock_configuration(Bucket=self.bucket)
                enabled = conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
            except ClientError as exc:
                if "ObjectLockConfigurationNotFound" not in str(exc):
                    raise _error("读取对象锁设置", exc) from exc
                enabled = False
                log.warning("bucket %s has no object lock: recordings are kept without WORM", self.bucket)
            except BotoCoreError as exc:
                raise _error("读取对象锁设置", exc) from exc
            self._locking = enabled
        return self._locking

    def put(self, key: str, data: bytes, content_type: str, *, retain_until: datetime | None = None,
            legal_hold: bool = False) -> None:  # fmt: skip
        """Upload in one request; the store checks the MD5 and writes the lock with the object."""
        args: dict[str, Any] = {
            "Bucket": self.bucket, "Key": self._key(key), "Body": data, "ContentType": content_type,
            "ContentMD5": base64.b64encode(hashlib.md5(data).digest()).decode(),
        }  # fmt: skip
        if self.locking and retain_until is not None:
            args |= {"ObjectLockMode": self.lock_mode, "ObjectLockRetainUntilDate": retain_until}
        if self.locking and legal_hold:
            args["ObjectLockLegalHoldStatus"] = "ON"
        try:
            self.client.put_object(**args)
        except (ClientError, BotoCoreError) as exc:
            raise _error("写入", exc) from exc

    def stat(self, key: str) -> StoredObject | None:
        """Return the object's size and lock, or None when it does not exist."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in MISSING:
                return None
            raise _error("读取", exc) from exc
        except BotoCoreError as exc:
            raise _error("读取", exc) from exc
        return StoredObject(key, int(head["ContentLength"]), head.get("ObjectLockRetainUntilDate"),
                            head.get("ObjectLockLegalHoldStatus") == "ON")  # fmt: skip

    def chunks(self, key: str, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Stream the bytes [start, stop) with one ranged GET."""
        if stop is not None and stop <= start:
            return
        rng = f"bytes={start}-{'' if stop is None else stop - 1}"
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key), Range=rng)["Body"]
            yield from body.iter_chunks(CHUNK)
        except (ClientError, BotoCoreError) as exc:
            raise _error("读取", exc) from exc

    def delete(self, key: str) -> None:
        """Delete every version of the object; the store refuses while it is retained or held."""
        full = self._key(key)
        try:
            listing = self.client.list_object_versions(Bucket=self.bucket, Prefix=full)
            versions = [v for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])
                        if v["Key"] == full]  # fmt: skip
            for v in versions:
                self.client.delete_object(Bucket=self.bucket, Key=full, VersionId=v["VersionId"])
            if not versions:
                self.client.delete_object(Bucket=self.bucket, Key=full)
        except (ClientError, BotoCoreError) as exc:
            raise _error("删除", exc) from exc

    def hold(self, key: str, on: bool) -> None:
        """Set or clear the object's legal hold (a bucket without object lock has none to set)."""
        if not self.locking:
            return
        try:
            self.client.put_object_legal_hold(Bucket=self.bucket, Key=self._key(key),
                                              LegalHold={"Status": "ON" if on else "OFF"})  # fmt: skip
        except (ClientError, BotoCoreError) as exc:
            raise _error("设置法律保留", exc) from exc

    def describe(self) -> str:
        """Return the bucket, prefix and endpoint, and check that the bucket answers."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise _error("连接", exc) from exc
        lock = "已启用对象锁定" if self.locking else "未启用对象锁定"
        return f"s3://{self.bucket}/{self.prefix}，服务地址 {self.endpoint or 'AWS'}（{lock}）"
