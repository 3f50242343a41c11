"""Hear one question's answer on a stream: µ-law frames in, speech start and the final answer out.

Everything is counted in audio time (20 ms frames), never in wall time, so a gateway that sends frames faster
than real time (the emulator's speed-up) is heard the same. The recognizer runs in grammar mode with the
question kind's grammar, fed from a second before speech began (the prompt's seconds cost only an energy
measure per frame); the answer is final when

- speech (energy above the floor for a few frames) was followed by `end_silence_ms` of silence and the
  words heard so far settle the answer (`policy.classify.decisive`): a crisp "是的" ends fast, while
  "嗯……不是" is not cut after "嗯" (an acknowledgement only) nor "喂，是的" after "喂", or
- `LONG_SILENCE_MS` of silence followed speech whatever was heard (noise, a word outside the grammar), or
- Vosk's own endpoint closed an utterance whose words settle the answer, or the answer ran past `max_ms`.

Not thread-safe: one stream's frames are taken one batch at a time (the server's decode pool runs `take`).
"""

from __future__ import annotations

import io
import json
import wave
from dataclasses import dataclass, field

import vosk
from pydub.utils import audioop

from dialer.gateway.streams import FRAME_BYTES, FRAME_MS, STREAM_RATE
from dialer.policy.classify import decisive
from dialer.speech import SpeechModel

SPEECH_RMS = 400  # 16-bit RMS of a voiced frame (about -38 dBFS); telephone silence is far below
SPEECH_FRAMES = 3  # voiced frames in a row that make "speech began" (60 ms: a click is not speech)
LONG_SILENCE_MS = 2000  # silence after speech that ends an answer even without a grammar word ("嗯……")
PROMPT_HANGOVER_FRAMES = 15  # the prompt counts as playing this long after its last loud frame (300 ms)
PRE_ROLL_FRAMES = 50  # audio kept before speech began (1 s): the clip holds the onset, and Vosk decodes
# worse without a second of lead-in (a pre-roll of 300 ms turned 상담 into 是 in the stand-in)


@dataclass(frozen=True)
class SpeechBegan:
    """The customer started talking at `at_ms` (audio time), over the prompt or after it."""

    at_ms: int
    over_prompt: bool = False


@dataclass(frozen=True)
class Final:
    """The answer is over: the words heard, the timings (audio ms) and the clip (8 kHz 16-bit WAV)."""

    text: str
    speech_start_ms: int
    speech_end_ms: int
    final_ms: int
    clip: bytes


