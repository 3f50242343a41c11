"""Audit log commands: verify the keyed chain (against an exported head), export the head, export the log."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click
from sqlalchemy import select

from dialer.cli import Context, pass_ctx
from dialer.model import AuditEntry
from dialer.model.audit import Head, chain_head, check_head, verify_chain
from dialer.policy.cells import safe_row


@click.group()
def audit() -> None:
    """审计日志：校验带密钥的哈希链，导出链头，导出全部记录。"""


def _read_head(path: Path) -> Head:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Head(int(data["entries"]), int(data["last_id"]), str(data["head"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(
            f"无法读取链头文件 {path}（{exc}）：请指定 `dialer audit head --out` 写出的 JSON 文件。"
        ) from None


@audit.command("verify")
@click.option("--head", "head_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="之前用 dialer audit head 导出的链头文件：同时检查记录是否被截尾或改写。")  # fmt: skip
@pass_ctx
def audit_verify(ctx: Context, head_file: Path | None) -> None:
    """用 DIALER_AUDIT_KEY 逐条校验哈希链；有任何改动则列出问题并以代码 1 退出。"""
    earlier = _read_head(head_file) if head_file else None
    with ctx.database().session() as s:
        problems = verify_chain(s)
        if earlier is not None:
            problems += check_head(s, earlier)
        head = chain_head(s)
    if problems:
        for p in problems:
            click.echo(f"已损坏：{p}", err=True)
        click.echo(f"审计日志不完整：共 {head.entries} 条，发现 {len(problems)} 处问题。", err=True)
        sys.exit(1)
    against = f"，与链头文件 {head_file} 一致" if head_file else ""
    click.echo(f"审计日志完整：共 {head.entries} 条{against}，当前链头 {head.hash}。")
    if not head_file:
        click.echo(
            "请定期用 `dialer audit head --out 文件` 导出链头并保存在数据库以外，校验时用 --head 指定。"
        )


@audit.command("head")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="写入的文件；写文件夹则在其中生成 audit-head-YYYYMMDD-HHMMSS.json。")  # fmt: skip
@pass_ctx
def audit_head(ctx: Context, out: Path) -> None:
    """把哈希链当前的链头（条数、最后编号、哈希）写到数据库以外保存的文件。"""
    with ctx.database().session() as s:
        head = chain_head(s)
    now = datetime.now(UTC)
    target = out / f"audit-head-{now:%Y%m%d-%H%M%S}.json" if out.is_dir() else out
    record = {**head.as_dict(), "written_at": now.isoformat(timespec="seconds")}
    try:
        target.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"无法写入 {target}（{exc.strerror}）：请检查路径和权限。") from None
    click.echo(
        f"已导出链头到 {target}：共 {head.entries} 条，最后一条第 {head.last_id} 条，哈希 {head.hash}。"
    )
    click.echo(
        "请把该文件保存到数据库以外的地方（另一台机器或归档），以后用 `dialer audit verify --head` 校验。"
    )


@audit.command("export")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="写入这个文件（默认输出到屏幕）。")  # fmt: skip
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="导出格式：csv 或 jsonl（每行一个 JSON）。",
)
@pass_ctx
def audit_export(ctx: Context, output: Path | None, fmt: str) -> None:
    """按时间先后导出全部审计记录及其哈希（CSV 中可能被当作公式的单元格会加引号）。"""
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with ctx.database().session() as s:
            rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
            _write(out, rows, fmt)
    finally:
        if output:
            out.close()


def _write(out: TextIO, rows: Iterable[AuditEntry], fmt: str) -> None:
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(["id", "at", "actor", "action", "target", "detail", "ip", "prev_hash", "hash"])
    for e in rows:
        rec = {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "target": e.target,
               "detail": e.detail, "ip": e.ip, "prev_hash": e.prev_hash, "hash": e.hash}  # fmt: skip
        if writer:
            detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
            writer.writerow(safe_row([*list(rec.values())[:5], detail, e.ip or "", e.prev_hash, e.hash]))
        else:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
