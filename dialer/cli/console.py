"""Console commands: serve the pages, manage users, verify and export the audit log, purge, report."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.cli import Context, pass_ctx
from dialer.cli.auditlog import audit
from dialer.demo.users import ROLE_WORDS
from dialer.model import Role, User
from dialer.model.users import reset_password, set_active, unlock


def register(group: click.Group) -> None:
    """Add the console's commands."""
    for cmd in (serve, users, audit, purge):  # `report` is dialer.cli.report's, which runs it for --day
        group.add_command(cmd)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8000, show_default=True, type=int, help="监听端口。")
@click.option("--threads", default=8, show_default=True, type=int, help="工作线程数。")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int) -> None:
    """用 waitress 提供网关回调和管理页面。"""
    from waitress import serve as waitress_serve

    from dialer.app import create_app
    from dialer.web.guard import UPLOAD_MAX_BYTES, unsafe_to_serve

    refusal = unsafe_to_serve(ctx.settings, host)
    if refusal:
        raise click.ClickException(refusal)
    app = create_app(ctx.settings)
    click.echo(f"正在 http://{host}:{port}/ 提供服务（对外地址 {ctx.settings.public_url}）；按 Ctrl+C 停止。")
    # Waitress reads a whole body before the app sees it: cap it at the largest route limit (list uploads).
    waitress_serve(app, host=host, port=port, threads=threads, max_request_body_size=UPLOAD_MAX_BYTES)


@click.group()
def users() -> None:
    """管理页面的用户：新增、列出、改角色、重置密码、解除锁定、停用。"""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="用户角色：agent 回访专员，supervisor 主管，compliance 合规质检，admin 系统管理员。",
)
@click.option("--phone", default=None, help="回访专员接听转人工电话的号码，如 +8613812341234。")
@click.option("--display-name", default="", help="页面上显示的姓名（默认与用户名 NAME 相同）。")
@click.option("--department", default=None, help="所属部门（机构自访只能登记本部门的任务），如 个险部。")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="至少 8 个字符；不写则会提示输入。")  # fmt: skip
@pass_ctx
def users_add(
    ctx: Context,
    name: str,
    role: str,
    phone: str | None,
    display_name: str,
    department: str | None,
    password: str,
) -> None:
    """新建用户 NAME（密码以 argon2 加密保存）。"""
    from dialer.model.audit import append_audit
    from dialer.model.users import create_user

    with ctx.database().session() as s, s.begin():
        u = create_user(
            s, name, role, password, phone=phone, display_name=display_name, department=department
        )
        append_audit(s, "cli", "user_add", f"user:{u.id}", {"username": name, "role": role})
    click.echo(f"已新建用户 {name}，角色 {ROLE_WORDS[Role(role)]}。")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出。")
@pass_ctx
def users_list(ctx: Context, as_json: bool) -> None:
    """列出用户、角色以及是否被锁定。"""
    from dialer.policy.privacy import mask_phone

    with ctx.database().session() as s:
        rows = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": str(u.role),
                "phone": mask_phone(u.phone) if u.phone else "",
                "active": u.active,
                "locked_until": u.locked_until.isoformat() if u.locked_until else None,
            }
            for u in s.scalars(select(User).order_by(User.username))
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table()
    for col in ("用户名", "姓名", "角色", "电话", "状态", "锁定至"):
        table.add_column(col)
    for r in rows:
        state = "启用" if r["active"] else "已停用"
        until = str(r["locked_until"] or "")[:16].replace("T", " ")
        table.add_row(str(r["username"]), str(r["display_name"] or ""), ROLE_WORDS[Role(str(r["role"]))],
                      str(r["phone"]), state, until)  # fmt: skip
    Console().print(table)


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@pass_ctx
def users_set_role(ctx: Context, name: str, role: str) -> None:
    """把用户 NAME 改为角色 ROLE（记入审计日志；该用户会被退出登录）。"""
    from dialer.model.audit import append_audit
    from dialer.model.users import set_role

    with ctx.database().session() as s, s.begin():
        u, before = set_role(s, name, role)
        append_audit(s, "cli", "role_change", f"user:{u.id}", {"username": name, "before": str(before),
                                                                "after": role})  # fmt: skip
    click.echo(f"用户 {name} 的角色：{ROLE_WORDS[Role(str(before))]} → {ROLE_WORDS[Role(role)]}。")


@users.command("set-contact")
@click.argument("name")
@click.option("--phone", default="", help="接听电话（转人工与坐席拨打都先呼叫这个号码）；留空即清除。")
@click.option("--department", default="", help="所属部门；留空即清除。")
@pass_ctx
def users_set_contact(ctx: Context, name: str, phone: str, department: str) -> None:
    """设置用户 NAME 的接听电话和所属部门。"""
    from dialer.model.audit import append_audit
    from dialer.model.users import set_contact

    with ctx.database().session() as s, s.begin():
        u = set_contact(s, name, phone, department)
        detail = {"username": name, "phone": u.phone or "", "department": u.department or ""}
        append_audit(s, "cli", "user_contact", f"user:{u.id}", detail)
    click.echo(f"已更新用户 {name}：电话 {u.phone or '未设置'}，部门 {u.department or '未设置'}。")


@users.command("reset-password")
@click.argument("name")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt="再输入一次",
              help="至少 8 个字符；不写则会提示输入。")  # fmt: skip
@pass_ctx
def users_reset_password(ctx: Context, name: str, password: str) -> None:
    """给用户 NAME 设置新密码（记入审计日志）：同时解除锁定并使其退出登录。"""
    _account(ctx, name, "password_reset", lambda s: reset_password(s, name, password))
    click.echo(f"已为 {name} 设置新密码，并解除锁定；该用户需用新密码重新登录。")