@dataclass
class Listener:
    """One question's recognizer and end-of-speech state."""

    model: SpeechModel
    kind: str
    end_silence_ms: int = 400
    max_ms: int = 10_000
    frames: int = 0
    voiced_run: int = 0
    speech_start: int | None = None  # frame index
    last_voiced: int | None = None
    texts: list[str] = field(default_factory=list)
    finished: bool = False
    loudest: int = 0  # the loudest frame's RMS (logged when a stream ends unheard)
    prompt_heard: int | None = (
        None  # the customer's frame count when the prompt (outbound track) last sounded
    )
    _kept: bytearray = field(default_factory=bytearray)  # 8 kHz PCM from just before speech began
    _unfed: bytes = b""  # 8 kHz PCM not yet given to the recognizer
    _ratecv: object = None
    _rec: vosk.KaldiRecognizer | None = None

    def __post_init__(self) -> None:
        self._rec = vosk.KaldiRecognizer(
            self.model.vosk_model, self.model.sample_rate, self.model.grammar(self.kind)
        )

    def take(self, ulaw: bytes) -> list[SpeechBegan | Final]:
        """Hear a batch of whole frames; return what happened in it (at most one Final, then nothing more).

        Before speech begins only the energy of each frame is measured: the recognizer is fed from the
        pre-roll on, so the seconds of a question's prompt cost no decoding. Frames are fed to Vosk in one
        piece per batch (and before each end-of-speech check), not frame by frame.
        """
        out: list[SpeechBegan | Final] = []
        for start in range(0, len(ulaw) - len(ulaw) % FRAME_BYTES, FRAME_BYTES):
            if self.finished:
                break
            event = self._frame(audioop.ulaw2lin(ulaw[start : start + FRAME_BYTES], 2))
            if event is not None:
                out.append(event)
        if not self.finished and self._feed():
            out.append(self._final())
        return out

    def hear_prompt(self, ulaw: bytes) -> None:
        """Note the outbound track (what the customer hears): whether the prompt is still playing."""
        for start in range(0, len(ulaw) - len(ulaw) % FRAME_BYTES, FRAME_BYTES):
            if audioop.rms(audioop.ulaw2lin(ulaw[start : start + FRAME_BYTES], 2), 2) >= SPEECH_RMS:
                self.prompt_heard = self.frames

    def prompt_playing(self) -> bool:
        """Return whether the prompt sounded within the last moment (a pause between sentences included)."""
        return self.prompt_heard is not None and self.frames - self.prompt_heard <= PROMPT_HANGOVER_FRAMES

    def _frame(self, pcm: bytes) -> SpeechBegan | Final | None:
        self.frames += 1
        rms = audioop.rms(pcm, 2)
        self.loudest = max(self.loudest, rms)
        voiced = rms >= SPEECH_RMS
        self.voiced_run = self.voiced_run + 1 if voiced else 0
        if voiced:
            self.last_voiced = self.frames
        self._kept += pcm
        if self.speech_start is None:
            if self.voiced_run < SPEECH_FRAMES:
                del self._kept[: max(0, len(self._kept) - PRE_ROLL_FRAMES * len(pcm))]  # only the pre-roll
                return None
            self.speech_start = self.frames - SPEECH_FRAMES + 1
            self._unfed = bytes(self._kept)  # the recognizer hears from the pre-roll on
            return SpeechBegan(self._ms(self.speech_start - 1), self.prompt_playing())
        self._unfed += pcm
        assert self.last_voiced is not None
        silent_ms = (self.frames - self.last_voiced) * FRAME_MS
        if silent_ms >= LONG_SILENCE_MS or self._ms(self.frames - self.speech_start) >= self.max_ms:
            return self._final()
        check = silent_ms >= self.end_silence_ms and silent_ms % (2 * FRAME_MS) == 0  # every 40 ms
        if check and (self._feed() or self._holds_word()):
            return self._final()
        return None

    def _feed(self) -> bool:
        """Feed what the recognizer has not heard yet; return whether its own endpoint closed an answer."""
        if not self._unfed:
            return False
        assert self._rec is not None
        pcm, self._unfed = self._unfed, b""
        resampled, self._ratecv = audioop.ratecv(pcm, 2, 1, STREAM_RATE, self.model.sample_rate, self._ratecv)
        if not self._rec.AcceptWaveform(resampled):
            return False
        text = json.loads(self._rec.Result()).get("text", "")
        if text:
            self.texts.append(text)
        return decisive(self._words(" ".join(self.texts)), self.kind)

    def _holds_word(self) -> bool:
        assert self._rec is not None
        partial = json.loads(self._rec.PartialResult()).get("partial", "")
        return decisive(self._words(" ".join([*self.texts, partial])), self.kind)

    def _words(self, text: str) -> str:
        return " ".join(w for w in text.split() if w != self.model.unknown_token)

    def _final(self) -> Final:
        assert self._rec is not None
        self._feed()
        self.finished = True
        self.texts.append(json.loads(self._rec.FinalResult()).get("text", ""))
        start = self.speech_start or self.frames
        end = self.last_voiced or self.frames
        return Final(
            self._words(" ".join(self.texts)), self._ms(start - 1), self._ms(end), self._ms(self.frames),
            _wav(bytes(self._kept)),
        )  # fmt: skip

    @staticmethod
    def _ms(frames: int) -> int:
        return frames * FRAME_MS


def _wav(pcm: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(STREAM_RATE)
        w.writeframes(pcm)
    return out.getvalue()
