"""Benchmark speech on one core: grammar-mode answers/s and real-time factor, wrapper vs raw Vosk, load cost.

Run: .venv/bin/python tests/benchmarks/bench_speech.py [--rounds N]
The baseline (raw Vosk on the same PCM with the same grammar) is measured in the same run, interleaved
with the wrapper, so the ratio is not skewed by machine load. The wrapper must stay within 1.10x.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path

import vosk

from dialer.speech import convert_audio, ensure_standin_model, load_model, recognize_answer, transcribe_free
from dialer.speech.audio import Audio
from dialer.speech.model import SpeechModel

logging.getLogger("dialer.speech.model").setLevel(logging.ERROR)  # the stand-in lacks most words by design

WORDS = ("네", "예", "아니요", "아니오")
CLIP_SECONDS = 3.0


def rss_mb() -> float:
    """Return this process's resident memory in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_clips(folder: Path) -> list[Path]:
    """Synthesise 3-second telephone answers: espeak-ng Korean, padded, 8 kHz µ-law WAV."""
    clips = []
    for word in WORDS:
        raw, out = folder / f"{word}.raw.wav", folder / f"{word}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), word], check=True)
        subprocess.run(
            [
                "ffmpeg",
                "-loglevel",
                "error",
                "-y",
                "-i",
                str(raw),
                "-af",
                f"apad=whole_dur={CLIP_SECONDS}",
                "-ar",
                "8000",
                "-ac",
                "1",
                "-acodec",
                "pcm_mulaw",
                str(out),
            ],
            check=True,
        )
        clips.append(out)
    return clips


def direct(model: SpeechModel, audio: Audio, grammar: str) -> str:
    """Call Vosk the plain way: recognizer, whole buffer, results."""
    rec = vosk.KaldiRecognizer(model.vosk_model, audio.rate, grammar)
    texts = [json.loads(rec.Result())["text"]] if rec.AcceptWaveform(audio.pcm) else []
    texts.append(json.loads(rec.FinalResult())["text"])
    return " ".join(texts)


def timed(fn: object, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        fn()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    print(f"pinned to CPU {cpu}; vosk {vosk.__version__ if hasattr(vosk, '__version__') else '0.3.45'}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = ensure_standin_model(Path(tmp) / "models")
        clips = make_clips(Path(tmp))
        before = rss_mb()
        started = time.perf_counter()
        model = load_model(folder, strict=False)
        load_s = time.perf_counter() - started
        print(f"model load: {load_s:.2f} s, RSS +{rss_mb() - before:.0f} MB (total {rss_mb():.0f} MB)")

        audios = [convert_audio(c, model.sample_rate) for c in clips]
        audio_s = sum(a.duration for a in audios)
        grammar = model.grammar("yes_no")
        for a in audios:  # warm up both paths and check they agree
            assert direct(model, a, grammar).split() == list(recognize_answer(model, a, "yes_no").words)

        raw_t = wrap_t = file_t = 0.0
        for i in range(args.rounds):  # interleave, alternating order, so drift hits both alike
            run_raw = lambda: [direct(model, a, grammar) for a in audios]  # noqa: E731
            run_wrap = lambda: [recognize_answer(model, a, "yes_no") for a in audios]  # noqa: E731
            if i % 2:
                wrap_t += timed(run_wrap, 1)
                raw_t += timed(run_raw, 1)
            else:
                raw_t += timed(run_raw, 1)
                wrap_t += timed(run_wrap, 1)
            file_t += timed(lambda: [recognize_answer(model, c, "yes_no") for c in clips], 1)
        n = args.rounds * len(audios)
        total_audio = args.rounds * audio_s
        print(f"grammar mode, {n} answers of {CLIP_SECONDS:.0f} s (8 kHz µ-law, resampled to 16 kHz):")
        print(f"  raw Vosk          {n / raw_t:7.1f} answers/s  RTF {raw_t / total_audio:.4f}")
        print(f"  our wrapper       {n / wrap_t:7.1f} answers/s  RTF {wrap_t / total_audio:.4f}")
        print(
            f"  wrapper from file {n / file_t:7.1f} answers/s  RTF {file_t / total_audio:.4f}"
            "  (incl. decoding)"
        )
        ratio = wrap_t / raw_t
        verdict = "OK" if ratio <= 1.10 else "TOO SLOW"
        print(f"  overhead ratio wrapper/raw = {ratio:.3f} (limit 1.10) -> {verdict}")
        print(f"  ratio from file/raw        = {file_t / raw_t:.3f}")

        free_runs = 2 * len(audios)
        free_t = timed(lambda: [transcribe_free(model, a) for a in audios], 2)
        print(
            f"free-form, reused recognizer: {free_runs / free_t:.2f} clips/s  "
            f"RTF {free_t / (2 * audio_s):.3f}; RSS now {rss_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
