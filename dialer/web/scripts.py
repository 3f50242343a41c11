"""Read the call scripts for the console: through dialer.ivr.script's validator when it is there."""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ScriptInfo:
    """What the scripts page shows of one script file."""

    id: str
    path: Path
    name: str = ""
    task_types: tuple[str, ...] = ()
    prompts: dict[str, str] = field(default_factory=dict)
    identity: str = ""
    questions: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    validated: bool = False  # True when the IVR's own loader checked it


def _loader() -> Any:
    try:
        return importlib.import_module("dialer.ivr.script").load_script
    except (ImportError, AttributeError):
        return None  # the IVR room is not built here: show the files as they are


def _from_script(path: Path, s: Any) -> ScriptInfo:
    qs = [{"id": q.id, "text": q.text, "kind": q.kind, "bad_answer": q.bad_answer, "required": q.required,
           "escalate_on_bad": q.escalate_on_bad} for q in s.questions]  # fmt: skip
    return ScriptInfo(s.id, path, s.name, tuple(s.task_types), dict(s.prompts), s.identity.text, qs,
                      validated=True)  # fmt: skip


def _from_toml(path: Path, problem: str | None) -> ScriptInfo:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return ScriptInfo(path.stem, path, problem=problem or f"无法读取：{exc}")
    questions = [q for q in data.get("questions", []) if isinstance(q, dict)]
    identity = data.get("identity", {})
    return ScriptInfo(
        str(data.get("id", path.stem)), path, str(data.get("name", "")), tuple(data.get("task_types", ())),
        {k: str(v) for k, v in data.get("prompts", {}).items()},
        str(identity.get("text", "")) if isinstance(identity, dict) else "", questions, problem=problem,
    )  # fmt: skip


def read_script(path: Path) -> ScriptInfo:
    """Return one script file's contents, with the validator's complaint if it has one."""
    load = _loader()
    if load is None:
        return _from_toml(path, None)
    try:
        return _from_script(path, load(path))
    except Exception as exc:  # the IVR loader is another room's: any failure is shown, not raised
        return _from_toml(path, str(exc))


def list_scripts(directory: Path) -> list[ScriptInfo]:
    """Return every `*.toml` script in `directory`, by file name."""
    if not directory.is_dir():
        return []
    return [read_script(p) for p in sorted(directory.glob("*.toml"))]
