"""Signed receipts (回执) of manual follow-ups: what a file really is, judged by its content, never its name.

A photo (JPEG or PNG) must open as an image; a PDF must start with its header and end with its end-of-file
mark. Anything else is refused with a sentence saying what is accepted.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from PIL import Image, UnidentifiedImageError

from dialer.errors import DialerError
from dialer.storage.base import Store, read_all

ACCEPTED = "只接受照片（JPEG 或 PNG 格式）或 PDF 文件"
CLAIMS = {".pdf": "PDF", ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}  # what a file's name claims it is
KINDS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
PDF_TAIL = 1024  # the %%EOF mark sits in the last kilobyte of a well-formed PDF
MAX_PIXELS = 100_000_000  # a photo of a receipt is far smaller; a bigger one is a decompression bomb


class ReceiptError(DialerError):
    """The uploaded file is not an accepted receipt."""


@dataclass(frozen=True)
class Checked:
    """An accepted receipt: its true content type, suffix, size and SHA-256."""

    content_type: str
    suffix: str
    size: int
    sha256: str


def _image(data: bytes, expected: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != expected:
                    raise ReceiptError(f"图片内容与其格式不符。{ACCEPTED}。")
                if img.width * img.height > MAX_PIXELS:
                    raise ReceiptError(f"图片尺寸过大，无法作为回执保存。{ACCEPTED}，请压缩后重新上传。")
                img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise ReceiptError(f"图片已损坏或不完整，无法打开。{ACCEPTED}，请重新拍照或导出后上传。") from exc


def _pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise ReceiptError(f"PDF 文件不完整（缺少文件结束标记），无法打开。{ACCEPTED}，请重新导出后上传。")


def check_receipt(data: bytes, max_bytes: int, name: str = "") -> Checked:
    """Return what the receipt is, or raise ReceiptError saying in Chinese why it is refused."""
    if not data:
        raise ReceiptError(f"请上传签收回执：文件为空。{ACCEPTED}。")
    if len(data) > max_bytes:
        raise ReceiptError(
            f"回执文件过大（{len(data) / 1048576:.1f} MB），最大 {max_bytes // 1048576} MB。"
            f"{ACCEPTED}，请压缩后重新上传。"
        )
    if data.startswith(b"\xff\xd8\xff"):
        kind = "image/jpeg"
        _image(data, "JPEG")
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "image/png"
        _image(data, "PNG")
    elif data.startswith(b"%PDF-"):
        kind = "application/pdf"
        _pdf(data)
    else:
        claimed = CLAIMS.get(PurePosixPath(name.lower()).suffix)
        said = f"文件“{name}”的扩展名是 {claimed}，但其内容并不是" if claimed else "文件内容不是照片或"
        raise ReceiptError(f"{said} {claimed or 'PDF'}（按文件内容判断，与文件名无关）。{ACCEPTED}。")
    return Checked(kind, KINDS[kind], len(data), hashlib.sha256(data).hexdigest())


def receipt_key(sha256: str, suffix: str, now: datetime) -> str:
    """Return the store key a receipt is kept under: receipts/YYYY/MM/<sha256><suffix>."""
    return f"receipts/{now:%Y/%m}/{sha256}{suffix}"


def read_checked(store: Store, key: str, sha256: str) -> tuple[str, bytes | None]:
    """Return a kept receipt's state (ok, mismatch: changed since it was stored, or missing) and its bytes."""
    if store.stat(key) is None:
        return "missing", None
    data = read_all(store, key)
    return ("ok" if hashlib.sha256(data).hexdigest() == sha256 else "mismatch"), data
