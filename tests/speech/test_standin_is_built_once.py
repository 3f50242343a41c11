"""The stand-in is built into a cache folder once: one renamed Gr.fst, every other file a symlink."""

from __future__ import annotations

from pathlib import Path

from dialer.speech import ensure_standin_model
from dialer.speech.standin import RENAMES, is_standin, korean_model_dir, symbol_patches


def test_a_second_call_reuses_the_build(standin_dir: Path) -> None:
    before = (standin_dir / "graph" / "Gr.fst").stat().st_mtime_ns

    again = ensure_standin_model(standin_dir.parent)

    assert again == standin_dir
    assert (again / "graph" / "Gr.fst").stat().st_mtime_ns == before
    assert is_standin(again) and not is_standin(korean_model_dir())


def test_only_the_grammar_fst_is_a_real_file(standin_dir: Path) -> None:
    files = [p for p in standin_dir.rglob("*") if p.is_file() and p.name != "STANDIN"]
    real = [p.relative_to(standin_dir) for p in files if not p.is_symlink()]

    assert real == [Path("graph/Gr.fst")]
    assert (standin_dir / "graph/Gr.fst").stat().st_size == (
        korean_model_dir() / "graph/Gr.fst"
    ).stat().st_size


def test_every_renamed_label_keeps_its_byte_length() -> None:
    assert all(len(k.encode()) == len(v.encode()) for k, v in RENAMES.items())


def test_labels_are_renamed_in_both_symbol_tables() -> None:
    with (korean_model_dir() / "graph" / "Gr.fst").open("rb") as fh:
        head = fh.read(64 << 20)

    patches = symbol_patches(head)

    assert sorted(new.decode() for _, new in patches) == sorted(list(RENAMES.values()) * 2)
    assert all(head[at : at + len(new)] in {k.encode() for k in RENAMES} for at, new in patches)
