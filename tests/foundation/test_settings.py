"""Settings are read once, typed, and a bad value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.errors import SettingsError
from dialer.settings import DEV_AUTH_TOKEN, Settings, load_settings


def test_it_reads_environment_over_defaults() -> None:
    s = load_settings({"DIALER_MAX_CPS": "2.5", "DIALER_CALL_WINDOWS": "09:30-11:30, 14:00-16:00"})
    assert s.max_calls_per_second == 2.5
    assert s.call_windows == ("09:30-11:30", "14:00-16:00")
    assert s.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"DIALER_MAX_CPS": "fast"}, "DIALER_MAX_CPS"),
        ({"DIALER_DELETE_GATEWAY_RECORDINGS": "maybe"}, "DIALER_DELETE_GATEWAY_RECORDINGS"),
        ({"DIALER_TIMEZONE": "Mars/Olympus"}, "DIALER_TIMEZONE"),
        ({"DIALER_CALL_WINDOWS": "12:00-10:00"}, "DIALER_CALL_WINDOWS"),
        ({"DIALER_MAX_CONCURRENT_CALLS": "0"}, "DIALER_MAX_CONCURRENT_CALLS"),
        ({"DIALER_PUBLIC_URL": "ftp://x"}, "DIALER_PUBLIC_URL"),
        ({"TWILIO_ACCOUNT_SID": "nope"}, "TWILIO_ACCOUNT_SID"),
        ({"DIALER_CUSTOMER_CHANNEL": "2"}, "DIALER_CUSTOMER_CHANNEL"),
        ({"DIALER_MACHINE_DETECTION": "maybe"}, "DIALER_MACHINE_DETECTION"),
        ({"DIALER_ANSWER_BUDGET": "20"}, "DIALER_ANSWER_BUDGET"),  # past Twilio's 15 s webhook wait
        (
            {"DIALER_RECORD_TIMEOUT": "0"},
            "DIALER_RECORD_TIMEOUT",
        ),  # a recording that ends at once hears nothing
    ],
)
def test_a_bad_value_stops_start_up_naming_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        load_settings(env)


def test_a_secret_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("s3cret-token\n")
    s = load_settings({"TWILIO_AUTH_TOKEN_FILE": str(secret)})
    assert s.twilio_auth_token == "s3cret-token"


def test_an_unreadable_secret_file_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TWILIO_AUTH_TOKEN_FILE"):
        load_settings({"TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "missing")})


def test_real_twilio_refuses_the_development_token() -> None:
    with pytest.raises(SettingsError, match="TWILIO_AUTH_TOKEN"):
        load_settings({"DIALER_GATEWAY_URL": ""})
    assert load_settings({"DIALER_GATEWAY_URL": "", "TWILIO_AUTH_TOKEN": "real"}).uses_real_twilio


def test_config_files_use_the_same_keys_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "default.toml").write_text('DIALER_TIMEZONE = "Asia/Urumqi"\nDIALER_RING_TIMEOUT = 45\n')
    (tmp_path / "local.toml").write_text("DIALER_RING_TIMEOUT = 50\n")
    s = load_settings({"DIALER_CONFIG_DIR": str(tmp_path), "DIALER_TIMEZONE": "Asia/Shanghai"})
    assert s.ring_timeout == 50
    assert s.timezone == "Asia/Shanghai"


def test_an_unknown_key_in_a_config_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "default.toml").write_text('DIALER_TIMEZONEE = "Asia/Shanghai"\n')
    with pytest.raises(SettingsError, match="DIALER_TIMEZONEE"):
        load_settings({"DIALER_CONFIG_DIR": str(tmp_path)})


def test_the_shipped_default_toml_and_example_env_name_real_settings() -> None:
    s = load_settings({})
    assert s.twilio_auth_token == DEV_AUTH_TOKEN
    root = Path(__file__).resolve().parents[2]
    names = {row[0] for row in s.describe()}
    example = (root / "config" / "example.env").read_text(encoding="utf-8")
    listed = {line.split("=")[0].lstrip("# ").strip() for line in example.splitlines() if "=" in line}
    assert names <= listed, f"example.env lacks {sorted(names - listed)}"


def test_tests_build_settings_directly() -> None:
    s = Settings(database_url="sqlite://")
    assert s.replace(ring_timeout=20).ring_timeout == 20


def test_the_gateway_profile_is_read_and_an_unknown_one_is_named() -> None:
    assert load_settings({}).profile.name == "twilio"
    s = load_settings(
        {"DIALER_GATEWAY_PROFILE": "somleng", "TWILIO_ACCOUNT_SID": "6f0c4d7e-1b2a-4c3d-9e8f-0a1b2c3d4e5f"}
    )
    assert s.profile.label == "Somleng" and not s.profile.enqueue
    with pytest.raises(SettingsError, match=r"DIALER_GATEWAY_PROFILE.*twilio、signalwire、somleng"):
        load_settings({"DIALER_GATEWAY_PROFILE": "telnyx"})


def test_signalwire_needs_its_signing_key_and_signs_with_it() -> None:
    with pytest.raises(SettingsError, match="DIALER_GATEWAY_SIGNING_KEY"):
        load_settings({"DIALER_GATEWAY_PROFILE": "signalwire"})
    s = load_settings({"DIALER_GATEWAY_PROFILE": "signalwire", "DIALER_GATEWAY_SIGNING_KEY": "PSK123"})
    assert s.webhook_key == "PSK123"
    assert ("DIALER_GATEWAY_SIGNING_KEY", "****") in [(name, shown) for name, shown, _ in s.describe()]
    assert load_settings({"DIALER_GATEWAY_SIGNING_KEY": "PSK123"}).webhook_key == DEV_AUTH_TOKEN


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DIALER_GATEWAY_PROFILE": "somleng", "DIALER_GATEWAY_URL": ""}, "DIALER_GATEWAY_URL"),
        ({"DIALER_GATEWAY_PROFILE": "somleng", "TWILIO_ACCOUNT_SID": "not-a-uuid"}, "36 位的 UUID"),
        ({"TWILIO_ACCOUNT_SID": "6f0c4d7e-1b2a-4c3d-9e8f-0a1b2c3d4e5f"}, "'AC' followed by 32 hex digits"),
    ],
)
def test_a_profile_names_what_it_needs(env: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        load_settings(env)
