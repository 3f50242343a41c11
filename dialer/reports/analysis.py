"""The written analysis (文字分析): plain Chinese sentences generated from the report's figures."""

from __future__ import annotations

from typing import Any


def pct(value: float | None) -> str:
    """Return a fraction as a percentage with one decimal, or 无数据."""
    return "无数据" if value is None else f"{value * 100:.1f}%"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "上月无可比数据"
    diff = (now - before) * 100
    if abs(diff) < 0.05:
        return f"与上月（{pct(before)}）持平"
    return f"较上月（{pct(before)}）{'上升' if diff > 0 else '下降'} {abs(diff):.1f} 个百分点"


def _headline(r: dict[str, Any]) -> list[str]:
    t, p = r["total"], r["total"]["previous"]
    return [
        f"一、总体情况。{r['month_label']}应回访 {t['tasks']} 件（上月 {p['tasks']} 件），"
        f"已接通 {t['reached']} 件，回访率 {pct(t['reach_rate'])}；回访成功 {t['succeeded']} 件，"
        f"回访成功率 {pct(t['success_rate'])}，{_change(t['success_rate'], p['success_rate'])}；"
        f"及时率 {pct(t['timely_rate'])}；问题件 {t['problem_cases']} 件，问题件率 {pct(t['problem_rate'])}，"
        f"{_change(t['problem_rate'], p['problem_rate'])}。无法联系 {t['unreachable']} 件"
        f"（占 {pct(t['unreachable_share'])}），仍在回访中 {t['open']} 件，已撤销 {t['withdrawn']} 件。"
        + _apart(t)
    ]


def _apart(t: dict[str, Any]) -> str:
    """Say how many tasks were left out of 应回访 by sampling or by a plan not approved, when there are any."""
    parts = [f"抽样未选中 {t['not_sampled']} 件" if t["not_sampled"] else "",
             f"所属回访计划尚未批准 {t['awaiting_approval']} 件" if t["awaiting_approval"] else ""]  # fmt: skip
    said = "、".join(p for p in parts if p)
    return f"另有{said}，均不计入应回访件数。" if said else ""


def _by_type(r: dict[str, Any]) -> list[str]:
    rows = [x for x in r["by_type"] if x["tasks"]]
    if not rows:
        return []
    parts = [f"{x['name']} {x['tasks']} 件、成功率 {pct(x['success_rate'])}" for x in rows]
    worst = min(rows, key=lambda x: x["success_rate"] or 0)
    return [
        f"二、分类型情况。{'；'.join(parts)}。成功率最低的是{worst['name']}（{pct(worst['success_rate'])}）。"
    ]


def _questions(r: dict[str, Any]) -> list[str]:
    bad = [q for q in r["by_question"] if q["problem"]][:3]
    if not bad:
        return ["三、问题分布。本月各问题均未产生问题件。"]
    parts = [f"“{q['question']}”（{q['type_name']}，{q['problem']}/{q['answered']}，{pct(q['problem_rate'])}）"
             for q in bad]  # fmt: skip
    return [
        f"三、问题分布。问题件率最高的问题依次为：{'；'.join(parts)}。建议相关部门针对上述环节加强销售与服务规范。"
    ]


def _cases(r: dict[str, Any]) -> list[str]:
    c = r["cases"]
    median = "无" if c["median_days_to_close"] is None else f"{c['median_days_to_close']} 天"
    text = (f"四、问题件处理。本月新开问题件 {c['opened']} 件，办结 {c['closed']} 件，"
            f"超期 {c['overdue']} 件，重复件 {c['repeats']} 件，办结天数中位数 {median}。")  # fmt: skip
    if c["overdue_open"]:
        ids = "、".join(
            f"#{x['case_id']}（{x['department']}，{x['due']} 到期）" for x in c["overdue_open"][:5]
        )
        text += f"目前已超期未办结的问题件：{ids}，请责任部门尽快处理。"
    return [text]


def _manual_and_agents(r: dict[str, Any]) -> list[str]:
    m = r["manual_followup"]
    over = "；".join(f"{x['name']} {pct(x['share'])}" for x in m.get("over", []))
    warn = f"超过 10% 上限的任务类型：{over}，请加强电话回访、减少转机构自访。" if over else ""
    lines = [f"五、机构自访。机构自访 {m['done']} 件，占比 {pct(m['share'])}（上限 10%）。{warn}{m['note']}"]
    agents = r["agents"]
    if agents:
        parts = [f"{a['name']} 接听 {a['calls_taken']} 通、办结问题件 {a['cases_closed']} 件" for a in agents]
        said = f"六、坐席情况。{'；'.join(parts)}。"
    else:
        said = "六、坐席情况。本月没有坐席接听或办结记录。"
    qa = r["qa"]
    scored = [x for x in qa.get("rows", []) if x["average"] is not None]
    if scored:
        each = [f"{x['name']} {x['average']:g}%（评分 {x['scored']} 通）" for x in scored]
        lines.append(f"{said}质检得分：{'；'.join(each)}。{qa['note']}")
    else:
        lines.append(f"{said}质检得分：无数据。{qa['note']}")
    return lines


def write_analysis(report: dict[str, Any]) -> str:
    """Return the month's written analysis, one paragraph per line."""
    if report["empty"]:
        return f"{report['month_label']}没有应回访的任务，本月无统计数据。"
    lines = _headline(report) + _by_type(report) + _questions(report) + _cases(report)
    return "\n".join(lines + _manual_and_agents(report))
