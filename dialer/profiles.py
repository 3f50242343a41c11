"""What each Twilio-compatible gateway can do (`DIALER_GATEWAY_PROFILE`): a leaf that imports nothing of ours.

The TwiML renderer, the gateway client, the webhook signature check, the pages and the emulator all read the
same `Profile`, so the service never asks a provider for what it does not have and the emulator refuses
exactly what that provider refuses.

Sources:
- Twilio: the TwiML and Call resource documentation.
- SignalWire (Compatibility API, "cXML"): developer.signalwire.com, "Compatibility API" and "webhook
  security": REST under `/api/laml/2010-04-01/`, webhooks signed like Twilio's but keyed on a per-project
  signing key (header `X-SignalWire-Signature`, also sent as `X-Twilio-Signature`), ids are UUIDs.
- Somleng: its source (somleng-switch `components/app/app/workflows/execute_twiml.rb` and the TwiML verb
  models; somleng `phone_call_request_schema.rb`, `voice_status_callback_serializer.rb`).
"""

from __future__ import annotations

from dataclasses import dataclass

TWILIO_SIGNATURE = "X-Twilio-Signature"
SIGNALWIRE_SIGNATURE = "X-SignalWire-Signature"
# The parameters Somleng's Calls API reads; it drops any other without a word.
SOMLENG_CALL_PARAMS = frozenset(
    {"To", "From", "Url", "Method", "StatusCallback", "StatusCallbackMethod", "Twiml"}
)


@dataclass(frozen=True)
class Profile:
    """One provider's capabilities, as far as this service uses them."""

    name: str
    label: str  # the provider's name as people read it
    verbs: frozenset[str]
    gather_children: frozenset[str]
    dial_nouns: frozenset[str]
    enqueue: bool  # <Enqueue>/<Queue>: escalation waits in a queue; else a direct <Dial><Number>
    pause: bool  # <Pause>; else silence is a short <Play> of a silent file
    call_recording: bool  # Record=true on the Calls API (the whole call, both parties)
    status_events: bool  # StatusCallbackEvent: ringing, answered …; else only the final status arrives
    sequenced: bool  # SequenceNumber counts the callbacks of a call; else it says nothing
    machine_detection: bool  # MachineDetection on the Calls API
    call_options: bool  # Timeout, TimeLimit and FallbackUrl on the Calls API
    record_digits: bool  # a <Record> ended by a key posts Digits (and RecordingSid) to its action
    validates_whole_document: bool  # a bad verb fails the document before any verb runs
    signature_header: str = TWILIO_SIGNATURE
    signing_key: bool = False  # webhooks are signed with a key of their own, not the auth token
    rest_prefix: str = ""  # before /2010-04-01/ in the REST API's paths
    uuid_ids: bool = False  # call and recording ids are UUIDs, not "CA" + 32 hex digits
    # Media Streams forms: "start" (<Start><Stream>, one-way, TwiML goes on) and "connect" (<Connect><Stream>,
    # two-way, the service is the media endpoint). Twilio documents both; Somleng's switch only <Connect>.
    media_streams: frozenset[str] = frozenset()

    @property
    def escalation(self) -> str:
        """Return how a caller reaches a person: "queue" (<Enqueue>) or "dial" (a direct <Dial><Number>)."""
        return "queue" if self.enqueue else "dial"


TWILIO = Profile(
    name="twilio",
    label="Twilio",
    verbs=frozenset(
        {
            "Say",
            "Play",
            "Pause",
            "Gather",
            "Record",
            "Redirect",
            "Hangup",
            "Reject",
            "Dial",
            "Enqueue",
            "Leave",
            "Start",
            "Stop",
            "Connect",
        }
    ),
    gather_children=frozenset({"Say", "Play", "Pause"}),
    dial_nouns=frozenset({"Number", "Queue", "Client", "Sip", "Conference"}),
    enqueue=True,
    pause=True,
    call_recording=True,
    status_events=True,
    sequenced=True,
    machine_detection=True,
    call_options=True,
    record_digits=True,
    validates_whole_document=True,
    media_streams=frozenset({"start", "connect"}),
)
SIGNALWIRE = Profile(
    **{
        **TWILIO.__dict__,
        "name": "signalwire",
        "label": "SignalWire",
        "signature_header": SIGNALWIRE_SIGNATURE,
        "signing_key": True,
        "rest_prefix": "/api/laml",
        "uuid_ids": True,
    }
)
SOMLENG = Profile(
    name="somleng",
    label="Somleng",
    verbs=frozenset({"Reject", "Play", "Gather", "Redirect", "Say", "Dial", "Hangup", "Record", "Connect"}),
    gather_children=frozenset({"Say", "Play"}),
    dial_nouns=frozenset({"Number", "Sip"}),
    enqueue=False,
    pause=False,
    call_recording=False,
    status_events=False,
    sequenced=False,
    machine_detection=False,
    call_options=False,
    record_digits=False,
    validates_whole_document=False,
    uuid_ids=True,
    media_streams=frozenset({"connect"}),
)
PROFILES = {p.name: p for p in (TWILIO, SIGNALWIRE, SOMLENG)}


def profile(name: str) -> Profile:
    """Return the named profile; an unknown name is a ValueError naming the ones there are."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"未知的线路类型 {name!r}，可选：{'、'.join(PROFILES)}") from None
