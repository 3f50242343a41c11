"""`dialer serve` hears answers with VOSK_MODEL_PATH: the app loads it at start-up, and a bad path stops it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.app import create_app
from dialer.errors import ModelNotAvailable
from dialer.settings import Settings
from dialer.speech import SpeechModel


def test_without_a_model_the_app_asks_for_keys(tmp_settings: Settings) -> None:
    app = create_app(tmp_settings)
    assert app.extensions["dialer"].speech is None


def test_a_missing_model_stops_start_up_with_how_to_get_one(tmp_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailable, match="dialer models download"):
        create_app(tmp_settings.replace(vosk_model_path=str(tmp_path / "no-such-model")))


def test_the_configured_model_is_loaded_for_the_app(tmp_settings: Settings, standin_dir: Path) -> None:
    app = create_app(tmp_settings.replace(vosk_model_path=str(standin_dir)))
    speech = app.extensions["dialer"].speech
    assert isinstance(speech, SpeechModel)
    assert Path(speech.path) == standin_dir
    assert speech.has_word("是")
