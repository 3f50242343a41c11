"""Typed settings, read once from `config/*.toml` and the environment.

Order of precedence (last wins): the field default, `config/default.toml`, `config/local.toml`
(or the file named by `DIALER_CONFIG_FILE`), then environment variables. The TOML files use the
same keys as the environment (`DIALER_DATABASE_URL = "..."`). A secret may also come from a file
named by `NAME_FILE` (for example `TWILIO_AUTH_TOKEN_FILE=/run/secrets/token`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialer.errors import SettingsError
from dialer.profiles import PROFILES, Profile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_ACCOUNT_SID = "AC" + "d1a1e5" * 5 + "00"
DEV_AUTH_TOKEN = "dev-emulator-token-not-for-production"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
MACHINE_DETECTION = ("async", "sync", "off")
TWILIO_WEBHOOK_WAIT = 15.0  # seconds Twilio waits for a webhook's answer before it gives up on the call


def env(name: str, default: Any, *, secret: bool = False, doc: str = "") -> Any:
    """Declare a setting read from environment variable `name`."""
    return field(default=default, metadata={"env": name, "secret": secret, "doc": doc})


@dataclass(frozen=True)
class Settings:
    """Every setting the service reads. Tests build one directly: `Settings(database_url=...)`."""

    database_url: str = env(
        "DIALER_DATABASE_URL", "sqlite:///var/dialer.sqlite3", doc="SQLAlchemy URL; SQLite file by default"
    )
    public_url: str = env(
        "DIALER_PUBLIC_URL", "http://127.0.0.1:8000", doc="Base URL the gateway reaches the webhooks at"
    )
    recordings_dir: Path = env("DIALER_RECORDINGS_DIR", Path("recordings"), doc="Where audio is stored")
    var_dir: Path = env("DIALER_VAR_DIR", Path("var"), doc="Runtime state: SQLite file, logs, caches")
    config_dir: Path = env("DIALER_CONFIG_DIR", PROJECT_ROOT / "config", doc="Folder of the TOML files")
    scripts_dir: Path = env("DIALER_SCRIPTS_DIR", PROJECT_ROOT / "ivr_scripts", doc="Folder of call scripts")
    timezone: str = env("DIALER_TIMEZONE", "Asia/Shanghai", doc="Default time zone of customers")
    phone_region: str = env("DIALER_PHONE_REGION", "CN", doc="Region for numbers written without +")
    twilio_account_sid: str = env("TWILIO_ACCOUNT_SID", DEV_ACCOUNT_SID, doc="Gateway account SID")
    twilio_auth_token: str = env(
        "TWILIO_AUTH_TOKEN", DEV_AUTH_TOKEN, secret=True, doc="Gateway auth token; signs webhooks"
    )
    twilio_from_number: str = env("TWILIO_FROM_NUMBER", "+862161234567", doc="Caller ID, E.164")
    gateway_url: str = env(
        "DIALER_GATEWAY_URL", "http://127.0.0.1:8765", doc="Empty = real Twilio; else a compatible gateway"
    )
    gateway_profile: str = env(
        "DIALER_GATEWAY_PROFILE", "twilio", doc="What the gateway can do: twilio, signalwire or somleng"
    )
    gateway_signing_key: str = env(
        "DIALER_GATEWAY_SIGNING_KEY", "", secret=True, doc="SignalWire: the project's webhook signing key"
    )
    vosk_model_path: str = env("VOSK_MODEL_PATH", "", doc="Vosk model folder; empty = keys only")
    secret_key: str = env("DIALER_SECRET_KEY", "", secret=True, doc="Signs console sessions")
    call_windows: tuple[str, ...] = env(
        "DIALER_CALL_WINDOWS", ("10:00-12:00", "15:00-17:00"), doc="Local windows a call may start in"
    )
    max_calls_per_second: float = env("DIALER_MAX_CPS", 1.0, doc="Outbound calls per second, at most")
    max_concurrent_calls: int = env(
        "DIALER_MAX_CONCURRENT_CALLS", 2, doc="Calls in flight, at most (a new Twilio account may have 2-3)"
    )
    ring_timeout: int = env("DIALER_RING_TIMEOUT", 30, doc="Seconds to let a call ring")
    tick_seconds: float = env("DIALER_TICK_SECONDS", 5.0, doc="Scheduler pass interval")
    claim_lease_seconds: int = env("DIALER_CLAIM_LEASE_SECONDS", 120, doc="A claim expires after this")
    agent_phones: tuple[str, ...] = env("DIALER_AGENT_PHONES", ("+862161230001",), doc="Agents to dial")
    agent_wait_seconds: int = env("DIALER_AGENT_WAIT_SECONDS", 60, doc="Queue wait before apologising")
    say_voice: str = env("DIALER_SAY_VOICE", "Polly.Zhiyu", doc="TTS voice for <Say>")
    say_language: str = env("DIALER_SAY_LANGUAGE", "cmn-CN", doc="TTS language for <Say>")
    answer_budget_seconds: float = env(
        "DIALER_ANSWER_BUDGET", 5.0, doc="Time to fetch and transcribe one answer; the answer webhook's limit"
    )
    record_timeout: int = env(
        "DIALER_RECORD_TIMEOUT", 3, doc="Seconds of silence that end a spoken answer on the <Record> path"
    )
    machine_detection: str = env(
        "DIALER_MACHINE_DETECTION",
        "async",
        doc="Answering-machine detection on customer calls: async, sync or off",
    )
    customer_channel: int = env(
        "DIALER_CUSTOMER_CHANNEL",
        1,
        doc="Channel of a dual-channel call recording that holds the customer: 0 (left) or 1 (right)",
    )
    delete_gateway_recordings: bool = env(
        "DIALER_DELETE_GATEWAY_RECORDINGS", False, doc="Delete the gateway's copy after a verified download"
    )
    problem_sla_working_days: int = env("DIALER_PROBLEM_SLA_DAYS", 15, doc="Problem-case SLA")
    repeat_window_days: int = env(
        "DIALER_REPEAT_WINDOW_DAYS", 365, doc="Days in which problems on the same matter count as repeats"
    )
    hotline: str = env("DIALER_HOTLINE", "", doc="Customer-service number the scripts speak")
    emulator_cps: float = env("DIALER_EMULATOR_CPS", 50.0, doc="Emulator's calls-per-second pacing")
    log_level: str = env("DIALER_LOG_LEVEL", "INFO", doc="Logging level")
    elderly_age: int = env("DIALER_ELDERLY_AGE", 60, doc="Offer a person at the start to customers this old")
    company_name: str = env("DIALER_COMPANY_NAME", "安信", doc="Company name the scripts say")
    import_max_rows: int = env("DIALER_IMPORT_MAX_ROWS", 100_000, doc="Data rows one call list may hold")
    import_max_columns: int = env("DIALER_IMPORT_MAX_COLUMNS", 200, doc="Columns one call list may hold")
    import_max_xlsx_mb: int = env(
        "DIALER_IMPORT_MAX_XLSX_MB", 200, doc="An XLSX list's size once uncompressed, in MB, at most"
    )
    # The recordings store and archive.
    recordings_url: str = env(
        "DIALER_RECORDINGS_URL",
        "",
        doc="Empty = the folder DIALER_RECORDINGS_DIR; s3://bucket/prefix = object store",
    )
    s3_endpoint_url: str = env("DIALER_S3_ENDPOINT_URL", "", doc="S3-compatible endpoint; empty = AWS")
    s3_region: str = env("DIALER_S3_REGION", "us-east-1", doc="S3 region name")
    s3_access_key_id: str = env(
        "DIALER_S3_ACCESS_KEY_ID", "", doc="S3 access key; empty = boto3's own lookup"
    )
    s3_secret_access_key: str = env("DIALER_S3_SECRET_ACCESS_KEY", "", secret=True, doc="S3 secret key")
    s3_lock_mode: str = env(
        "DIALER_S3_LOCK_MODE", "COMPLIANCE", doc="Object lock mode: COMPLIANCE or GOVERNANCE"
    )
    recordings_codec: str = env(
        "DIALER_RECORDINGS_CODEC",
        "opus",
        doc="Archive codec of full-call recordings: opus or wav (keep as is)",
    )
    recording_max_tries: int = env(
        "DIALER_RECORDING_MAX_TRIES", 8, doc="Download tries before a recording is marked failed"
    )
    qa_sample_per_agent: int = env(
        "DIALER_QA_SAMPLE_PER_AGENT", 5, doc="Calls drawn per agent each month for the quality check (质检)"
    )
    qa_checklist: tuple[str, ...] = env(
        "DIALER_QA_CHECKLIST",
        ("开场白规范", "身份核实", "逐项提示", "未作不当承诺", "结束语"),
        doc="Items each sampled call is scored on (符合/不符合)",
    )
    receipt_max_mb: int = env(
        "DIALER_RECEIPT_MAX_MB", 10, doc="Largest signed receipt (回执) of a manual follow-up, in MB (1-50)"
    )
    audit_key: str = env("DIALER_AUDIT_KEY", "", secret=True, doc="Keys the audit log's HMAC chain")
    session_idle_minutes: int = env(
        "DIALER_SESSION_IDLE_MINUTES", 30, doc="Console sign-in ends after this idle"
    )
    session_max_hours: int = env(
        "DIALER_SESSION_MAX_HOURS", 12, doc="Console sign-in ends this long after it began"
    )

    # Hearing answers live (`dialer ear`, Media Streams).
    listen: str = env(
        "DIALER_LISTEN",
        "auto",
        doc="How answers are heard: auto (stream where the profile has <Start> and DIALER_EAR_URL is set), "
        "stream or record",
    )
    ear_url: str = env("DIALER_EAR_URL", "", doc="ws(s):// URL of `dialer ear` the gateway streams calls to")
    ear_end_silence_ms: int = env(
        "DIALER_EAR_END_SILENCE_MS", 400, doc="Silence after a heard answer word that ends the answer (ms)"
    )

    def __post_init__(self) -> None:
        _check(self)
        _check_listen(self)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def uses_real_twilio(self) -> bool:
        return not self.gateway_url

    @property
    def profile(self) -> Profile:
        """Return what the gateway can do (DIALER_GATEWAY_PROFILE)."""
        return PROFILES[self.gateway_profile]

    @property
    def webhook_key(self) -> str:
        """Return the secret the gateway signs webhooks with: the signing key where it has one."""
        return self.gateway_signing_key if self.profile.signing_key else self.twilio_auth_token

    @property
    def hears_streams(self) -> bool:
        """Return whether answers are heard on a Media Stream (`<Start><Stream>`) rather than `<Record>`."""
        return self.listen != "record" and bool(self.ear_url) and "start" in self.profile.media_streams

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def describe(self) -> list[tuple[str, str, str]]:
        """Return (env name, value, doc) rows, secrets hidden."""
        rows = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            shown = "****" if f.metadata["secret"] and value else _render(value)
            rows.append((f.metadata["env"], shown, f.metadata["doc"]))
        return rows


def _render(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _check(s: Settings) -> None:
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"DIALER_TIMEZONE：不认识时区 {s.timezone!r}；请写成 Asia/Shanghai 这样的时区名"
        ) from exc
    if not s.public_url.startswith(("http://", "https://")):
        raise SettingsError("DIALER_PUBLIC_URL：必须以 http:// 或 https:// 开头")
    if s.gateway_url and not s.gateway_url.startswith(("http://", "https://")):
        raise SettingsError("DIALER_GATEWAY_URL：留空（使用 Twilio 本身）或填写 http(s):// 地址")
    _check_profile(s)
    if s.uses_real_twilio and s.twilio_auth_token == DEV_AUTH_TOKEN:
        raise SettingsError(
            "TWILIO_AUTH_TOKEN：内置的开发用密钥不能用于真实的 Twilio；"
            "请设置 TWILIO_AUTH_TOKEN 或 TWILIO_AUTH_TOKEN_FILE"
        )
    if not s.twilio_from_number.startswith("+"):
        raise SettingsError("TWILIO_FROM_NUMBER：必须是带国家码的号码，例如 +862161234567")
    _check_positive(s)
    if s.answer_budget_seconds >= TWILIO_WEBHOOK_WAIT:
        raise SettingsError(
            f"DIALER_ANSWER_BUDGET：{s.answer_budget_seconds:g} 秒太长，网关最多等待 webhook "
            f"{TWILIO_WEBHOOK_WAIT:g} 秒；请设为 10 秒以下（默认 5 秒）"
        )
    if s.machine_detection not in MACHINE_DETECTION:
        raise SettingsError(
            f"DIALER_MACHINE_DETECTION：不认识 {s.machine_detection!r}；请设为 async（默认，边播放边识别）、"
            "sync（识别完再播放）或 off（不识别）"
        )
    if s.customer_channel not in (0, 1):
        raise SettingsError(
            f"DIALER_CUSTOMER_CHANNEL：只能是 0（左声道）或 1（右声道），得到 {s.customer_channel}；"
            "请按网关的双声道录音设置"
        )
    _check_windows(s.call_windows)
    _check_console(s)
    if s.recordings_codec not in ("opus", "wav"):
        raise SettingsError(f"DIALER_RECORDINGS_CODEC：只能是 opus 或 wav，现在是 {s.recordings_codec!r}")
    if s.recordings_url and not s.recordings_url.startswith("s3://"):
        raise SettingsError("DIALER_RECORDINGS_URL：留空（保存在录音文件夹）或写成 s3://存储桶/前缀")
    if s.s3_lock_mode not in ("COMPLIANCE", "GOVERNANCE"):
        raise SettingsError("DIALER_S3_LOCK_MODE：只能是 COMPLIANCE 或 GOVERNANCE")
    if s.recording_max_tries < 1:
        raise SettingsError("DIALER_RECORDING_MAX_TRIES：至少为 1")


def _check_positive(s: Settings) -> None:
    for name, value in (
        ("DIALER_MAX_CPS", s.max_calls_per_second),
        ("DIALER_MAX_CONCURRENT_CALLS", s.max_concurrent_calls),
        ("DIALER_RING_TIMEOUT", s.ring_timeout),
        ("DIALER_TICK_SECONDS", s.tick_seconds),
        ("DIALER_CLAIM_LEASE_SECONDS", s.claim_lease_seconds),
        ("DIALER_ANSWER_BUDGET", s.answer_budget_seconds),
        ("DIALER_RECORD_TIMEOUT", s.record_timeout),
        ("DIALER_EMULATOR_CPS", s.emulator_cps),
        ("DIALER_IMPORT_MAX_ROWS", s.import_max_rows),
        ("DIALER_IMPORT_MAX_COLUMNS", s.import_max_columns),
        ("DIALER_IMPORT_MAX_XLSX_MB", s.import_max_xlsx_mb),
        ("DIALER_SESSION_IDLE_MINUTES", s.session_idle_minutes),
        ("DIALER_SESSION_MAX_HOURS", s.session_max_hours),
    ):
        if value <= 0:
            raise SettingsError(f"{name}：必须大于 0，现在是 {value}")


LISTEN_MODES = ("auto", "stream", "record")


def _check_listen(s: Settings) -> None:
    """Check how answers are heard: the mode, and the ear's URL where streams are asked for."""
    if s.listen not in LISTEN_MODES:
        raise SettingsError(
            f"DIALER_LISTEN：不认识 {s.listen!r}；请设为 auto（默认，线路支持时实时听）、stream（实时听）"
            "或 record（录完再听）"
        )
    if s.ear_url and not s.ear_url.startswith(("ws://", "wss://")):
        raise SettingsError(
            f"DIALER_EAR_URL：{s.ear_url!r} 不是 ws:// 或 wss:// 地址；请填 dialer ear 的地址"
        )
    if s.listen == "stream" and not s.ear_url:
        raise SettingsError(
            "DIALER_LISTEN=stream 需要 DIALER_EAR_URL（dialer ear 的 ws:// 地址）；请填写或改为 auto"
        )
    if s.ear_end_silence_ms < 100:
        raise SettingsError(f"DIALER_EAR_END_SILENCE_MS：至少 100 毫秒，得到 {s.ear_end_silence_ms}")


