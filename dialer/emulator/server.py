"""Run the emulator: in a background thread for tests and demos, or in the foreground for `dialer emulator`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dialer.emulator.engine import Engine, EngineConfig
from dialer.emulator.inspect import call_report
from dialer.emulator.personas import PersonaBook
from dialer.emulator.rest import create_rest_app
from dialer.profiles import PROFILES
from dialer.settings import Settings


class Emulator:
    """A running emulator: `url` is its base URL; `calls()` returns the inspection data."""

    def __init__(self, engine: Engine, server: BaseWSGIServer) -> None:
        self.engine = engine
        self.server = server
        host = "127.0.0.1" if server.host in ("0.0.0.0", "") else server.host
        self.url = f"http://{host}:{server.port}"
        engine.base_url = self.url
        self._thread: threading.Thread | None = None

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self.server.serve_forever, name="emulator-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def calls(self) -> list[dict[str, Any]]:
        return [call_report(c, self.engine.store) for c in self.engine.store.calls()]

    def call(self, sid: str) -> dict[str, Any]:
        found = self.engine.store.call(sid)
        if found is None:
            raise KeyError(sid)
        return call_report(found, self.engine.store)

    def stop(self) -> None:
        """Hang up live calls and stop serving."""
        self.engine.stop()
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(5)


def build_emulator(
    settings: Settings,
    *,
    personas: Path | PersonaBook | None = None,
    speed: float = 1.0,
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: Path | None = None,
    cps: float | None = None,
    webhook_timeout: float = 15.0,
    max_queued: int = 1000,
    media_auth: bool = False,
    profile: str | None = None,
    clip_delay: float = 0.0,
    api_delay: float = 0.0,
) -> Emulator:
    """Build an emulator bound to host:port (port 0 picks a free one), not yet serving.

    It behaves as `profile` (default: DIALER_GATEWAY_PROFILE) and signs webhooks as that provider does.
    """
    book = personas if isinstance(personas, PersonaBook) else PersonaBook.load(personas)
    chosen = PROFILES[profile or settings.gateway_profile]
    if chosen.signing_key and not settings.gateway_signing_key:
        raise ValueError(
            f"{chosen.label} 用单独的签名密钥签署回调：请设置 DIALER_GATEWAY_SIGNING_KEY（与服务使用同一个）"
        )
    config = EngineConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        data_dir=(data_dir if data_dir is not None else settings.var_dir / "emulator").resolve(),
        personas=book,
        speed=speed,
        cps=cps if cps is not None else settings.emulator_cps,
        webhook_timeout=webhook_timeout,
        max_queued=max_queued,
        media_auth=media_auth,
        profile=chosen,
        signing_key=settings.gateway_signing_key,
        clip_delay=clip_delay,
        api_delay=api_delay,
    )
    engine = Engine(config)
    server = make_server(host, port, create_rest_app(engine), threaded=True, request_handler=QuietHandler)
    return Emulator(engine, server)


@contextmanager
def run_emulator(settings: Settings, **options: Any) -> Iterator[Emulator]:
    """Run an emulator in a background thread for the duration of a `with` block."""
    options.setdefault("port", 0)
    emu = build_emulator(settings, **options).start()
    try:
        yield emu
    finally:
        emu.stop()


class QuietHandler(WSGIRequestHandler):
    """Request handler that leaves access logs out of the test output and the console."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass
