"""Benchmark the recordings archive on the demo's calls: KB and CPU seconds per call-minute against the WAV
baseline, for the chosen codec and the ones it was chosen over; then the playback start and a seek of an
archived 3-minute recording in chromium, served by the console, against the same recording as WAV.

Run: .venv/bin/python tests/benchmarks/bench_recordings.py [--wavs DIR] [--rounds N]
Without --wavs it first runs the demo campaign keeping WAVs (DIALER_RECORDINGS_CODEC=wav), which takes minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from dialer.app import create_app
from dialer.model import Attempt, Customer, Recording, Task, TaskStatus, migrate
from dialer.services import services
from dialer.settings import load_settings
from dialer.worker.recordings_archive import OPUS, archive, decoded_seconds, wav_facts

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.web.seed import PASSWORD, add_personas  # noqa: E402

CANDIDATES = {  # name: (container, ffmpeg arguments)
    "opus 20k ogg (chosen)": ("ogg", list(OPUS.args)),
    "opus 16k ogg (joins the channels)": ("ogg", ["-c:a", "libopus", "-b:a", "16k", "-application", "voip", "-f", "ogg"]),
    "opus 20k webm": ("webm", ["-c:a", "libopus", "-b:a", "20k", "-application", "voip", "-f", "webm"]),
    "mp3 32k": ("mp3", ["-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3"]),
    "mp3 16k": ("mp3", ["-c:a", "libmp3lame", "-b:a", "16k", "-f", "mp3"]),
}  # fmt: skip


class Quiet(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        """Print nothing per request: the figures are the output."""


def demo_wavs(folder: Path | None) -> list[Path]:
    """Return the demo's full-call WAVs, running the demo campaign (keeping WAVs) when no folder is given."""
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-rec-"))
        from dialer.demo.campaign import run_campaign

        run_campaign(load_settings(recordings_codec="wav"), folder, 15.0, lambda m: None, None)
    return sorted(p for p in (folder / "recordings").rglob("RE*.wav"))


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def encode(wav: bytes, args: list[str]) -> bytes:
    cmd = ["ffmpeg", "-loglevel", "error", "-nostdin", "-i", "pipe:0", *args, "pipe:1"]
    return subprocess.run(cmd, input=wav, capture_output=True, check=True).stdout


def sizes(wavs: list[Path]) -> dict[str, dict[str, float]]:
    """KB and CPU seconds per call-minute, and the worst decoded-length error, for each candidate."""
    datas = [p.read_bytes() for p in wavs]
    minutes = sum(wav_facts(d)[0] for d in datas) / 60
    out = {"wav (baseline)": {"kb_per_min": sum(map(len, datas)) / 1024 / minutes, "cpu_s_per_min": 0.0}}
    for name, (_ext, args) in CANDIDATES.items():
        cpu, total, worst = child_cpu(), 0, 0.0
        for d in datas:
            enc = encode(d, args)
            total += len(enc)
            seconds, channels, rate = wav_facts(d)
            worst = max(worst, abs(decoded_seconds(enc, rate, channels) - seconds))
        out[name] = {
            "kb_per_min": total / 1024 / minutes,
            "cpu_s_per_min": 0.0,
            "worst_length_ms": worst * 1000,
        }
        out[name]["cpu_s_per_min"] = (child_cpu() - cpu) / minutes
    cpu = child_cpu()
    for d in datas:
        archive(d)  # the worker's path: encode, count channels, decode and compare lengths
    out["archive() incl. verification"] = {"kb_per_min": out["opus 20k ogg (chosen)"]["kb_per_min"],
                                           "cpu_s_per_min": (child_cpu() - cpu) / minutes}  # fmt: skip
    out["_call_minutes"] = {"kb_per_min": minutes, "cpu_s_per_min": float(len(datas))}
    return out


def three_minutes(wavs: list[Path], folder: Path) -> tuple[Path, Path]:
    """Join demo calls into one 3-minute two-channel WAV; return it and its archive."""
    listing = folder / "list.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in wavs * 4))
    wav = folder / "three.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-t", "180", "-c:a", "pcm_s16le", str(wav)], check=True)  # fmt: skip
    ogg = folder / "three.ogg"
    ogg.write_bytes(archive(wav.read_bytes()).data)
    return wav, ogg