def _check_profile(s: Settings) -> None:
    """Check the gateway profile and what it needs: the URL, the account id's form, a signing key."""
    if s.gateway_profile not in PROFILES:
        raise SettingsError(
            f"DIALER_GATEWAY_PROFILE: 未知的线路类型 {s.gateway_profile!r}，请填 {'、'.join(PROFILES)} 之一"
        )
    profile = s.profile
    twilio_form = s.twilio_account_sid.startswith("AC") and len(s.twilio_account_sid) == 34
    if not profile.uuid_ids and not twilio_form:
        raise SettingsError("TWILIO_ACCOUNT_SID: must be 'AC' followed by 32 hex digits")
    if profile.uuid_ids and not (twilio_form or _is_uuid(s.twilio_account_sid)):
        raise SettingsError(
            f"TWILIO_ACCOUNT_SID: {profile.label} 的账户（项目）编号应为 36 位的 UUID，"
            "例如 6f0c4d7e-1b2a-4c3d-9e8f-0a1b2c3d4e5f；请从控制台复制"
        )
    if profile.name != "twilio" and not s.gateway_url:
        raise SettingsError(
            f"DIALER_GATEWAY_URL: {profile.label} 线路必须填写其 API 地址（例如 https://example.signalwire.com）"
        )
    if profile.signing_key and not s.gateway_signing_key:
        raise SettingsError(
            f"DIALER_GATEWAY_SIGNING_KEY: {profile.label} 用单独的签名密钥签署回调，"
            "请在其控制台的 API 页面复制 Signing Key 填入（或用 DIALER_GATEWAY_SIGNING_KEY_FILE）"
        )


