"""The services one process shares: settings, database, clock, task types, scripts, gateway and speech.

Built once by a composition root (`create_app`, the scheduler, a CLI command) and handed down; the web app
keeps them in `app.extensions["dialer"]`, never in module globals.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

from dialer.clock import Clock, SystemClock
from dialer.holidays import load_work_calendar
from dialer.ivr.versions import ScriptBook
from dialer.model import Database, open_database
from dialer.policy.rules import DialRules, TaskTypeRules, Window
from dialer.settings import Settings
from dialer.tasktypes import load_task_types

if TYPE_CHECKING:
    from dialer.gateway.client import Gateway
    from dialer.speech import SpeechModel

EXTENSION_KEY = "dialer"
SPEECH_THREADS = 4


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    task_types: dict[str, TaskTypeRules]
    scripts: ScriptBook
    gateway: Gateway | None = None  # the web app's and the scheduler's client; None where nothing dials
    speech: SpeechModel | None = None  # None: answers by keys only
    # Answers are transcribed here, so a slow one can be given up at its deadline while the request goes on.
    speech_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=SPEECH_THREADS, thread_name_prefix="speech")
    )
    # SQLite has one writer: this process's writers take turns here rather than in SQLite's busy-wait loop.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    _dial_rules: DialRules | None = None

    @property
    def dial_rules(self) -> DialRules:
        """The task types, working-day calendar and windows, read once."""
        if self._dial_rules is None:
            self._dial_rules = load_dial_rules(self.settings, self.task_types)
        return self._dial_rules

    def require_gateway(self) -> Gateway:
        """Return the gateway client; a process built without one has no business calling out."""
        if self.gateway is None:
            raise RuntimeError("these services were built without a gateway client")
        return self.gateway

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        db: Database | None = None,
        gateway: Gateway | None = None,
        speech: SpeechModel | None = None,
    ) -> Services:
        """Open the database and read the task types for `settings`."""
        return cls(
            settings=settings,
            db=db or open_database(settings.database_url, audit_key=settings.audit_key),
            clock=clock or SystemClock(),
            task_types=load_task_types(settings.config_dir),
            scripts=ScriptBook(settings.scripts_dir),
            gateway=gateway,
            speech=speech,
        )

    def close(self) -> None:
        """Stop the transcription threads and close the database's connections."""
        self.speech_pool.shutdown(wait=True)
        self.db.dispose()


def load_dial_rules(settings: Settings, types: dict[str, TaskTypeRules] | None = None) -> DialRules:
    """Read the task types, the holiday overrides and the call windows."""
    return DialRules(
        types=types if types is not None else load_task_types(settings.config_dir),
        calendar=load_work_calendar(settings.config_dir),
        windows=tuple(Window.parse(w) for w in settings.call_windows),
    )


def services(app: Flask | None = None) -> Services:
    """Return the services of `app` (or of the current request's app)."""
    target = app or current_app
    svc: Services = target.extensions[EXTENSION_KEY]
    return svc