@users.command("unlock")
@click.argument("name")
@pass_ctx
def users_unlock(ctx: Context, name: str) -> None:
    """解除用户 NAME 因密码输错而被锁定的状态（记入审计日志）。"""
    _account(ctx, name, "user_unlock", lambda s: unlock(s, name))
    click.echo(f"已解除 {name} 的锁定。")


@users.command("deactivate")
@click.argument("name")
@pass_ctx
def users_deactivate(ctx: Context, name: str) -> None:
    """停用用户 NAME（记入审计日志）：立即退出登录，重新启用前无法登录。"""
    _account(ctx, name, "user_deactivate", lambda s: set_active(s, name, False))
    click.echo(f"已停用 {name}：该用户已被登出，不能再登录。")


@users.command("activate")
@click.argument("name")
@pass_ctx
def users_activate(ctx: Context, name: str) -> None:
    """重新启用用户 NAME（记入审计日志）。"""
    _account(ctx, name, "user_activate", lambda s: set_active(s, name, True))
    click.echo(f"已重新启用 {name}。")


def _account(ctx: Context, name: str, action: str, change: Callable[[Session], User]) -> None:
    from dialer.model.audit import append_audit

    with ctx.database().session() as s, s.begin():
        u = change(s)
        append_audit(s, "cli", action, f"user:{u.id}", {"username": name})


@click.command()
@click.option("--dry-run", is_flag=True, help="只报告会删除什么，不做任何改动。")
@pass_ctx
def purge(ctx: Context, dry_run: bool) -> None:
    """删除超过各任务类型保存期限的录音和个人信息；法律保留的不删。"""
    from dialer.clock import SystemClock
    from dialer.model.retention import delete_files
    from dialer.model.retention import purge as run_purge
    from dialer.storage import open_stores

    now = SystemClock().now()
    with ctx.database().session() as s:
        rep = run_purge(
            s, ctx.task_types(), open_stores(ctx.settings), now, dry_run=dry_run, actor="cli:purge"
        )
        if not dry_run:
            s.commit()
    if not dry_run:
        delete_files(rep)
    verb = "将清理" if dry_run else "已清理"
    click.echo(f"{verb} {len(rep.tasks)} 个任务：录音 {len(rep.recordings)} 条，文件 {len(rep.files)} 个，"
               f"客户 {len(rep.customers)} 位的个人信息已去除。")  # fmt: skip
    if rep.held:
        click.echo(f"跳过法律保留中的 {len(rep.held)} 个任务：{', '.join(map(str, rep.held[:20]))}")
    for f in rep.failed:
        click.echo(f"无法删除 {f}", err=True)
    if rep.failed:
        sys.exit(1)


RISK_WORDS = {"at_risk": "有风险", "overdue": "已超期"}
PROGRESS_COLUMNS = ("任务类型", "名称", "已拨打", "回访成功", "问题件", "无法联系", "待回访")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option("--day", default=None, help="统计哪一天（本地日期，YYYY-MM-DD，默认今天）。")
@pass_ctx
def report(ctx: Context, as_json: bool, day: str | None) -> None:
    """按任务类型列出某一天（默认今天）的进度，以及可能超期的任务。"""
    from dialer.clock import SystemClock
    from dialer.holidays import load_work_calendar
    from dialer.policy.rules import Window
    from dialer.reports import at_risk_tasks, parse_day, progress_on

    s_, now = ctx.settings, SystemClock().now()
    counted = parse_day(day) if day else now.astimezone(s_.tz).date()
    with ctx.database().session() as s:
        rows = [r for r in progress_on(s, ctx.task_types(), s_.tz, counted) if not r.empty]
        risky = [(r.task.id, r.task.type, r.task.deadline_at, str(r.risk)) for r in at_risk_tasks(
            s, ctx.task_types(), load_work_calendar(s_.config_dir), [Window.parse(w) for w in s_.call_windows], now)]  # fmt: skip
    if as_json:
        data = {"progress": [r.__dict__ for r in rows],
                "at_risk": [{"task": t, "type": ty, "deadline": d.isoformat() if d else None, "risk": k}
                            for t, ty, d, k in risky]}  # fmt: skip
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_day(ctx, counted, rows, risky)


def _print_day(ctx: Context, counted: Any, rows: list[Any], risky: list[tuple[Any, ...]]) -> None:
    """Print the day's progress table and the tasks at risk, in Chinese."""
    from datetime import UTC, datetime

    from dialer.policy.windows import zone_label

    tz, names = ctx.settings.tz, {k: t.name for k, t in ctx.task_types().items()}
    zone = zone_label(ctx.settings.timezone, datetime.now(UTC))
    table = Table(title=f"{counted.year}年{counted.month}月{counted.day}日 回访进度 · {zone}")
    for col in PROGRESS_COLUMNS:
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.type_id,
            r.name,
            *(str(x) for x in (r.dialled, r.succeeded, r.problem, r.unreachable, r.pending)),
        )
    Console().print(table)
    if not rows:
        click.echo("当天没有拨打或结案的任务，也没有待回访的任务。")
    if not risky:
        click.echo("没有可能错过截止时间的任务。")
        return
    click.echo(f"可能错过截止时间的任务共 {len(risky)} 件：")
    for t, ty, d, k in risky:
        due = f"截止 {d.astimezone(tz):%Y-%m-%d %H:%M}" if d else "无截止时间"
        click.echo(f"  任务 {t}（{names.get(ty, ty)}）{due}，{RISK_WORDS.get(k, k)}")