def _check_console(s: Settings) -> None:
    """Check the settings of the console's work: quality checks and manual follow-up receipts."""
    _check_qa(s)
    if not 1 <= s.receipt_max_mb <= 50:  # the console takes no upload over 50 MB (dialer.web.guard)
        raise SettingsError(
            f"DIALER_RECEIPT_MAX_MB：回执大小上限须在 1 到 50 之间（MB），当前为 {s.receipt_max_mb}"
        )


def _check_qa(s: Settings) -> None:
    if s.qa_sample_per_agent <= 0:
        raise SettingsError(
            f"DIALER_QA_SAMPLE_PER_AGENT: must be greater than zero, got {s.qa_sample_per_agent}"
        )
    items = s.qa_checklist
    if not items or len(set(items)) != len(items):
        raise SettingsError(
            'DIALER_QA_CHECKLIST：质检项目不能为空，也不能重复；请列出各项名称，如 ["开场白规范", "结束语"]'
        )


def _is_uuid(value: str) -> bool:
    parts = value.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(
        c in "0123456789abcdefABCDEF" for c in "".join(parts)
    )


def _check_windows(windows: tuple[str, ...]) -> None:
    for w in windows:
        try:
            start, end = w.split("-")
            sh, sm = (int(x) for x in start.split(":"))
            eh, em = (int(x) for x in end.split(":"))
        except ValueError as exc:
            raise SettingsError(f"DIALER_CALL_WINDOWS: {w!r} is not HH:MM-HH:MM") from exc
        if not (0 <= sh < 24 and 0 <= eh <= 24 and 0 <= sm < 60 and 0 <= em < 60 and (sh, sm) < (eh, em)):
            raise SettingsError(f"DIALER_CALL_WINDOWS: {w!r} is not a valid window (start before end)")


