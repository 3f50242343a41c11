"""Recognise answers (grammar mode, fast enough for a webhook) and whole recordings (free-form, background).

Grammar mode creates a fresh recognizer per clip from the grammar JSON built at model load: a few
milliseconds, thread-safe, nothing shared between calls. Free-form mode is ~15x slower and a
recognizer costs ~130 MB, so each model keeps one (`SpeechModel.free_form`) reused with `Reset()`;
it belongs in the background worker, never inside a webhook.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import vosk

from dialer.speech.audio import Audio, convert_audio
from dialer.speech.model import SpeechModel

CHUNK_BYTES = 8000  # 0.25 s at 16 kHz: what a streaming caller would feed
PAST_DEADLINE = "past_deadline"  # the caller stopped waiting before the clip was transcribed


@dataclass(frozen=True)
class Transcript:
    """What was heard: space-separated text (unknown token removed), raw words, and timing."""

    text: str
    words: tuple[str, ...]
    duration: float
    no_answer_reason: str | None
    elapsed: float

    @property
    def heard_nothing(self) -> bool:
        """Tell whether the clip gave no answer at all (bad audio or only unknown speech)."""
        return self.no_answer_reason is not None or not self.text


AudioInput = str | Path | bytes | Audio


def recognize_answer(
    model: SpeechModel, audio: AudioInput, kind: str = "yes_no", *, deadline: float | None = None
) -> Transcript:
    """Transcribe one answer clip with the question kind's grammar.

    `deadline` (a `time.monotonic()` instant) is when the caller stops waiting. A clip that reaches the front of
    a busy queue after it is not transcribed at all (the transcript says PAST_DEADLINE), so under overload the
    cores go to answers that someone still waits for. Once started, a clip is decoded whole: feeding Vosk in
    slices to stop mid-clip cost 5-9% more per answer and gained nothing measurable, since a whole answer
    takes a few tens of milliseconds.
    """
    return _recognize(model, audio, model.grammar(kind), deadline)


def recognize_words(model: SpeechModel, audio: AudioInput, words: list[str]) -> Transcript:
    """Transcribe one clip with a grammar of exactly these words (checked) plus the unknown token."""
    return _recognize(model, audio, model.grammar_json(words))


def _recognize(
    model: SpeechModel, audio: AudioInput, grammar: str, deadline: float | None = None
) -> Transcript:
    started = time.perf_counter()
    if deadline is not None and time.monotonic() > deadline:  # waited in a queue past the caller's patience
        return Transcript("", (), 0.0, PAST_DEADLINE, time.perf_counter() - started)
    clip = _as_audio(model, audio)
    if clip.no_answer_reason:
        return Transcript("", (), clip.duration, clip.no_answer_reason, time.perf_counter() - started)
    recognizer = vosk.KaldiRecognizer(model.vosk_model, clip.rate, grammar)
    texts = []
    if recognizer.AcceptWaveform(clip.pcm):
        texts.append(json.loads(recognizer.Result())["text"])
    texts.append(json.loads(recognizer.FinalResult())["text"])
    return _transcript(model, texts, clip, started)


def transcribe_free(model: SpeechModel, audio: AudioInput) -> Transcript:
    """Transcribe a comment or a whole call without a grammar. Slow: background work only."""
    started = time.perf_counter()
    clip = _as_audio(model, audio)
    if clip.no_answer_reason:
        return Transcript("", (), clip.duration, clip.no_answer_reason, time.perf_counter() - started)
    slot = model.free_form
    with slot.lock:  # the reused recognizer is stateful: one recording at a time
        if slot.recognizer is None:
            slot.recognizer = vosk.KaldiRecognizer(model.vosk_model, clip.rate)
        recognizer, texts = slot.recognizer, []
        try:
            for start in range(0, len(clip.pcm), CHUNK_BYTES):
                if recognizer.AcceptWaveform(clip.pcm[start : start + CHUNK_BYTES]):
                    texts.append(json.loads(recognizer.Result())["text"])
            texts.append(json.loads(recognizer.FinalResult())["text"])
        finally:
            recognizer.Reset()
    return _transcript(model, texts, clip, started)


def _as_audio(model: SpeechModel, audio: AudioInput) -> Audio:
    if isinstance(audio, Audio) and audio.rate == model.sample_rate:
        return audio
    if isinstance(audio, Audio):
        raise ValueError(f"audio is at {audio.rate} Hz but the model needs {model.sample_rate} Hz")
    return convert_audio(audio, model.sample_rate)


def _transcript(model: SpeechModel, texts: list[str], clip: Audio, started: float) -> Transcript:
    words = tuple(w for t in texts for w in t.split())
    heard = " ".join(w for w in words if w != model.unknown_token)
    return Transcript(heard, words, clip.duration, None, time.perf_counter() - started)