PLAY = """async src => {
  const a = new Audio(); a.muted = true; a.preload = 'none';
  const t0 = performance.now(); a.src = src;
  await a.play(); const started = performance.now() - t0;
  const t1 = performance.now();
  await new Promise(ok => { a.onseeked = ok; a.currentTime = 150; });
  const seek = performance.now() - t1; const duration = a.duration;
  a.pause(); a.removeAttribute('src'); a.load();
  return {start_ms: started, seek_ms: seek, duration};
}"""


def playback(files: dict[str, Path], folder: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Serve the files through the console's replay URL; time play() and a seek in chromium."""
    from playwright.sync_api import sync_playwright

    settings = load_settings(database_url=f"sqlite:///{folder / 'b.sqlite3'}", recordings_dir=folder,
                             secret_key="bench", var_dir=folder)  # fmt: skip
    app = create_app(settings)
    db = services(app).db
    migrate(db)
    add_personas(db)
    ids = {}
    with db.session() as s, s.begin():
        task = Task(customer=Customer(name="基准", phone="+8613800000000"), type="claim", script="claim",
                    event_at=time_now(), earliest_at=time_now(), status=TaskStatus.SUCCEEDED)  # fmt: skip
        att = Attempt(task=task, number=1, status="completed", to_number="+8613800000000", script="claim")
        s.add_all([task, att])
        for name, path in files.items():
            rec = Recording(kind="call", status="stored", path=path.name, channels=2,
                            sha256=hashlib.sha256(path.read_bytes()).hexdigest(), size=path.stat().st_size)  # fmt: skip
            att.recordings.append(rec)
            s.flush()
            ids[name] = rec.id
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    results: dict[str, list[dict[str, float]]] = {n: [] for n in files}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu",
                              "--disable-background-networking", "--disable-component-update", "--no-first-run",
                              "--autoplay-policy=no-user-gesture-required"])  # fmt: skip
        page = b.new_page()
        page.goto(f"{url}/login")
        page.fill("input[name=username]", "wang_qc")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.evaluate(PLAY, f"/recordings/{ids[next(iter(files))]}")  # warm-up
        for _ in range(rounds):
            for name in files:  # interleaved, so load on the machine hits both alike
                results[name].append(page.evaluate(PLAY, f"/recordings/{ids[name]}"))
        b.close()
    server.shutdown()
    return {n: {k: statistics.median(r[k] for r in rs) for k in ("start_ms", "seek_ms", "duration")}
            for n, rs in results.items()}  # fmt: skip


def time_now():  # type: ignore[no-untyped-def]
    from dialer.clock import utcnow

    return utcnow()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wavs", type=Path, help="a demo folder run with DIALER_RECORDINGS_CODEC=wav")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    wavs = demo_wavs(args.wavs)
    figures = sizes(wavs)
    calls = figures.pop("_call_minutes")
    base = figures["wav (baseline)"]["kb_per_min"]
    print(f"{int(calls['cpu_s_per_min'])} full-call recordings, {calls['kb_per_min']:.1f} call-minutes")
    print(f"{'codec':36} {'KB/call-min':>12} {'vs WAV':>8} {'CPU s/call-min':>15} {'worst length ms':>16}")
    for name, f in figures.items():
        worst = f.get("worst_length_ms")
        print(f"{name:36} {f['kb_per_min']:12.1f} {f['kb_per_min'] / base:8.3f} {f['cpu_s_per_min']:15.3f} "
              f"{'' if worst is None else f'{worst:16.1f}'}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        wav, ogg = three_minutes(wavs, Path(tmp))
        play = playback({"wav (baseline)": wav, "ogg opus (archive)": ogg}, Path(tmp), args.rounds)
    for name, f in play.items():
        print(f"3-minute recording, {name:20} start {f['start_ms']:7.1f} ms  seek to 2:30 {f['seek_ms']:7.1f} ms "
              f"(duration {f['duration']:.2f} s)")  # fmt: skip
    ratio = play["ogg opus (archive)"]["start_ms"] / play["wav (baseline)"]["start_ms"]
    print(f"playback start, archive / WAV: {ratio:.2f}x")
    print(json.dumps({"codecs": figures, "playback": play}, ensure_ascii=False))


if __name__ == "__main__":
    main()
