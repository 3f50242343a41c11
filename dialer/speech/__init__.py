"""Offline speech: the Vosk model holder, audio conversion, grammar and free-form recognition."""

from __future__ import annotations

from dialer.speech.audio import Audio, convert_audio
from dialer.speech.model import SpeechModel, load_model
from dialer.speech.recognize import (
    PAST_DEADLINE,
    Transcript,
    recognize_answer,
    recognize_words,
    transcribe_free,
)
from dialer.speech.standin import ensure_standin_model

__all__ = [
    "PAST_DEADLINE",
    "Audio",
    "SpeechModel",
    "Transcript",
    "convert_audio",
    "ensure_standin_model",
    "load_model",
    "recognize_answer",
    "recognize_words",
    "transcribe_free",
]
