"""The dialler: `Dialer.tick()` makes one pass; `run_scheduler()` runs it on an APScheduler interval."""

from __future__ import annotations

import os
import socket

from dialer.gateway.client import Gateway
from dialer.model import Database
from dialer.scheduler.tick import Dialer, PlannedCall, TickReport
from dialer.services import load_dial_rules
from dialer.settings import Settings

__all__ = ["Dialer", "PlannedCall", "TickReport", "build_dialer", "worker_name"]


def worker_name() -> str:
    """Return this process's name in claims: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_dialer(
    settings: Settings, db: Database, *, with_gateway: bool = True, gateway: Gateway | None = None
) -> Dialer:
    """Build a Dialer for this process from the settings (gateway omitted for a dry run)."""
    if gateway is None and with_gateway:
        gateway = Gateway(settings)
    return Dialer(settings, db, gateway, load_dial_rules(settings), worker_name())
