"""Data commands: init, import, tasks, config."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select

from dialer.cli import Context, pass_ctx
from dialer.model import Task, TaskStatus, migrate
from dialer.model.states import labels_by_word
from dialer.policy.privacy import mask_phone

BIG_FILE_BYTES = 200_000


class WrongArgument(click.ClickException):
    """A wrong argument, said in plain words; exit code 2 like click's own refusals."""

    exit_code = 2


def register(group: click.Group) -> None:
    """Add the data commands."""
    for cmd in (init, import_, tasks, config):
        group.add_command(cmd)


@click.command()
@pass_ctx
def init(ctx: Context) -> None:
    """建立数据库，或把它升级到最新版本（可以重复运行）。"""
    before, after = migrate(ctx.database())
    where = ctx.settings.database_url.split("@")[-1]
    if before == after:
        click.echo(f"数据库 {where} 已是最新版本（{after}）。")
    else:
        click.echo(f"数据库 {where} 已从{f'版本 {before}' if before else '空库'}升级到版本 {after}。")
    _file_shipped_scripts(ctx)


def _file_shipped_scripts(ctx: Context) -> None:
    """File each shipped script that the database does not have yet as approved version 1."""
    from dialer.ivr.versions import load_shipped

    folder = ctx.settings.scripts_dir
    with ctx.database().session() as session, session.begin():
        added = load_shipped(session, folder, datetime.now(UTC))
    if added:
        names = "、".join(f"{v.script_id}（{v.name}）" for v in added)
        click.echo(f"已将 {folder} 中的 {len(added)} 份话术登记为已批准的第1版：{names}")
    else:
        click.echo(f"{folder} 中的话术均已登记，未新增版本。")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--type", "type_", required=True, help="任务类型代码，如 new_policy（见 config/task_types.toml）。"
)
@click.option("--script", default=None, help="话术代码；不写则用该任务类型的默认话术。")
@click.option("--skip-invalid", is_flag=True, help="导入正确的行，列出有错的行。")
@click.option("--dry-run", is_flag=True, help="只检查文件并报告，不保存任何数据。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告。")
@pass_ctx
def import_(ctx: Context, file: Path, type_: str, script: str | None, skip_invalid: bool, dry_run: bool,
            as_json: bool) -> None:  # fmt: skip
    """导入回访名单 FILE（UTF-8 或 GBK 编码的 CSV，或 XLSX），作为同一类型的回访任务。"""
    from dialer.intake import Limits, import_call_list

    rules = _task_type(ctx, type_)
    s = ctx.settings
    db = ctx.database()
    err = Console(stderr=True)
    with db.session() as session, _progress(err, file) as bar:
        job = bar.add_task(f"正在导入 {file.name}", total=1)

        def step(done: int, total: int) -> None:
            bar.update(job, completed=done, total=max(total, 1))

        report = import_call_list(
            session, file, rules, script=script, region=s.phone_region, default_tz=s.timezone,
            today=datetime.now(s.tz).date(), skip_invalid=skip_invalid, dry_run=dry_run, progress=step,
            limits=Limits.of(s),
        )  # fmt: skip
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(Console(), report, skip_invalid)
    if report.errors and not skip_invalid:
        sys.exit(2)


def _task_type(ctx: Context, type_: str) -> Any:
    types = ctx.task_types()
    if type_ not in types:
        known = "、".join(f"{t.id}（{t.name}）" for t in types.values())
        raise WrongArgument(f"未知的任务类型“{type_}”。请在 --type 中填写以下之一：{known}")
    return types[type_]


def _progress(console: Console, file: Path) -> Progress:
    big = file.exists() and file.stat().st_size > BIG_FILE_BYTES
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not big,
    )  # fmt: skip


def _print_report(out: Console, report: Any, skip_invalid: bool) -> None:
    for line in report_lines(report, skip_invalid):
        click.echo(line)
    if report.errors:
        table = Table(title=f"{report.filename} 中有 {len(report.errors)} 处问题", show_lines=False)
        for col in ("行号", "列", "问题"):
            table.add_column(col)
        for e in report.errors:
            table.add_row(str(e.row), e.column, e.reason)
        out.print(table)


def report_lines(report: Any, skip_invalid: bool) -> list[str]:
    """Return the import summary in words for people: what was read, set aside, imported, and what comes next."""
    lines = [f"表头在第 {report.header_row} 行。"] if report.header_row != 1 else []
    lines += [f"跳过第 {s.row} 行：{s.reason}" for s in report.skipped]
    if report.ignored_columns:
        lines.append(f"未使用的列（内容原样保存在任务的附加信息中）：{'、'.join(report.ignored_columns)}")
    if report.errors and not skip_invalid:
        lines.append(f"未导入任何记录：{report.total} 行中有 {report.rejected} 行有误。请修正后重新导入，"
                     "或使用 --skip-invalid 只导入正确的行。")  # fmt: skip
        return lines
    verb = "检查完成（未导入）：可导入" if report.dry_run else "已导入"
    lines.append(f"{verb} {report.rows_imported} 行，生成 {report.imported} 条回访任务（类型 {report.task_type}，"
                 f"文件 {report.filename}）；重复跳过 {report.duplicates} 行，错误 {report.rejected} 行。")  # fmt: skip
    if report.committed:
        lines.append(_plan_line(report))
    return lines


