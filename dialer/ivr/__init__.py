"""The call itself: scripts (ivr_scripts/), the pure conversation (`flow`), TwiML rendering, webhooks.

`script` loads and validates the files; `flow.start` / `flow.step` decide each turn without I/O;
`twiml.render` turns a step into TwiML; `conversation.Conversation.advance` runs one move of a call and
stores what it records. The webhook views (`callflow`, `agents`, `webhooks`, sharing `http`) verify the
request, turn the gateway's form into an event, call `advance`, and reply.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the webhooks: the call and its answers, agent escalation, call and recording status."""
    from dialer.ivr import agents, callflow, dials, webhooks

    for module in (callflow, agents, webhooks, dials):
        app.register_blueprint(module.bp)
