"""The web process's composition root: `create_app(settings)` builds the Flask app."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from dialer import ivr, web
from dialer.clock import Clock
from dialer.gateway.client import Gateway
from dialer.model import MAX_ID
from dialer.services import EXTENSION_KEY, Services
from dialer.settings import Settings, load_settings

if TYPE_CHECKING:
    from dialer.speech import SpeechModel


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` limited to the ids a row can have."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def load_speech(settings: Settings) -> SpeechModel | None:
    """Load the Vosk model named by VOSK_MODEL_PATH once for this process; None (keys only) when unset."""
    if not settings.vosk_model_path:
        return None
    from dialer.speech import load_model
    from dialer.speech.standin import is_standin

    # The test stand-in lacks most Chinese words by design; a production model must have every grammar word.
    return load_model(settings.vosk_model_path, strict=not is_standin(settings.vosk_model_path))


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, speech: SpeechModel | None = None
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
    app.extensions[EXTENSION_KEY] = Services.build(
        settings,
        clock=clock,
        gateway=Gateway(settings),
        speech=speech if speech is not None else load_speech(settings),
    )
    logging.getLogger("dialer").setLevel(settings.log_level.upper())
    ivr.init_app(app)
    web.init_app(app)
    return app
