"""The recordings settings stop start-up with a message naming the key when they are wrong."""

from __future__ import annotations

import pytest

from dialer.errors import SettingsError
from dialer.settings import load_settings


@pytest.mark.parametrize(("name", "value", "says"), [
    ("DIALER_RECORDINGS_URL", "http://minio:9000/bucket", "s3://存储桶/前缀"),
    ("DIALER_RECORDINGS_CODEC", "flac", "只能是 opus 或 wav"),
    ("DIALER_S3_LOCK_MODE", "forever", "只能是 COMPLIANCE 或 GOVERNANCE"),
    ("DIALER_RECORDING_MAX_TRIES", "0", "至少为 1"),
])  # fmt: skip
def test_a_bad_recordings_setting_names_its_key(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings({name: value})
    assert says in str(caught.value)


def test_an_s3_url_is_accepted() -> None:
    s = load_settings(
        {"DIALER_RECORDINGS_URL": "s3://dialer-recordings/calls", "DIALER_RECORDINGS_CODEC": "wav"}
    )
    assert s.recordings_url == "s3://dialer-recordings/calls" and s.recordings_codec == "wav"
