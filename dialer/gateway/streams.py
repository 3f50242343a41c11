"""Media Streams as the service uses them: one named `<Start><Stream>` per question, its token, its frames.

A stream's custom parameters carry the attempt, the step (the question's turn) and a token: HMAC-SHA256 over
both with the service's webhook secret, so `dialer ear` takes audio only for a question the service asked.
The gateway's frames are 20 ms of 8 kHz µ-law (160 bytes), base64 in JSON (Twilio's "Media Streams -
WebSocket Messages").
"""

from __future__ import annotations

import hashlib
import hmac

FRAME_MS = 20
FRAME_BYTES = 160  # 20 ms of 8 kHz µ-law
STREAM_RATE = 8000
ULAW_SILENCE = b"\xff" * FRAME_BYTES


def stream_name(attempt_id: int, step: int) -> str:
    """Return the name of the stream that hears one question: `a<attempt>-s<step>`."""
    return f"a{attempt_id}-s{step}"


def stream_token(attempt_id: int, step: int, key: str) -> str:
    """Return the token that proves the service asked for this attempt's step to be heard."""
    message = f"{attempt_id}:{step}".encode("ascii")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def token_matches(attempt: str, step: str, token: str, key: str) -> bool:
    """Return whether `token` was made by the service for this attempt and step."""
    if not (attempt.isascii() and attempt.isdigit() and step.isascii() and step.isdigit()):
        return False
    if len(attempt) > 12 or len(step) > 6:
        return False
    return hmac.compare_digest(stream_token(int(attempt), int(step), key), token)
