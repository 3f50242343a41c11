"""`dialer report`: the monthly report (回访统计分析报告) as a table, JSON or XLSX; filing a month."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dialer.cli import Context, pass_ctx
from dialer.reports.analysis import pct


def register(group: click.Group) -> None:
    """Add the report command."""
    group.add_command(report)


@click.command()
@click.option("--month", default=None, help="月份，写成 YYYY-MM（如 2026-11）：输出该月的月度报告。")
@click.option("--day", default=None,
              help="不写月份时：某一天（本地日期，YYYY-MM-DD，默认今天）的进度。")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="以一个 JSON 对象输出报告。")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(path_type=Path, dir_okay=False),
    help="同时把报告工作簿（Excel）写到这个文件。",
)
@click.option("--type", "type_", default=None, help="只统计该任务类型（类型代码，如 new_policy）。")
@click.option("--department", default=None, help="只统计该部门（按名单中的写法）。")
@click.option("--file", "file_", is_flag=True, help="归档该月：把这份报告原样永久保存。")
@click.option("--by", default=None, help="归档人（使用 --file 时必填）。")
@click.option("--reason", default=None, help="已归档的月份再次归档的理由（此时必填）。")
@click.option(
    "--analysis",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="与 --file 一起用：存放最终文字分析的 UTF-8 文本文件（默认用系统生成的分析）。",
)
@pass_ctx
def report(ctx: Context, month: str | None, day: str | None, as_json: bool, xlsx: Path | None, type_: str | None, department: str | None,
           file_: bool, by: str | None, reason: str | None, analysis: Path | None) -> None:  # fmt: skip
    """输出月度报告（--month），或某一天的进度和可能超期的任务（默认今天）。"""
    from dialer.reports import Month, ReportInputError, filed_report, snapshot

    if month is None:
        if file_ or xlsx or type_ or department:
            raise ReportInputError(
                "--file、--xlsx、--type、--department 只用于月度报告：请同时给出 --month，例如 --month 2026-11。"
            )
        from dialer.cli.console import report as day_report

        click.get_current_context().invoke(day_report, as_json=as_json, day=day)
        return
    if day is not None:
        raise ReportInputError(
            "--month 与 --day 只能选一个：月度报告用 --month 2026-11，单日进度用 --day 2026-11-23。"
        )

    parsed = Month.parse(month)
    req = _request(ctx, parsed, type_, department)
    with ctx.database().session() as session:
        if file_:
            result, data = _file(ctx, session, req, by, reason, analysis)
        else:
            row = filed_report(session, str(parsed), req.scope_key)
            if row is not None:
                result, data = snapshot(row), row.xlsx
            else:
                result, data = _live(ctx, session, req)
    if xlsx is not None:
        xlsx.write_bytes(data)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        _print(result, xlsx)


def _request(ctx: Context, month: Any, type_: str | None, department: str | None) -> Any:
    from dialer.ivr.script import check_scripts
    from dialer.reports import ReportInputError, ReportRequest, satisfaction_questions

    types = ctx.task_types()
    if type_ is not None and type_ not in types:
        raise ReportInputError(f"没有任务类型“{type_}”：可选的任务类型有 {'、'.join(types)}。")
    scripts, _problems = check_scripts(ctx.settings.scripts_dir)
    return ReportRequest(month, ctx.settings.tz, {k: t.name for k, t in types.items()},
                         satisfaction_questions(scripts), type_ or None, (department or "").strip() or None,
                         {k: x.name for k, x in scripts.items()})  # fmt: skip


def _live(ctx: Context, session: Any, req: Any) -> tuple[dict[str, Any], bytes]:
    from datetime import UTC, datetime

    from dialer.reports import build_report, workbook_bytes

    now = datetime.now(UTC)
    result = build_report(session, req, now)
    return result, workbook_bytes(result, now)


def _file(ctx: Context, session: Any, req: Any, by: str | None, reason: str | None,
          analysis: Path | None) -> tuple[dict[str, Any], bytes]:  # fmt: skip
    from datetime import UTC, datetime

    from dialer.reports import ReportInputError, build_report, file_report, snapshot

    if not (by or "").strip():
        raise ReportInputError("归档须注明归档人：请加上 --by 姓名或账号。")
    now = datetime.now(UTC)
    live = build_report(session, req, now)
    text = analysis.read_text(encoding="utf-8") if analysis else live["analysis"]
    row = file_report(session, live, text, (by or "").strip(), now, scope=req.scope_key, reason=reason)
    session.commit()
    return snapshot(row), row.xlsx


def _print(r: dict[str, Any], xlsx: Path | None) -> None:
    out = Console()
    title = f"回访统计分析报告 · {r['month_label']}"
    if r.get("filed"):
        f = r["filed"]
        title += f"（已归档第 {f['version']} 版，{f['filed_by']}，{f['filed_at_local']}）"
    if r["empty"]:
        out.print(title)
        out.print(r["message"])
    else:
        table = Table(title=title)
        for col in (
            "任务类型",
            "应回访",
            "回访成功",
            "问题件",
            "回访率",
            "回访成功率",
            "及时率",
            "问题件率",
            "上月成功率",
        ):
            table.add_column(col, justify="right" if col != "任务类型" else "left")
        for row in [*r["by_type"], {**r["total"], "name": "合计"}]:
            table.add_row(row["name"], str(row["tasks"]), str(row["succeeded"]), str(row["problem_cases"]),
                          pct(row["reach_rate"]), pct(row["success_rate"]), pct(row["timely_rate"]),
                          pct(row["problem_rate"]), pct(row["previous"]["success_rate"]))  # fmt: skip
        out.print(table)
        out.print(r["analysis"])
    if xlsx is not None:
        out.print(f"已写入 Excel 文件：{xlsx}")
    if r.get("filed"):
        out.print(f"导出文件 SHA-256：{r['filed']['sha256']}")
