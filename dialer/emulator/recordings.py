"""Saving recordings (call, Dial leg, `<Record>` clip) and telling the recording status callback."""

from __future__ import annotations

from datetime import timedelta

from dialer.emulator import audio
from dialer.emulator.leg import Leg
from dialer.emulator.state import Recording, rfc2822
from dialer.emulator.webhooks import Params


def save(
    leg: Leg, pcm: bytes, *, start: float, source: str, channels: int, sid: str | None = None
) -> Recording:
    """Store a recording of this leg: µ-law mono for `<Record>` clips, 16-bit PCM otherwise."""
    sid = sid or leg.new_recording_sid()
    path = leg.engine.recordings_dir / f"{sid}.wav"
    if source == "RecordVerb":
        audio.write_ulaw_wav(path, pcm)
    else:
        audio.write_pcm_wav(path, pcm, channels)
    length = len(pcm) / (audio.RATE * audio.WIDTH * channels)
    started = (leg.call.start_time or leg.engine.wall(leg.call, leg.t)) + timedelta(seconds=start)
    rec = Recording(
        sid=sid,
        account_sid=leg.call.account_sid,
        call_sid=leg.call.sid,
        source=source,
        channels=channels,
        duration=round(length),
        path=path,
        start_time=started,
        track="inbound" if source == "RecordVerb" else "both",
    )
    leg.engine.store.add_recording(rec)
    leg.log("recording", sid=sid, source=source, seconds=round(length, 3), channels=channels)
    return rec


def status_params(leg: Leg, rec: Recording, status: str, error_code: int = 0) -> Params:
    """Return the recording status callback fields (Twilio docs: Call resource, RecordingStatusCallback)."""
    return [
        ("AccountSid", rec.account_sid),
        ("CallSid", rec.call_sid),
        ("RecordingSid", rec.sid),
        ("RecordingUrl", leg.recording_url(rec.sid)),
        ("RecordingStatus", status),
        ("RecordingDuration", str(rec.duration)),
        ("RecordingChannels", str(rec.channels)),
        ("RecordingStartTime", rfc2822(rec.start_time) or ""),
        ("RecordingSource", rec.source),
        ("RecordingTrack", rec.track),
        ("ErrorCode", str(error_code)),
    ]


def notify(
    leg: Leg, url: str | None, method: str, events: tuple[str, ...], rec: Recording, status: str
) -> None:
    """Send the recording status callback for `status` if it was asked for."""
    if url and status in events:
        leg.later("recording:" + status, url, method, status_params(leg, rec, status))
