"""The emulator's engine: state, pacing of new calls, and the services every call leg shares."""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import requests

from dialer.emulator import audio
from dialer.emulator.personas import Persona, PersonaBook
from dialer.emulator.queues import QueueBook
from dialer.emulator.state import Call, Store, new_sid
from dialer.emulator.webhooks import WebhookClient
from dialer.profiles import TWILIO, Profile

log = logging.getLogger(__name__)


class QueueFull(Exception):
    """More calls wait for pacing than the emulator holds; the REST API answers 20429."""


@dataclass(frozen=True)
class EngineConfig:
    """How an emulator instance behaves."""

    account_sid: str
    auth_token: str
    data_dir: Path
    personas: PersonaBook
    speed: float = 1.0
    cps: float = 50.0
    webhook_timeout: float = 15.0  # real seconds, as Twilio waits
    max_queued: int = 1000
    media_auth: bool = False  # require Basic auth on recording media ("Enforce HTTP Auth on Media URLs")
    profile: Profile = TWILIO  # which provider it behaves as: verbs, parameters, callbacks, ids, signatures
    signing_key: str = ""  # signs webhooks where the profile has a key of its own (SignalWire)
    clip_delay: float = 0.0  # real seconds a `<Record>` clip's media answers 404 after its action is sent
    api_delay: float = 0.0  # real seconds every REST API answer (not media) is held back: a slow gateway


class Engine:
    """Shared services and the pacing dispatcher that starts each queued call in its own thread."""

    def __init__(self, config: EngineConfig) -> None:
        if config.speed <= 0 or config.cps <= 0:
            raise ValueError("speed and cps must be greater than zero")
        self.config = config
        self.speed = config.speed
        self.store = Store()
        self.tts = audio.Tts(config.data_dir / "tts")
        self.recordings_dir = config.data_dir / "recordings"
        self.profile = config.profile
        key = config.signing_key if config.profile.signing_key else config.auth_token
        headers = tuple(dict.fromkeys((config.profile.signature_header, "X-Twilio-Signature")))
        self.webhooks = WebhookClient(key, config.webhook_timeout, headers)
        self.personas = config.personas
        self.queues = QueueBook()
        self.base_url = ""
        self._pending: queue.Queue[Call | None] = queue.Queue()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._media: dict[str, bytes] = {}
        self._dispatcher = threading.Thread(target=self._dispatch, name="emulator-pacing", daemon=True)
        self._dispatcher.start()

    def submit(self, call: Call) -> None:
        """Hold a new call `queued` until pacing lets it start."""
        if self._pending.qsize() >= self.config.max_queued:
            raise QueueFull(f"{self.config.max_queued} calls are already queued")
        self.store.add_call(call)
        call.log(0.0, "queued")
        self._pending.put(call)

    def _dispatch(self) -> None:
        from dialer.emulator.lifecycle import run_call

        interval = 1.0 / self.config.cps
        while (call := self._pending.get()) is not None:
            if call.status != "queued":
                continue  # canceled while queued: no callbacks at all
            thread = threading.Thread(
                target=self._guarded, args=(run_call, call), name=f"call-{call.sid[:10]}"
            )
            with self._lock:
                self._threads.add(thread)
            thread.start()
            time.sleep(interval)

    def _guarded(self, runner: object, call: Call) -> None:
        try:
            runner(self, call)  # type: ignore[operator]
        except Exception:  # a bug in one call must not take the emulator down
            log.exception("call %s crashed", call.sid)
            call.log(0.0, "emulator-error")
            if not call.ended:
                call.set_status("failed")
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def active(self) -> int:
        with self._lock:
            return len(self._threads)

    def stop(self, timeout: float = 5.0) -> None:
        """Hang up every live call and stop the dispatcher."""
        self._pending.put(None)
        for call in self.store.calls():
            if not call.ended:
                call.signals.raise_flag("hangup", "completed" if call.status == "in-progress" else "canceled")
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def wall(self, call: Call, t: float) -> datetime:
        """Return the wall-clock instant of call time `t` on the call's true timeline."""
        return call.date_created + timedelta(seconds=t)

    @property
    def api_url(self) -> str:
        """Return the REST API's base as clients see it: the server's URL and the profile's prefix."""
        return self.base_url + self.profile.rest_prefix

    def new_sid(self, prefix: str) -> str:
        """Return a new id in the profile's form: "CA"/"RE" + 32 hex digits, or a UUID."""
        return str(uuid.uuid4()) if self.profile.uuid_ids else new_sid(prefix)

    def persona_for(self, number: str) -> Persona:
        return self.personas.find(number)

    def media(self, url: str) -> bytes:
        """Fetch and decode a `<Play>` file once; later plays reuse it."""
        with self._lock:
            if url in self._media:
                return self._media[url]
        resp = requests.get(url, timeout=self.config.webhook_timeout)
        resp.raise_for_status()
        pcm = audio.to_pcm(resp.content, url.split("?")[0])
        with self._lock:
            if len(self._media) > 256:
                self._media.clear()
            self._media[url] = pcm
        return pcm

    def talk(self, persona: Persona, seconds: float) -> bytes:
        """Return what an agent persona says over a bridge: its sentence, repeated, `seconds` long."""
        sentence = self.tts.render(persona.agent_say, persona.voice) + audio.silence(1.0)
        repeats = int(seconds / max(audio.seconds(sentence), 0.1)) + 1
        return (sentence * repeats)[: int(seconds * audio.RATE) * audio.WIDTH]