def _plan_line(report: Any) -> str:
    if report.plan_status == "pending":
        return (f"回访计划 {report.batch_id} 待审批：主管批准前不会拨打。"
                f"批准：dialer batches approve {report.batch_id}")  # fmt: skip
    sampled = f"；抽样未选中 {report.not_sampled} 条（不拨打，单独统计）" if report.not_sampled else ""
    return f"回访计划 {report.batch_id} 无需审批，已生效{sampled}。"


@click.command()
@click.option("--status", type=click.Choice([s.value for s in TaskStatus]), help="只列出该状态的任务。")
@click.option("--type", "type_", help="只列出该类型的任务（类型代码，如 new_policy）。")
@click.option("--limit", type=int, default=200, show_default=True, help="最多列出多少条。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出。")
@pass_ctx
def tasks(ctx: Context, status: str | None, type_: str | None, limit: int, as_json: bool) -> None:
    """列出回访任务：电话（部分隐藏）、截止时间和下次拨打时间。"""
    tz = ctx.settings.tz
    q = select(Task).order_by(Task.deadline_at.is_(None), Task.deadline_at, Task.id).limit(limit)
    if status:
        q = q.where(Task.status == status)
    if type_:
        q = q.where(Task.type == type_)
    with ctx.database().session() as session:
        rows = [_task_row(t, tz) for t in session.scalars(q)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    types, statuses = {k: t.name for k, t in ctx.task_types().items()}, labels_by_word(TaskStatus)
    table = Table()
    for col in ("编号", "客户", "电话", "任务类型", "状态", "轮次", "已拨次数", "截止", "下次拨打"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), r["customer"], r["phone"], types.get(r["type"], r["type"]),
                      statuses.get(r["status"], r["status"]), r["series"],
                      str(r["attempts"]), _short(r["deadline"]), _short(r["next_attempt_at"]))  # fmt: skip
    Console().print(table)


def _iso(dt: datetime | None, tz: Any) -> str | None:
    return None if dt is None else dt.astimezone(tz).isoformat()


def _short(iso: str | None) -> str:
    return "" if iso is None else iso[:16].replace("T", " ")


def _task_row(t: Task, tz: Any) -> dict[str, Any]:
    return {
        "id": t.id, "customer": t.customer.name, "phone": mask_phone(t.customer.phone), "type": t.type,
        "script": t.script, "status": t.status, "attempts": t.attempt_count, "deadline": _iso(t.deadline_at, tz),
        "next_attempt_at": _iso(t.next_attempt_at, tz), "department": t.department, "seller": t.seller,
        "series": f"{t.series_step}/{t.series_total or '…'}", "plan": t.import_batch_id,
    }  # fmt: skip


