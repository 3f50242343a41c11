"""Run `dialer ear` as its own process, as in production, against a line's settings."""

from __future__ import annotations

import socket

from dialer.ear.process import ear_process

__all__ = ["ear_process", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
