"""The web process's composition root: `create_app(settings)` builds the Flask app."""

from __future__ import annotations

import importlib
import logging
import secrets
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from dialer.clock import Clock
from dialer.model import MAX_ID
from dialer.services import EXTENSION_KEY, Services
from dialer.settings import Settings, load_settings

# Each module defines `init_app(app)`; missing ones (rooms not built yet) are skipped.
BLUEPRINT_MODULES = ("dialer.ivr.webhooks", "dialer.web")


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` limited to the ids a row can have."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def load_speech(settings: Settings) -> object:
    """Load the Vosk model named by VOSK_MODEL_PATH once for this process; None (keys only) when unset."""
    if not settings.vosk_model_path:
        return None
    from dialer.speech import load_model
    from dialer.speech.standin import is_standin

    # The test stand-in lacks most Chinese words by design; a production model must have every grammar word.
    return load_model(settings.vosk_model_path, strict=not is_standin(settings.vosk_model_path))


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, speech: object = None
) -> Flask:
    """Build the app: webhooks for the gateway and pages for agents, compliance officers and admins."""
    settings = settings or load_settings()
    app = Flask("dialer", static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,
    )
    # Route ids are database ids: an out-of-range number matches no route (404), never a database error.
    app.url_map.converters["int"] = DatabaseIdConverter
    svc = Services.build(settings, clock=clock)
    svc.speech = speech if speech is not None else load_speech(settings)
    app.extensions[EXTENSION_KEY] = svc
    logging.getLogger("dialer").setLevel(settings.log_level.upper())
    for name in BLUEPRINT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "\0"):
                raise
            continue
        module.init_app(app)
    return app
