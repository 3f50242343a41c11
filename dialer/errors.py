"""Error types shared by every room. Each says whether trying again can help."""

from __future__ import annotations


class DialerError(Exception):
    """Base of every error this service raises on purpose."""

    permanent: bool = True

    def __init__(self, message: str, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if permanent is not None:
            self.permanent = permanent

    def __str__(self) -> str:
        return self.message


class SettingsError(DialerError):
    """A setting is missing or malformed; start-up stops."""


class CalendarDataMissing(DialerError):
    """The holiday calendar has no data for a year, so no call may be placed that year."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"没有 {year} 年的节假日数据：该年已停止拨打电话。"
            f"请升级 chinesecalendar 软件包，或在管理页面的节假日日历中录入 {year} 年的假日和调休上班日"
            "（也可写入 config/holidays.toml）。"
        )
        self.year = year


class GatewayError(DialerError):
    """The telephony gateway refused or failed a request."""

    def __init__(
        self, message: str, *, permanent: bool, code: int | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, permanent=permanent)
        self.code = code
        self.status = status


class ImportFileError(DialerError):
    """A call list cannot be read at all (wrong format, missing columns, unknown type)."""


class ModelNotAvailable(DialerError):
    """The speech model is missing or broken."""


class ScriptError(DialerError):
    """An IVR script is invalid."""
