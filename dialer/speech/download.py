"""Download, verify and unpack the production Mandarin model (`dialer models download`)."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import requests

from dialer.errors import ModelNotAvailable

MODEL_NAME = "vosk-model-small-cn-0.22"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
MODEL_SHA256 = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
MODEL_BYTES = 43_898_754
CHUNK = 1 << 16

Progress = Callable[[int, int], None]


def download_model(
    dest: str | Path,
    *,
    url: str = MODEL_URL,
    sha256: str = MODEL_SHA256,
    name: str = MODEL_NAME,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> Path:
    """Fetch the model zip, check its SHA-256, unpack it under `dest`; return the model folder."""
    dest = Path(dest).expanduser()
    folder = dest / name
    if (folder / "am" / "final.mdl").is_file():
        return folder
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / f"{name}.zip.part"
    try:
        digest = _fetch(url, archive, timeout, progress)
        if digest != sha256:
            raise ModelNotAvailable(
                f"从 {url} 下载的文件已损坏或不是要的模型：SHA-256 为 {digest}，"
                f"应为 {sha256}。请重试；如果仍然如此，请手动下载压缩包并核对。"
            )
        _unpack(archive, dest, name)
    finally:
        archive.unlink(missing_ok=True)
    return folder


def _fetch(url: str, target: Path, timeout: float, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise ModelNotAvailable(f"{url} 返回 HTTP {response.status_code}，没有下载到模型")
            total = int(response.headers.get("Content-Length") or MODEL_BYTES)
            done = 0
            with target.open("wb") as fh:
                for block in response.iter_content(CHUNK):
                    fh.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
    except requests.RequestException as exc:
        raise ModelNotAvailable(
            f"无法从 {url} 下载语音模型：本机似乎没有联网，或连不上该地址（{type(exc).__name__}）。"
            f"请在能上网的电脑上下载 {MODEL_URL}，核对其 SHA-256 为 {MODEL_SHA256}，"
            f"解压到这里，再把 VOSK_MODEL_PATH 设为该文件夹。"
        ) from exc
    return digest.hexdigest()


def _unpack(archive: Path, dest: Path, name: str) -> None:
    """Unzip into a temporary folder, refusing paths that escape it, then move the model in place."""
    staging = dest / f".{name}.unpacking"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if not (staging / member).resolve().is_relative_to(staging.resolve()):
                    raise ModelNotAvailable(f"the model archive holds an unsafe path: {member}")
            zf.extractall(staging)
        roots = [p for p in staging.iterdir() if (p / "am" / "final.mdl").is_file()]
        root = roots[0] if roots else staging
        if not (root / "am" / "final.mdl").is_file():
            raise ModelNotAvailable("the downloaded archive holds no Vosk model (no am/final.mdl)")
        root.rename(dest / name)
    except zipfile.BadZipFile as exc:
        raise ModelNotAvailable(f"the downloaded file is not a zip archive ({exc})") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
