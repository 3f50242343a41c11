"""Loading a model: clear errors that say how to get one, strict word checks, the unknown token."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dialer.errors import ModelNotAvailable
from dialer.speech import SpeechModel, load_model


@pytest.mark.parametrize("path", ["", "   "])
def test_an_unset_model_path_says_how_to_get_a_model(path: str) -> None:
    with pytest.raises(ModelNotAvailable, match=r"没有设置 VOSK_MODEL_PATH.*dialer models download"):
        load_model(path)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailable, match=f"{tmp_path / 'nope'} 不是文件夹，没有找到 Vosk 语音模型"):
        load_model(tmp_path / "nope")


def test_a_folder_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailable, match=r"不是 Vosk 语音模型文件夹（缺少 am/final.mdl"):
        load_model(tmp_path)


def test_a_broken_model_is_refused(tmp_path: Path) -> None:
    for name in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLr.fst", "graph/Gr.fst"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"not a model")

    with pytest.raises(ModelNotAvailable, match=r"无法加载.*dialer models download"):
        load_model(tmp_path)


def test_a_model_without_grammar_support_is_refused(tmp_path: Path) -> None:
    for name in ("am/final.mdl", "conf/mfcc.conf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")

    with pytest.raises(ModelNotAvailable, match="不支持限定词表"):
        load_model(tmp_path)


def test_strict_loading_fails_loudly_on_missing_grammar_words(standin_dir: Path) -> None:
    with pytest.raises(ModelNotAvailable, match=r"grammar words missing from the vocabulary: .*满意"):
        load_model(standin_dir)


def test_lenient_loading_reports_missing_words_as_warnings(
    standin_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dialer.speech.model"):
        model = load_model(standin_dir, strict=False)

    assert "满意" in model.missing_words and "是" not in model.missing_words
    assert "grammar words missing" in caplog.text


def test_it_probes_the_unknown_token_instead_of_assuming_one(korean_model: SpeechModel) -> None:
    assert korean_model.unknown_token == "<UNK>"
    assert korean_model.sample_rate == 16000


def test_a_custom_grammar_with_an_unknown_word_is_refused(korean_model: SpeechModel) -> None:
    with pytest.raises(ModelNotAvailable, match="缺少这些词：是"):
        korean_model.grammar_json(["네", "是"])
