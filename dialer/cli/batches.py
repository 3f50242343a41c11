"""`dialer batches`: review the plans (回访计划) that imports made, and approve, reject or withdraw them."""

from __future__ import annotations

import getpass
import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dialer.cli import Context, pass_ctx
from dialer.clock import utcnow
from dialer.policy.privacy import mask_phone

STATUS_CHOICES = ("loading", "pending", "approved", "rejected", "withdrawn", "failed")


def register(group: click.Group) -> None:
    """Add the plan commands."""
    group.add_command(batches)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


@click.group()
def batches() -> None:
    """查看已导入的回访计划，批准、驳回或撤回。"""


@batches.command("list")
@click.option("--status", type=click.Choice(STATUS_CHOICES), help="只列出该状态的计划。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出。")
@pass_ctx
def list_(ctx: Context, status: str | None, as_json: bool) -> None:
    """列出回访计划（最新的在前）：各项数量，以及是否可以拨打。"""
    from dialer.model.batches import list_plans, plan_counts, plan_dict

    with ctx.database().session() as s:
        plans = list_plans(s, status=status)
        counts = plan_counts(s, [p.id for p in plans])
        rows = [plan_dict(p, counts[p.id], ctx.settings.tz) for p in plans]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="回访计划")
    for col in ("编号", "文件", "类型", "状态", "行数", "任务", "抽样未选中", "导入人", "导入时间"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), r["file"], r["type"], r["status_label"], str(r["rows"]), str(r["tasks"]),
                      str(r["not_sampled"]), r["created_by"], (r["created_at"] or "")[:16].replace("T", " "))  # fmt: skip
    Console().print(table)
    if not rows:
        click.echo("还没有回访计划：用 dialer import 或“导入名单”页面导入名单。")


