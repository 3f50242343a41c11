"""The evidence bundle of one call: a zip of its audio, transcript, event log and checksums."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dialer.model import Answer, Attempt, Task
from dialer.storage import Stores
from dialer.web.files import check, read


@dataclass(frozen=True)
class Bundle:
    data: io.BytesIO
    files: list[str]
    sha256: str


def _transcript(a: Attempt, tz: ZoneInfo) -> str:
    lines = [f"通话 {a.id}  脚本 {a.script}  被叫 {a.to_number}", ""]
    for ans in a.answers:
        when = ans.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"[{when}] {ans.question_id} 第{ans.turn}次: {ans.question_text}")
        lines.append(f"    回答: {ans.transcript or '（无语音）'}  按键: {ans.keys or '-'}  判定: {ans.label}"
                     f"{'  ⚠问题件' if ans.problem else ''}  记录: {_recorder(ans)}")  # fmt: skip
        if ans.note:
            lines.append(f"    坐席备注: {ans.note}")
    return "\n".join(lines) + "\n"


def _recorder(ans: Answer) -> str:
    """Return who recorded an answer: the robot, or the agent by name and account."""
    who = ans.recorded_by
    if who is None:
        return "机器人（自动语音）" if ans.recorded_by_id is None else f"坐席（账户 {ans.recorded_by_id}）"
    return f"坐席 {who.display_name or who.username}（{who.username}）"


def _events(a: Attempt) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "kind": e.kind,
            "name": e.name,
            "sequence": e.sequence,
            "data": e.data,
        }
        for e in a.events
    ]


def build(a: Attempt, task: Task, where: Stores, tz: ZoneInfo) -> Bundle:
    """Return the zip of attempt `a`'s evidence, with SHA256SUMS over every file in it."""
    buf, sums, checks = io.BytesIO(), [], []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:

        def put(name: str, data: bytes) -> None:
            z.writestr(name, data)
            sums.append((hashlib.sha256(data).hexdigest(), name))

        for rec in a.recordings:
            c = check(rec, where)
            folder = "clips" if rec.kind == "clip" else "recordings"
            name = f"{folder}/{rec.kind}-{rec.id}{c.found.suffix if c.found else ''}"
            if c.found is not None:
                put(name, read(c.found))
            checks.append({"recording": rec.id, "kind": rec.kind, "file": name if c.path else None,
                           "stored_sha256": rec.sha256, "actual_sha256": c.actual, "state": c.state,
                           "codec": rec.codec or "wav", "original_sha256": rec.original_sha256,
                           "status": rec.status, "failure": rec.last_error if rec.status == "failed" else None})  # fmt: skip
        put("transcript.txt", _transcript(a, tz).encode("utf-8"))
        put("events.json", json.dumps(_events(a), ensure_ascii=False, indent=2).encode("utf-8"))
        meta = {"attempt": a.id, "task": task.id, "task_type": task.type, "script": a.script,
                "customer": task.customer.name, "phone": task.customer.phone, "outcome": a.outcome,
                "placed_at": a.placed_at.isoformat() if a.placed_at else None, "checksums": checks}  # fmt: skip
        put("call.json", json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
        z.writestr("SHA256SUMS", "".join(f"{h}  {n}\n" for h, n in sums))
    digest = hashlib.sha256(buf.getvalue()).hexdigest()
    buf.seek(0)
    return Bundle(buf, [n for _, n in sums], digest)
