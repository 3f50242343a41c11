"""`dialer scripts check` and `dialer scripts show`: validate and read the IVR scripts (话术)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session

from dialer.cli import Context, pass_ctx
from dialer.errors import DialerError, ScriptError
from dialer.ivr.script import Script, check_scripts, load_script
from dialer.ivr.versions import approve_version, import_file, retire_version
from dialer.model.audit import append_audit
from dialer.model.people import User
from dialer.model.scripts import ScriptVersion, approved_version, version_of, versions_of
from dialer.model.states import ScriptStatus, label
from dialer.model.users import find_user

DIR_TYPE = click.Path(file_okay=False, path_type=Path)


def register(group: click.Group) -> None:
    """Add this module's commands to the `dialer` group."""
    group.add_command(scripts)


@click.group()
def scripts() -> None:
    """检查、查看、报备和审批回访话术（话术报备）。"""


@scripts.command("check")
@click.argument("directory", required=False, type=DIR_TYPE)
@pass_ctx
def check(ctx: Context, directory: Path | None) -> None:
    """检查文件夹 DIRECTORY 中的每个话术，逐条列出问题。

    不写 DIRECTORY 则检查 DIALER_SCRIPTS_DIR（ivr_scripts/）；该文件夹还会与 config/task_types.toml 对照：
    每个任务类型的话术都必须在其中。
    """
    folder = directory or ctx.settings.scripts_dir
    found, problems = check_scripts(folder)
    if found and folder.resolve() == ctx.settings.scripts_dir.resolve():
        problems += _unknown_task_scripts(ctx, found)
    for problem in problems:
        click.echo(f"✗ {problem}", err=True)
    if problems:
        raise click.ClickException(f"{folder} 中有 {len(problems)} 个问题；请改正后再运行一次")
    click.echo(f"✓ {folder} 中的 {len(found)} 个话术都没有问题：{', '.join(sorted(found))}")


def _unknown_task_scripts(ctx: Context, found: dict[str, Script]) -> list[str]:
    """Return one problem per task type whose default script is not among the scripts found."""
    try:
        types = ctx.task_types()
    except DialerError as exc:
        return [f"task types: {exc}"]
    return [
        f"task type {tid!r} uses script {rules.script!r}, which is not in the folder; "
        f"add {rules.script}.toml or change 'script' in config/task_types.toml"
        for tid, rules in sorted(types.items())
        if rules.script not in found
    ]


@scripts.command("show")
@click.argument("script_id")
@click.option("--dir", "directory", type=DIR_TYPE, help="话术所在文件夹（默认取 DIALER_SCRIPTS_DIR）。")
@pass_ctx
def show(ctx: Context, script_id: str, directory: Path | None) -> None:
    """按通话顺序列出话术 SCRIPT_ID 的台词和问题。"""
    folder = directory or ctx.settings.scripts_dir
    path = folder / f"{script_id}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or "没有"
        raise ScriptError(f"{folder} 中没有话术 {script_id!r}；现有的话术：{known}")
    for line in describe(load_script(path)):
        click.echo(line)


def describe(script: Script) -> list[str]:
    """Return the lines `scripts show` prints for a script."""
    lines = [
        f"{script.id}: {script.name}",
        f"  task types: {', '.join(script.task_types)}   re-asks at most: {script.max_reasks}",
        f"  greeting: {script.prompt('greeting')}",
        f"  recording notice: {script.prompt('recording_notice')}",
        f"  identity: {script.identity.text}",
        f"  introduction: {script.prompt('introduction')}",
        "  questions:",
    ]
    for n, q in enumerate(script.questions, start=1):
        flags = [q.kind, f"bad on {'是' if q.bad_answer == 'yes' else '否'}"]
        flags += ["required"] if q.required else ["optional"]
        flags += ["escalates when bad"] if q.escalate_on_bad else []
        flags += [f"audio {q.prompt_audio}"] if q.prompt_audio else []
        lines.append(f"  {n}. [{q.id}] {q.text}")
        lines.append(f"     ({', '.join(flags)})")
    for name in ("closing", "wrong_person_close", "escalation", "agent_unavailable", "elderly_offer"):
        lines.append(f"  {name.replace('_', ' ')}: {script.prompt(name)}")
    return lines


def _now() -> datetime:
    return datetime.now(UTC)


def _local(ctx: Context, at: datetime | None) -> str:
    return "" if at is None else at.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")