@batches.command("show")
@click.argument("plan_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_ctx
def show(ctx: Context, plan_id: int, as_json: bool) -> None:
    """查看编号为 PLAN_ID 的计划：各项数量、导入时跳过的行、审批结果和前几条任务。"""
    from dialer.model.batches import get_plan, plan_counts, plan_dict, sample_tasks

    with ctx.database().session() as s:
        plan = get_plan(s, plan_id)
        data = plan_dict(plan, plan_counts(s, [plan.id])[plan.id], ctx.settings.tz)
        data["first_tasks"] = [_task(t) for t in sample_tasks(s, plan.id)]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in _describe(data):
        click.echo(line)


def _task(t: Any) -> dict[str, Any]:
    return {"id": t.id, "row": t.source_row, "customer": t.customer.name, "phone": mask_phone(t.customer.phone),
            "status": t.status, "series": f"{t.series_step}/{t.series_total or '…'}",
            "earliest": t.earliest_at.isoformat(), "department": t.department}  # fmt: skip


def _describe(d: dict[str, Any]) -> list[str]:
    lines = [
        f"回访计划 {d['id']}：{d['file']}（类型 {d['type']}），状态：{d['status_label']}",
        f"由 {d['created_by']} 于 {(d['created_at'] or '')[:16].replace('T', ' ')} 导入；数据行 {d['rows']}，"
        f"任务 {d['tasks']}，重复 {d['duplicates']}，错误 {d['rejected']}，抽样未选中 {d['not_sampled']}",
    ]
    if d["decided_by"]:
        note = f"，原因：{d['decision_note']}" if d["decision_note"] else ""
        lines.append(
            f"{d['status_label']}：{d['decided_by']}，{(d['decided_at'] or '')[:16].replace('T', ' ')}{note}"
        )
    if d["sample_seed"] and (d["sample_rate"] or 1) < 1:
        lines.append(f"抽样比例 {d['sample_rate']:.0%}，随机种子 {d['sample_seed']}（可复现）")
    lines += [f"导入时跳过第 {row} 行：{why}" for row, why in d["summary"].get("skipped_rows", [])]
    if d["summary"].get("ignored_columns"):
        lines.append(f"未使用的列：{'、'.join(d['summary']['ignored_columns'])}")
    lines.append(
        "任务状态：" + ("，".join(f"{k} {v}" for k, v in sorted(d["task_statuses"].items())) or "无")
    )
    lines += [f"  第 {t['row']} 行 {t['customer']} {t['phone']} 第 {t['series']} 次 最早 {t['earliest'][:10]} "
              f"{t['department'] or ''}" for t in d["first_tasks"]]  # fmt: skip
    return lines


def _decide(ctx: Context, plan_id: int, action: str, by: str, note: str = "") -> None:
    from dialer.model.batches import decide, get_plan

    types = ctx.task_types()
    with ctx.database().session() as s, s.begin():
        plan = get_plan(s, plan_id)
        rules = types.get(plan.task_type)
        rate = rules.sample_rate if rules is not None else 1.0
        plan = decide(s, plan_id, action, by, utcnow(), sample_rate=rate, note=note)
        status, not_sampled = plan.status, plan.not_sampled
    verb = {"approve": "已批准", "reject": "已驳回", "withdraw": "已撤回"}[action]
    extra = f"；抽样未选中 {not_sampled} 条，不拨打" if action == "approve" and not_sampled else ""
    click.echo(f"回访计划 {plan_id} {verb}（{status}），操作人 {by}{extra}。")


@batches.command("approve")
@click.argument("plan_id", type=int)
@click.option("--by", default=_default_user, show_default="系统用户", help="批准人（记入审计日志）。")
@pass_ctx
def approve(ctx: Context, plan_id: int, by: str) -> None:
    """批准待审批的计划 PLAN_ID：抽取样本，交给自动拨号。"""
    _decide(ctx, plan_id, "approve", by)


@batches.command("reject")
@click.argument("plan_id", type=int)
@click.option("--reason", required=True, help="驳回理由，给导入名单的人看。")
@click.option("--by", default=_default_user, show_default="系统用户", help="驳回人（记入审计日志）。")
@pass_ctx
def reject(ctx: Context, plan_id: int, reason: str, by: str) -> None:
    """驳回待审批的计划 PLAN_ID：其任务全部取消，不会拨打。"""
    _decide(ctx, plan_id, "reject", by, reason)


@batches.command("withdraw")
@click.argument("plan_id", type=int)
@click.option("--by", default=_default_user, show_default="系统用户", help="撤回人（记入审计日志）。")
@pass_ctx
def withdraw(ctx: Context, plan_id: int, by: str) -> None:
    """撤回还没有开始拨打的计划 PLAN_ID：其任务全部取消。"""
    _decide(ctx, plan_id, "withdraw", by)


@batches.command("clear-stuck")
@click.option("--by", default=_default_user, show_default="系统用户", help="清理人（记入审计日志）。")
@pass_ctx
def clear_stuck_cmd(ctx: Context, by: str) -> None:
    """清理导入中途停止（进程退出）而一直处于“导入中”的计划：删除其任务，标记为导入失败。"""
    from dialer.model.stuck import clear_stuck

    with ctx.database().session() as s, s.begin():
        cleared = clear_stuck(s, utcnow(), by)
    if not cleared:
        click.echo("没有中断的导入：所有“导入中”的计划都在正常写入。")
    for plan_id, tasks in cleared:
        click.echo(
            f"回访计划 {plan_id} 的导入已中断：清除了 {tasks} 条任务，计划标记为导入失败。请重新导入名单。"
        )


def stuck_check(ctx: Context) -> tuple[str, bool, str]:
    """Return `dialer doctor`'s row for imports that stopped half-way."""
    from dialer.model.stuck import stuck_plans

    try:
        with ctx.database().session() as s:
            found = [p.id for p in stuck_plans(s, utcnow())]
    except Exception:  # an empty or unreachable database is reported by the database check
        return ("中断的导入", True, "未检查：数据库还不能用（见上面数据库一行）")
    if not found:
        return ("中断的导入", True, "没有中断的导入")
    ids = "、".join(str(i) for i in found)
    return (
        "中断的导入",
        False,
        f"回访计划 {ids} 的导入已中断（未拨打）；运行 dialer batches clear-stuck 清理后重新导入",
    )


def coverage_check(ctx: Context) -> tuple[str, bool, str]:
    """Return `dialer doctor`'s row for the coverage targets: fails when a type's running plans will miss it."""
    from dialer.reports.coverage import coverage_rows, coverage_warnings

    try:
        with ctx.database().session() as s:
            rows = coverage_rows(s, ctx.task_types(), utcnow())
    except Exception:  # an empty or unreachable database is reported by the database check
        return ("回访率目标", True, "未检查：数据库还不能用（见上面数据库一行）")
    warnings = coverage_warnings(rows)
    running = sum(1 for r in rows if r.due)
    return (
        "回访率目标",
        not warnings,
        "；".join(warnings) or f"{running} 个任务类型的进行中计划可以达标",
    )
