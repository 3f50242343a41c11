"""The services one process shares: settings, database, clock, task types and the speech model.

Built once by a composition root (`create_app`, the scheduler, a CLI command) and handed down; the web app
keeps them in `app.extensions["dialer"]`, never in module globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from dialer.clock import Clock, SystemClock
from dialer.holidays import load_work_calendar
from dialer.model import Database, open_database
from dialer.model.outcomes import DialRules
from dialer.policy.rules import TaskTypeRules, Window
from dialer.settings import Settings
from dialer.tasktypes import load_task_types

EXTENSION_KEY = "dialer"


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    task_types: dict[str, TaskTypeRules]
    speech: Any = None  # a dialer.speech SpeechModel, or None: answers by keys only
    extra: dict[str, Any] = field(default_factory=dict)
    _dial_rules: DialRules | None = None

    @property
    def dial_rules(self) -> DialRules:
        """The task types, working-day calendar and windows, read once."""
        if self._dial_rules is None:
            self._dial_rules = load_dial_rules(self.settings, self.task_types)
        return self._dial_rules

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None, db: Database | None = None) -> Services:
        """Open the database and read the task types for `settings`."""
        return cls(
            settings=settings,
            db=db or open_database(settings.database_url, audit_key=settings.audit_key),
            clock=clock or SystemClock(),
            task_types=load_task_types(settings.config_dir),
        )


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
