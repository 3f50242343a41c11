"""Build the monthly report (回访统计分析报告): figures from SQL, rates, last month beside, the text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.model import User
from dialer.reports import figures as fig
from dialer.reports.analysis import write_analysis
from dialer.reports.definitions import DEFINITIONS, MANUAL_NOTE
from dialer.reports.month import Month
from dialer.reports.quality import qa_section

MANUAL_LIMIT = 0.10  # the manual follow-up share must stay at or under 10%
NOT_FILLED = "（未填写）"
SATISFACTION_WORDS = {"yes": "satisfied", "no": "unsatisfied"}


@dataclass(frozen=True)
class ReportRequest:
    """What to report: a month, optional filters, and what the figures need from configuration."""

    month: Month
    tz: ZoneInfo
    type_names: Mapping[str, str] = field(default_factory=dict)
    satisfaction: frozenset[tuple[str, str]] = (
        frozenset()
    )  # (script id, question id) of satisfaction questions
    task_type: str | None = None
    department: str | None = None
    script_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def scope_key(self) -> str:
        """Return the filters in one canonical string ("" for the whole programme)."""
        parts = [f"type={self.task_type}" if self.task_type else "",
                 f"department={self.department}" if self.department else ""]  # fmt: skip
        return "&".join(p for p in parts if p)


def rates(c: Mapping[str, int]) -> dict[str, float | None]:
    """Return the rates of one row of counts as fractions; None where the denominator is zero."""

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    return {
        "reach_rate": ratio(c["reached"], c["tasks"]),
        "success_rate": ratio(c["succeeded"], c["tasks"]),
        "timely_rate": ratio(c["timely"], c["tasks"]),
        "problem_rate": ratio(c["problem_cases"], c["succeeded"]),
        "unreachable_share": ratio(c["unreachable"], c["tasks"]),
        "manual_followup_share": ratio(c["manual_followup"], c["tasks"]),
    }


def _row(counts: Mapping[str, int] | None) -> dict[str, Any]:
    c = {k: (counts or {}).get(k, 0) for k in fig.COUNTS}
    return {**c, **rates(c)}


def _dimension_rows(raw: list[dict[str, Any]], dim: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    cur = {r["key"]: r for r in raw if r["dim"] == dim and r["period"] == fig.CURRENT}
    prev = {r["key"]: r for r in raw if r["dim"] == dim and r["period"] == fig.PREVIOUS}
    out = []
    for key in sorted(set(cur) | set(prev), key=lambda k: (-(cur.get(k) or {}).get("tasks", 0), k)):
        label = names.get(key, key) if key else NOT_FILLED
        out.append({"key": key, "name": label, **_row(cur.get(key)), "previous": _row(prev.get(key))})
    return out


def build_report(session: Session, req: ReportRequest, now: datetime) -> dict[str, Any]:
    """Return the month's report as a JSON-ready dict (figures, rates, previous month, analysis)."""
    m = req.month
    scope = fig.Scope(
        m.previous().start(req.tz), m.start(req.tz), m.end(req.tz), req.task_type, req.department
    )
    as_of = min(now, scope.end)
    fig.roomy_sorts(session)
    raw = fig.task_figures(session, scope)
    total_rows = _dimension_rows(raw, "total", {})
    total = total_rows[0] if total_rows else {**_row(None), "previous": _row(None)}
    total.pop("key", None), total.pop("name", None)
    names = dict(req.type_names)
    report: dict[str, Any] = {
        "month": str(m), "month_label": m.label, "previous_month": str(m.previous()),
        "filters": {"type": req.task_type, "department": req.department},
        "timezone": req.tz.key, "generated_at": now.isoformat(timespec="seconds"),
        "generated_at_local": now.astimezone(req.tz).strftime("%Y-%m-%d %H:%M"),
        "scope_label": _scope_label(req, names),
        "empty": not any(total[k] for k in ("tasks", "withdrawn", "not_sampled", "awaiting_approval")),
        "total": total,
        "by_type": _dimension_rows(raw, "type", names),
        "by_department": _dimension_rows(raw, "department", {}),
        "by_seller": _dimension_rows(raw, "seller", {}),
        "by_script": _dimension_rows(raw, "script", req.script_names),
    }  # fmt: skip
    questions = fig.question_figures(raw)
    report["by_question"] = _question_rows(questions, names, req.script_names)
    report["satisfaction"] = _satisfaction_rows(questions, req.satisfaction, names)
    report["cases"] = _cases(session, scope, as_of, m, req.tz)
    report["agents"] = _agents(session, scope)
    report["manual_followup"] = {"done": total["manual_followup"], "share": total["manual_followup_share"],
                                 "limit": MANUAL_LIMIT, "recorded": True, "note": MANUAL_NOTE,
                                 "over": _over_limit(report["by_type"])}  # fmt: skip
    report["qa"] = qa_section(session, m, report["agents"])
    report["definitions"] = list(DEFINITIONS)
    report["message"] = f"{m.label}没有应回访的任务：本月报告为空。" if report["empty"] else ""
    report["analysis"] = write_analysis(report)
    report["filed"] = None
    return report


