"""Serve a WSGI app on 127.0.0.1 for a test: a free port, a daemon thread, and a clean shutdown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

from dialer.emulator.server import QuietHandler


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` (threaded, access log off) on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
