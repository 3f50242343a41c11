"""A tiny WebSocket server for the Media Streams tests: a real socket on 127.0.0.1 that keeps what it gets."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

# What the test server does once `start` has arrived on a connection: (connection, its record) → None.
Script = Callable[[ServerConnection, "Seen"], None]


@dataclass
class Seen:
    """One connection: its path, handshake headers and every message it received, in order."""

    path: str
    headers: Headers
    messages: list[dict[str, Any]] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)

    def events(self) -> list[str]:
        return [m["event"] for m in self.messages]

    def of(self, event: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["event"] == event]


class StreamServer:
    """Accepts streams at ws://127.0.0.1:PORT/...; a path in `refuse` answers the handshake with 403."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.scripts: dict[str, Script] = {}
        self.refuse: set[str] = set()
        self.url = ""
        self._server: Server | None = None

    def _check(self, conn: ServerConnection, request: Request) -> Response | None:
        if request.path in self.refuse:
            return conn.respond(403, "no\n")
        return None

    def _handle(self, conn: ServerConnection) -> None:
        assert conn.request is not None
        seen = Seen(conn.request.path, conn.request.headers)
        self.seen.append(seen)
        script = self.scripts.get(conn.request.path)
        try:
            for raw in conn:
                message = json.loads(raw)
                seen.messages.append(message)
                if message["event"] == "start" and script is not None:
                    threading.Thread(target=script, args=(conn, seen), daemon=True).start()
        finally:
            seen.closed.set()

    def on(self, path: str) -> Callable[[Script], Script]:
        def add(fn: Script) -> Script:
            self.scripts[path] = fn
            return fn

        return add


@contextmanager
def stream_server() -> Iterator[StreamServer]:
    box = StreamServer()
    server = serve(box._handle, "127.0.0.1", 0, process_request=box._check, compression=None)
    box._server = server
    box.url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        thread.join(5)