def _over_limit(by_type: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the task types whose manual follow-up share this month is over the 10% limit."""
    return [{"key": r["key"], "name": r["name"], "share": r["manual_followup_share"]} for r in by_type
            if r["manual_followup"] and (r["manual_followup_share"] or 1.0) > MANUAL_LIMIT]  # fmt: skip


def _scope_label(req: ReportRequest, names: Mapping[str, str]) -> str:
    parts = [f"任务类型：{names.get(req.task_type, req.task_type)}" if req.task_type else "",
             f"部门：{req.department}" if req.department else ""]  # fmt: skip
    return "，".join(p for p in parts if p) or "全部"


def _question_rows(rows: list[dict[str, Any]], names: Mapping[str, str],
                   scripts: Mapping[str, str]) -> list[dict[str, Any]]:  # fmt: skip
    """Fold (label) counts into one row per (type, script, question), with last month beside it."""
    acc: dict[tuple[str, str, str], dict[str, Any]] = {}
    blank = {"answered": 0, "yes": 0, "no": 0, "unclear": 0, "other": 0, "problem": 0}
    for r in rows:
        key = (r["type"], r["script"], r["question_id"])
        row = acc.setdefault(key, {"type": r["type"], "type_name": names.get(r["type"], r["type"]),
                                   "script": r["script"], "script_name": scripts.get(r["script"], r["script"]),
                                   "question_id": r["question_id"],
                                   "question": r["question"], "current": dict(blank), "previous": dict(blank)})  # fmt: skip
        side = row["current" if r["period"] == fig.CURRENT else "previous"]
        label = r["label"] if r["label"] in ("yes", "no", "unclear") else "other"
        side[label] += int(r["n"])
        side["answered"] += int(r["n"])
        side["problem"] += int(r["problem"])
    out = []
    for row in acc.values():
        cur, prev = row.pop("current"), row.pop("previous")
        prev["problem_rate"] = prev["problem"] / prev["answered"] if prev["answered"] else None
        out.append({**row, **cur, "problem_rate": cur["problem"] / cur["answered"] if cur["answered"] else None,
                    "previous": prev})  # fmt: skip
    out.sort(key=lambda r: (-(r["problem_rate"] or 0), -r["answered"], r["type"], r["question_id"]))
    return [r for r in out if r["answered"] or r["previous"]["answered"]]


def _satisfaction_rows(rows: list[dict[str, Any]], which: frozenset[tuple[str, str]],
                       names: Mapping[str, str]) -> list[dict[str, Any]]:  # fmt: skip
    """Return the distribution of answers to satisfaction questions, per task type (this month)."""
    acc: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["period"] != fig.CURRENT or (r["script"], r["question_id"]) not in which:
            continue
        row = acc.setdefault(r["type"], {"type": r["type"], "name": names.get(r["type"], r["type"]),
                                         "satisfied": 0, "unsatisfied": 0, "unclear": 0, "answered": 0})  # fmt: skip
        row[SATISFACTION_WORDS.get(r["label"], "unclear")] += int(r["n"])
        row["answered"] += int(r["n"])
    for row in acc.values():
        row["satisfied_rate"] = row["satisfied"] / row["answered"] if row["answered"] else None
    return sorted(acc.values(), key=lambda r: r["type"])


def _cases(session: Session, scope: fig.Scope, as_of: datetime, m: Month, tz: ZoneInfo) -> dict[str, Any]:
    flow = fig.case_figures(session, scope, as_of)
    prev = m.previous()
    return {
        **flow[fig.CURRENT],
        "median_days_to_close": fig.median_days_to_close(session, scope, m.start(tz), m.end(tz)),
        "previous": {**flow[fig.PREVIOUS],
                     "median_days_to_close": fig.median_days_to_close(session, scope, prev.start(tz), prev.end(tz))},
        "overdue_open": [
            {"case_id": c["id"], "question": c["question_text"], "department": c["department"] or NOT_FILLED,
             "type": c["type"], "due": c["due_at"].astimezone(tz).date().isoformat() if c["due_at"] else None}
            for c in fig.overdue_cases(session, scope, as_of)
        ],
        "as_of": as_of.isoformat(timespec="seconds"),
    }  # fmt: skip


def _agents(session: Session, scope: fig.Scope) -> list[dict[str, Any]]:
    raw = fig.agent_figures(session, scope)
    ids = {r["agent"] for r in raw}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    out: dict[int, dict[str, Any]] = {}
    for r in raw:
        u = users.get(r["agent"])
        row = out.setdefault(r["agent"], {"agent": u.username if u else str(r["agent"]),
                                          "name": (u.display_name or u.username) if u else str(r["agent"]),
                                          "calls_taken": 0, "cases_closed": 0, "qa_score": None,
                                          "previous": {"calls_taken": 0, "cases_closed": 0}})  # fmt: skip
        side = row if r["period"] == fig.CURRENT else row["previous"]
        side["calls_taken"] += r["calls_taken"]
        side["cases_closed"] += r["cases_closed"]
    return sorted(out.values(), key=lambda r: (-r["calls_taken"] - r["cases_closed"], r["agent"]))


def satisfaction_questions(scripts: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """Return (script id, question id) of every question a script marks as a satisfaction question."""
    return frozenset(
        (sid, q.id)
        for sid, s in scripts.items()
        for q in s.questions
        if getattr(q, "kind", "") == "satisfaction"
    )