# What each setting means, as `dialer config` tells the person running it (settings.py's docs are the developers').
SETTING_WORDS = {
    "DIALER_DATABASE_URL": "数据库地址（SQLAlchemy 格式）；默认为本机 SQLite 文件",
    "DIALER_PUBLIC_URL": "网关访问本服务回调的对外地址",
    "DIALER_RECORDINGS_DIR": "录音保存的文件夹",
    "DIALER_VAR_DIR": "运行数据的文件夹：SQLite 文件、日志、缓存",
    "DIALER_CONFIG_DIR": "配置文件（TOML）所在文件夹",
    "DIALER_SCRIPTS_DIR": "话术文件所在文件夹",
    "DIALER_TIMEZONE": "客户默认所在时区",
    "DIALER_PHONE_REGION": "不带 + 的号码按哪个国家或地区解析",
    "TWILIO_ACCOUNT_SID": "网关账号",
    "TWILIO_AUTH_TOKEN": "网关密钥；用于回调签名",
    "TWILIO_FROM_NUMBER": "主叫号码（E.164 格式）",
    "DIALER_GATEWAY_URL": "留空为 Twilio 正式服务；否则为兼容网关的地址",
    "DIALER_GATEWAY_PROFILE": "网关服务商：twilio、signalwire 或 somleng",
    "DIALER_GATEWAY_SIGNING_KEY": "SignalWire 项目的回调签名密钥",
    "VOSK_MODEL_PATH": "语音模型文件夹；留空则只能按键回答",
    "DIALER_SECRET_KEY": "管理页面登录会话的签名密钥",
    "DIALER_CALL_WINDOWS": "允许开始拨打的本地时段",
    "DIALER_MAX_CPS": "每秒最多发起的通话数",
    "DIALER_MAX_CONCURRENT_CALLS": "最多同时进行的通话数（新开的 Twilio 账号可能只有 2–3 路）",
    "DIALER_RING_TIMEOUT": "振铃多少秒无人接听即挂断",
    "DIALER_TICK_SECONDS": "自动拨号每隔多少秒拨一轮",
    "DIALER_CLAIM_LEASE_SECONDS": "任务被领取后多少秒未拨出即可重新领取",
    "DIALER_AGENT_PHONES": "转人工时拨打的坐席电话",
    "DIALER_AGENT_WAIT_SECONDS": "转人工排队等待多少秒后致歉",
    "DIALER_SAY_VOICE": "语音播报的音色",
    "DIALER_SAY_LANGUAGE": "语音播报的语言",
    "DIALER_ANSWER_BUDGET": "获取并识别一个回答的时限（回答回调的时限）",
    "DIALER_MACHINE_DETECTION": "是否识别语音信箱：async、sync 或 off",
    "DIALER_CUSTOMER_CHANNEL": "双声道录音中客户所在的声道：0（左）或 1（右）",
    "DIALER_DELETE_GATEWAY_RECORDINGS": "录音下载并校验后是否删除网关上的副本",
    "DIALER_PROBLEM_SLA_DAYS": "问题件处理时限（工作日）",
    "DIALER_REPEAT_WINDOW_DAYS": "同一事项的问题在多少天内算重复",
    "DIALER_HOTLINE": "话术中报出的客服电话",
    "DIALER_EMULATOR_CPS": "模拟网关每秒发起的通话数",
    "DIALER_LOG_LEVEL": "日志级别",
    "DIALER_ELDERLY_AGE": "达到此年龄的客户，开场即询问是否转人工",
    "DIALER_COMPANY_NAME": "话术中报出的公司名称",
    "DIALER_IMPORT_MAX_ROWS": "一份名单最多的数据行数",
    "DIALER_IMPORT_MAX_COLUMNS": "一份名单最多的列数",
    "DIALER_IMPORT_MAX_XLSX_MB": "XLSX 名单解压后的最大大小（MB）",
    "DIALER_RECORDINGS_URL": "留空则存入 DIALER_RECORDINGS_DIR 文件夹；s3://桶/前缀 则存入对象存储",
    "DIALER_S3_ENDPOINT_URL": "兼容 S3 的对象存储地址；留空为 AWS",
    "DIALER_S3_REGION": "对象存储的区域名",
    "DIALER_S3_ACCESS_KEY_ID": "对象存储访问密钥；留空则按 boto3 的默认方式查找",
    "DIALER_S3_SECRET_ACCESS_KEY": "对象存储私有密钥",
    "DIALER_S3_LOCK_MODE": "对象锁定模式：COMPLIANCE 或 GOVERNANCE",
    "DIALER_RECORDINGS_CODEC": "全程录音的存档格式：opus，或 wav（保持原样）",
    "DIALER_RECORDING_MAX_TRIES": "录音下载最多尝试次数，超过即标记为保存失败",
    "DIALER_QA_SAMPLE_PER_AGENT": "每月每名坐席抽检的通话数（质检）",
    "DIALER_QA_CHECKLIST": "每通抽检通话逐项评分的检查项（符合/不符合）",
    "DIALER_RECEIPT_MAX_MB": "机构自访回执（照片或 PDF）上传大小上限（MB）",
    "DIALER_RECORD_TIMEOUT": "录音听答时，客户停顿多少秒即认为回答结束",
    "DIALER_LISTEN": "怎样听客户回答：自动（线路支持且设置了 DIALER_EAR_URL 时实时听答）、实时听答或录音后识别",
    "DIALER_EAR_URL": "实时听答进程（dialer ear）的地址，网关把通话音频送到这里",
    "DIALER_EAR_END_SILENCE_MS": "实时听答时，听到回答后再静默多少毫秒即认为说完",
    "DIALER_AUDIT_KEY": "审计日志哈希链的密钥",
    "DIALER_SESSION_IDLE_MINUTES": "管理页面无操作多少分钟后需重新登录",
    "DIALER_SESSION_MAX_HOURS": "管理页面登录最长有效小时数",
}


@click.command()
@pass_ctx
def config(ctx: Context) -> None:
    """显示正在生效的设置（密钥不显示）以及每项可以在哪里设置。"""
    table = Table()
    for col in ("环境变量", "取值", "含义"):
        table.add_column(col)
    for name, value, doc in ctx.settings.describe():
        table.add_row(name, value, SETTING_WORDS.get(name, doc))
    Console().print(table)