@scripts.command("versions")
@click.argument("script_id")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各版本。")
@pass_ctx
def versions(ctx: Context, script_id: str, as_json: bool) -> None:
    """列出话术 SCRIPT_ID 已报备的版本：版本号、状态、SHA-256、审批人和时间。"""
    with ctx.database().session() as session:
        rows = versions_of(session, script_id)
        if not rows:
            raise ScriptError(
                f"话术 {script_id} 还没有任何版本；运行 dialer init 登记随附话术，或用 dialer scripts import 导入"
            )
        data = [{"version": v.version, "status": v.status, "sha256": v.sha256, "name": v.name,
                 "created_by": v.created_by, "created_at": v.created_at.isoformat(),
                 "approved_by": v.approved_by, "approved_at": v.approved_at and v.approved_at.isoformat(),
                 "retired_by": v.retired_by, "retired_at": v.retired_at and v.retired_at.isoformat()}
                for v in rows]  # fmt: skip
        lines = [f"第{v.version}版  {label(ScriptStatus(v.status))}  sha256 {v.sha256}  "
                 f"批准：{v.approved_by or '—'} {_local(ctx, v.approved_at)}" for v in rows]  # fmt: skip
    if as_json:
        click.echo(json.dumps({"script": script_id, "versions": data}, ensure_ascii=False, indent=2))
        return
    click.echo(f"话术 {script_id} 共 {len(rows)} 个版本：")
    for line in lines:
        click.echo(f"  {line}")


@scripts.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", "actor", default="cli", show_default=True, help="提交草稿的人（记入审计日志）。")
@pass_ctx
def import_(ctx: Context, file: Path, actor: str) -> None:
    """把话术文件 FILE 保存为其所属话术的新草稿；审批通过前不会用于拨打。"""
    with ctx.database().session() as session, session.begin():
        row = import_file(session, file, ctx.settings.scripts_dir, actor, _now())
        number, sha, sid = row.version, row.sha256, row.script_id
    click.echo(f"已导入话术 {sid} 第{number}版（草稿，sha256 {sha}）；批准前不会用于拨打。"
               f"批准：dialer scripts approve {sid} --version {number} --by 用户名")  # fmt: skip


@scripts.command("approve")
@click.argument("script_id")
@click.option("--version", "number", type=int, required=True, help="草稿的版本号。")
@click.option("--by", "username", required=True, help="审批人（合规质检或系统管理员的用户名）。")
@pass_ctx
def approve_cmd(ctx: Context, script_id: str, number: int, username: str) -> None:
    """审批通过话术 SCRIPT_ID 的草稿：尚未开始的通话改用它，被替换的版本停用。"""
    with ctx.database().session() as session, session.begin():
        who = _user(session, username)
        row = approve_version(session, script_id, number, who.username, who.role, _now())
        sha = row.sha256
    click.echo(
        f"话术 {script_id} 第{number}版已由 {username} 批准（sha256 {sha}）；之后开始的通话都使用此版本。"
    )


@scripts.command("retire")
@click.argument("script_id")
@click.option("--version", "number", type=int, required=True, help="要停用的版本号。")
@click.option("--by", "username", required=True, help="停用人（合规质检或系统管理员的用户名）。")
@pass_ctx
def retire_cmd(ctx: Context, script_id: str, number: int, username: str) -> None:
    """停用话术 SCRIPT_ID 的一个版本；没有已审批版本的话术不会拨打。"""
    with ctx.database().session() as session, session.begin():
        who = _user(session, username)
        retire_version(session, script_id, number, who.username, who.role, _now())
        left = approved_version(session, script_id)
    tail = "" if left else "；此话术现在没有已批准的版本，它的任务暂停拨打"
    click.echo(f"话术 {script_id} 第{number}版已由 {username} 停用{tail}。")


def _user(session: Session, username: str) -> User:
    who = find_user(session, username)
    if who is None or not who.active:
        raise ScriptError(f"没有名为 {username} 的可用用户；请用 dialer users 查看或创建用户")
    return who


@scripts.command("export")
@click.argument("script_id")
@click.option("--version", "number", type=int, default=None, help="版本号（默认为已审批的版本）。")
@click.option("--docx", "target", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="报备文件（.docx）的保存位置。")  # fmt: skip
@pass_ctx
def export(ctx: Context, script_id: str, number: int | None, target: Path) -> None:
    """把话术 SCRIPT_ID 某一版本的话术报备文件写成 DOCX。"""
    from dialer.ivr.filing import filing_docx
    from dialer.ivr.versions import ScriptBook

    with ctx.database().session() as session, session.begin():
        row = _version_to_file(session, script_id, number)
        script = ScriptBook(ctx.settings.scripts_dir).wording(row)
        data = filing_docx(script, row, ctx.settings.company_name, ctx.settings.tz)
        append_audit(session, "cli", "script_export", f"script:{script_id}", {"version": row.version})
        version = row.version
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise ScriptError(f"无法写入 {target}（{exc.strerror}）；请换一个可写的位置") from None
    click.echo(f"已导出话术 {script_id} 第{version}版的报备文件：{target}")


def _version_to_file(session: Session, script_id: str, number: int | None) -> ScriptVersion:
    if number is not None:
        return version_of(session, script_id, number)
    row = approved_version(session, script_id)
    if row is None:
        rows = versions_of(session, script_id)
        if not rows:
            raise ScriptError(f"话术 {script_id} 还没有任何版本；请用 dialer scripts versions 查看已有话术")
        row = rows[-1]
    return row
