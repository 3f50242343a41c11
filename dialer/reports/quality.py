"""Quality checks (质检) by month: draw each agent's sample for a calendar month in the service's time zone,
and the per-agent scores the monthly report shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.model import User
from dialer.model.audit import append_audit
from dialer.model.quality import Drawn, averages, draw
from dialer.reports.month import Month


def draw_month(session: Session, month: Month, tz: ZoneInfo, count: int, actor: str,
               ip: str | None = None) -> list[Drawn]:  # fmt: skip
    """Draw the month's sample for every agent and audit the draw; the caller commits."""
    done = draw(session, str(month), (month.start(tz), month.end(tz)), count, actor)
    detail = {"per_agent": count, "agents": {str(d.agent_id): d.attempt_ids for d in done}}
    append_audit(session, actor, "qa_draw", f"qa:{month}", detail, ip)
    return done


def qa_rows(session: Session, month: Month) -> list[dict[str, Any]]:
    """Return per agent with a sample this month: login, name, calls sampled and scored, average score (%)."""
    found = averages(session, str(month))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(found)))} if found else {}
    rows = []
    for agent_id, row in found.items():
        u = users.get(agent_id)
        name = (u.display_name or u.username) if u else str(agent_id)
        rows.append({"agent": u.username if u else str(agent_id), "name": name, **row})
    return sorted(rows, key=lambda r: r["agent"])


def qa_section(session: Session, month: Month, agents: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return the report's `qa` section and put each agent's average score into their row of `agents`."""
    rows = qa_rows(session, month)
    by_login = {r["agent"]: r for r in rows}
    for a in agents:
        a["qa_score"] = by_login[a["agent"]]["average"] if a["agent"] in by_login else None
    scored = sum(r["scored"] for r in rows)
    note = (f"质检得分为本月抽检通话的平均符合率（符合项数 ÷ 检查项数），共抽检 {sum(r['sampled'] for r in rows)} 通，"
            f"已评分 {scored} 通。" if rows else "本月尚未抽取质检样本，质检得分一栏显示“无数据”。")  # fmt: skip
    return {"available": scored > 0, "rows": rows, "note": note}
