"""The Vosk model holder: load once per process, check every grammar word, probe the unknown token.

Callers keep the `SpeechModel` they load (the web app in `app.extensions`, the worker in its own
state); nothing here is a module-level singleton, so one caller can never swap the model for all.

Why the word check: Vosk drops a grammar word its vocabulary lacks with only a log line, so a
grammar can silently lose "不是" and every refusal becomes "[unk]". `load_model(strict=True)` (the
default, for production models) therefore refuses to start when any grammar word of any kind is
missing. `strict=False` logs the missing words as warnings and builds grammars from the words that
exist; it exists for the test stand-in, which knows only a handful of Chinese words.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import vosk

from dialer.errors import ModelNotAvailable
from dialer.policy.classify import grammar_words
from dialer.policy.lexicon import KINDS

log = logging.getLogger(__name__)

UNKNOWN_TOKENS = ("[unk]", "<UNK>", "<unk>")
HOW_TO_GET = (
    "请运行 dialer models download 下载模型（vosk-model-small-cn-0.22），"
    "再把 VOSK_MODEL_PATH 设为它给出的文件夹。"
)
REQUIRED_FILES = ("am/final.mdl", "conf/mfcc.conf")
GRAMMAR_FILES = ("graph/HCLr.fst", "graph/Gr.fst")


@dataclass(eq=False)
class FreeFormSlot:
    """The model's one reused free-form recognizer (~130 MB), created on first use, used under `lock`."""

    recognizer: vosk.KaldiRecognizer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, eq=False)
class SpeechModel:
    """A loaded Vosk model plus everything recognition needs, computed once at load."""

    path: Path
    vosk_model: vosk.Model = field(repr=False)
    unknown_token: str | None
    sample_rate: int
    grammars: dict[str, str] = field(repr=False)
    missing_words: tuple[str, ...]
    load_seconds: float
    free_form: FreeFormSlot = field(default_factory=FreeFormSlot, repr=False)

    def has_word(self, word: str) -> bool:
        """Tell whether every space-separated token of `word` is in the model's vocabulary."""
        return all(self.vosk_model.vosk_model_find_word(t) >= 0 for t in word.split())

    def grammar(self, kind: str) -> str:
        """Return the grammar JSON for a question kind (built at load time)."""
        try:
            return self.grammars[kind]
        except KeyError:
            raise ValueError(f"unknown question kind {kind!r}; use one of: {', '.join(KINDS)}") from None

    def grammar_json(self, words: list[str]) -> str:
        """Build grammar JSON from words the model knows, plus the unknown token; fail on a missing word."""
        missing = [w for w in words if not self.has_word(w)]
        if missing:
            raise ModelNotAvailable(f"{self.path} 的语音模型缺少这些词：{'、'.join(missing)}")
        extra = [self.unknown_token] if self.unknown_token else []
        # ensure_ascii=False: vosk 0.3.45 does not decode \\uXXXX escapes and would empty the grammar.
        return json.dumps([*words, *extra], ensure_ascii=False)


def load_model(path: str | Path, *, strict: bool = True) -> SpeechModel:
    """Load a Vosk model from a folder, check its grammar words and probe its unknown token."""
    folder = _check_folder(path, strict=strict)
    vosk.SetLogLevel(-1)
    started = time.perf_counter()
    try:
        model = vosk.Model(str(folder))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelNotAvailable(f"无法加载 {folder} 的 Vosk 语音模型（{exc}）。{HOW_TO_GET}") from exc
    elapsed = time.perf_counter() - started
    unknown = next((t for t in UNKNOWN_TOKENS if model.vosk_model_find_word(t) >= 0), None)
    grammars, missing = _build_grammars(model, unknown)
    _report(folder, unknown, missing, strict=strict)
    return SpeechModel(folder, model, unknown, _sample_rate(folder), grammars, missing, elapsed)


def _check_folder(path: str | Path, *, strict: bool) -> Path:
    if not str(path).strip():
        raise ModelNotAvailable(f"没有设置 VOSK_MODEL_PATH。{HOW_TO_GET}")
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ModelNotAvailable(f"{folder} 不是文件夹，没有找到 Vosk 语音模型。{HOW_TO_GET}")
    absent = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if absent:
        raise ModelNotAvailable(
            f"{folder} 不是 Vosk 语音模型文件夹（缺少 {'、'.join(absent)}）。{HOW_TO_GET}"
        )
    no_grammar = [f for f in GRAMMAR_FILES if not (folder / f).is_file()]
    if no_grammar and strict:
        # The big models ignore the grammar argument silently; answers would then be free-form.
        raise ModelNotAvailable(
            f"{folder} 的语音模型不支持限定词表（缺少 {'、'.join(no_grammar)}）；"
            f"请用 vosk-model-small-cn-0.22 这样的小模型。{HOW_TO_GET}"
        )
    return folder


def _build_grammars(model: vosk.Model, unknown: str | None) -> tuple[dict[str, str], tuple[str, ...]]:
    grammars: dict[str, str] = {}
    missing: dict[str, None] = {}
    for kind in KINDS:
        words = grammar_words(kind)
        known = [w for w in words if all(model.vosk_model_find_word(t) >= 0 for t in w.split())]
        missing.update(dict.fromkeys(w for w in words if w not in known))
        extra = [unknown] if unknown else []
        grammars[kind] = json.dumps([*known, *extra], ensure_ascii=False)
    return grammars, tuple(missing)


def _report(folder: Path, unknown: str | None, missing: tuple[str, ...], *, strict: bool) -> None:
    problems = []
    if missing:
        problems.append(f"grammar words missing from the vocabulary: {', '.join(missing)}")
    if unknown is None:
        problems.append(f"no unknown-word token (tried {', '.join(UNKNOWN_TOKENS)})")
    if not problems:
        return
    message = f"the Vosk model at {folder}: " + "; ".join(problems)
    if strict:
        raise ModelNotAvailable(f"{message}. Use a model whose vocabulary has them. {HOW_TO_GET}")
    log.warning("%s (dropped from the grammars; strict=False)", message)


def _sample_rate(folder: Path) -> int:
    """Return the rate the model's features expect (`--sample-frequency`, Kaldi's default 16000)."""
    for line in (folder / "conf" / "mfcc.conf").read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("--sample-frequency="):
            return int(float(line.split("=", 1)[1]))
    return 16000
