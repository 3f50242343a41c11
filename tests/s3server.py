"""A real S3 API server for the tests: moto's standalone server, started as its own process on 127.0.0.1.

It speaks the S3 REST API over HTTP with object lock, versions and legal holds, as MinIO or Ceph would. It
does not prove what only a real store shows: durability, multi-part behaviour of large objects, the exact
error codes of a given vendor, or that a COMPLIANCE lock cannot be removed by the bucket's owner.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

from dialer.settings import Settings

KEY_ID, SECRET = "test-key-id", "test-secret-key"  # moto accepts any credentials


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's S3 server on a free loopback port; yield its endpoint URL."""
    port = _free_port()
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def client(endpoint: str):  # type: ignore[no-untyped-def]
    """Return a boto3 S3 client for the test server (for looking at what the store holds)."""
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)  # fmt: skip


def make_bucket(endpoint: str, name: str, *, lock: bool = True) -> None:
    """Create a bucket, with object lock (and so versioning) switched on unless `lock` is False."""
    client(endpoint).create_bucket(Bucket=name, ObjectLockEnabledForBucket=lock)


def on_s3(settings: Settings, endpoint: str, bucket: str, prefix: str = "calls") -> Settings:
    """Return `settings` with recordings kept in `bucket` on the test server."""
    return settings.replace(recordings_url=f"s3://{bucket}/{prefix}", s3_endpoint_url=endpoint,
                            s3_access_key_id=KEY_ID, s3_secret_access_key=SECRET)  # fmt: skip