def _coerce(name: str, raw: Any, kind: Any) -> Any:
    """Turn a raw TOML or environment value into the field's type, naming the key on failure."""
    origin = typing.get_origin(kind)
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError(f"expected true/false, got {raw!r}")
        if kind is int:
            if isinstance(raw, bool):
                raise ValueError(f"expected an integer, got {raw!r}")
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is Path:
            return Path(str(raw))
        if origin is tuple:
            items = raw if isinstance(raw, list) else str(raw).split(",")
            return tuple(str(x).strip() for x in items if str(x).strip())
        if kind is str:
            if not isinstance(raw, str):
                raise ValueError(f"expected a string, got {raw!r}")
            return raw
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from exc
    raise SettingsError(f"{name}: unsupported setting type {kind!r}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc
    return {k: v for k, v in data.items() if not isinstance(v, dict)}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings once from config files and the environment; stop with a message naming a bad key."""
    environ = os.environ if environ is None else environ
    hints = typing.get_type_hints(Settings)
    fields = {f.metadata["env"]: f for f in dataclasses.fields(Settings)}
    config_dir = Path(environ.get("DIALER_CONFIG_DIR", str(PROJECT_ROOT / "config")))
    raw: dict[str, Any] = {}
    files = [config_dir / "default.toml", Path(environ.get("DIALER_CONFIG_FILE", config_dir / "local.toml"))]
    for path in files:
        if path.is_file():
            data = _read_toml(path)
            unknown = sorted(set(data) - set(fields))
            if unknown:
                raise SettingsError(f"{path}: unknown setting {unknown[0]}; see config/example.env")
            raw.update(data)
    for name, f in fields.items():
        if f.metadata["secret"] and environ.get(name + "_FILE"):
            raw[name] = _read_secret_file(name, Path(environ[name + "_FILE"]))
        elif name in environ:
            raw[name] = environ[name]
    values = {f.name: _coerce(name, raw[name], hints[f.name]) for name, f in fields.items() if name in raw}
    values.update(overrides)
    return Settings(**values)


def _read_secret_file(name: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"{name}_FILE: cannot read {path} ({exc.strerror})") from exc
