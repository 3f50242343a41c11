"""Dialling commands: scheduler, tick, doctor."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from dialer.cli import Context, pass_ctx
from dialer.clock import FixedClock, SystemClock
from dialer.model.states import CallStatus, labels_by_word
from dialer.settings import Settings

if TYPE_CHECKING:
    from dialer.speech import SpeechModel


def register(group: click.Group) -> None:
    """Add the dialling commands."""
    for cmd in (scheduler, tick, doctor):
        group.add_command(cmd)


# Why a pass did not dial a task (the gate's and the tick's reasons), as `dialer tick` tells a person.
SKIP_WORDS = {
    "not_pending": "不在待拨状态", "opted_out": "客户已拒绝回访", "attempt_cap": "已达拨打次数上限",
    "in_flight": "通话进行中", "unknown_timezone": "客户时区无法识别", "not_yet_earliest": "未到最早回访时间",
    "quiet_hours": "休息时间（21:00–09:00）", "outside_window": "不在拨打时段", "no_calendar_data": "缺少节假日数据",
    "non_working_day": "非工作日", "too_soon": "距上次拨打不足规定间隔", "same_window": "同一时段已拨过",
    "same_day": "当天已拨过", "concurrency_limit": "已达同时通话上限", "customer_called_recently": "客户刚被拨打过",
    "unknown_task_type": "未知的任务类型", "claimed_elsewhere": "已由其他拨号进程领取",
}  # fmt: skip


@click.command()
@click.option("--at", "at_text", metavar="ISO8601", help="从这个时刻开始计时（仅限模拟网关）。")
@pass_ctx
def scheduler(ctx: Context, at_text: str | None) -> None:
    """运行自动拨号：每隔 DIALER_TICK_SECONDS 秒拨打一轮，直到收到 SIGTERM。"""
    from dialer.scheduler import build_dialer
    from dialer.scheduler.runner import ShiftedClock, run_scheduler

    logging.getLogger("dialer").setLevel(ctx.settings.log_level.upper())
    at = _parse_at(at_text)
    if at is not None:
        _refuse_pretended_time(ctx.settings)
    from dialer.worker import download_due_recordings, hang_up_machines, ring_requested_agents
    from dialer.worker.dials import place_agent_dials
    from dialer.worker.suggestions import transcribe_suggestions

    settings, db = ctx.settings, ctx.database()
    dialer = build_dialer(settings, db)
    clock = ShiftedClock(at) if at is not None else SystemClock()
    gateway = dialer.gateway
    assert gateway is not None

    def store_recordings() -> None:
        download_due_recordings(settings, db, gateway)

    def ring_agents() -> None:
        ring_requested_agents(settings, db, gateway)
        place_agent_dials(settings, db, gateway, dialer.rules, clock.now())

    def end_machine_calls() -> None:
        hang_up_machines(db, gateway)

    background: list[Callable[[], object]] = [store_recordings]
    speech = _speech_model(settings)
    if speech is not None:  # customers' opinions are transcribed free-form here, never during the call

        def transcribe_opinions() -> None:
            transcribe_suggestions(settings, db, speech)

        background.append(transcribe_opinions)
    run_scheduler(
        dialer, clock, settings.tick_seconds, background=background, urgent=(ring_agents, end_machine_calls)
    )


def _speech_model(settings: Settings) -> SpeechModel | None:
    """Load the speech model for background transcription, or None when none is configured."""
    if not settings.vosk_model_path:
        return None
    from dialer.speech import load_model
    from dialer.speech.standin import is_standin

    path = settings.vosk_model_path
    return load_model(path, strict=not is_standin(path))


def _refuse_pretended_time(settings: Settings) -> None:
    """Stop unless the gateway is a local emulator: no one may be called at a pretended time."""
    from dialer.gateway.client import is_loopback

    if not settings.gateway_url or not is_loopback(settings.gateway_url):
        where = settings.gateway_url or "real Twilio"
        raise click.UsageError(
            f"--at is refused with the gateway {where}: no one may be called at a pretended time. "
            "Use --dry-run, or point DIALER_GATEWAY_URL at the local emulator (http://127.0.0.1:…)."
        )


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} 不是有效的时间，请写成 2026-11-23T10:30:00+08:00 这样") from exc
    if at.tzinfo is None:
        raise click.BadParameter("请写上时区偏移，如 2026-11-23T10:30:00+08:00", param_hint="--at")
    return at.astimezone(UTC)


@click.command()
@click.option("--at", "at_text", metavar="ISO8601", help="假定现在是这个时刻（仅限试运行或模拟网关）。")
@click.option("--dry-run", is_flag=True, help="只报告会拨打哪些任务，不领取、不拨打。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告。")
@pass_ctx
def tick(ctx: Context, at_text: str | None, dry_run: bool, as_json: bool) -> None:
    """现在（或在 --at 指定的时刻）拨打一轮，并报告做了什么。"""
    from dialer.scheduler import build_dialer

    at = _parse_at(at_text)
    settings = ctx.settings
    if at is not None and not dry_run:
        _refuse_pretended_time(settings)
    dialer = build_dialer(settings, ctx.database(), with_gateway=not dry_run)
    clock = FixedClock(at) if at is not None else SystemClock()
    report = dialer.plan(clock.now()) if dry_run else dialer.tick(clock.now())
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    verb = "将拨打" if dry_run else "已拨打"
    click.echo(f"{report.at.astimezone(settings.tz):%Y-%m-%d %H:%M:%S} {verb} {len(report.calls)} 通电话。")
    statuses = {**labels_by_word(CallStatus), "planned": "待拨"}  # planned: a dry run's call
    for c in report.calls:
        said = statuses.get(c.status, c.status)
        click.echo(f"  任务 {c.task_id} → {c.to} {said}" + (f"（{c.error}）" if c.error else ""))
    if report.skipped:
        click.echo(
            "未拨打："
            + "，".join(f"{SKIP_WORDS.get(k, k)} {v} 个" for k, v in sorted(report.skipped.items()))
        )
    if report.paused_scripts:
        click.echo("在管理页面停用的话术（其任务暂停拨打）：" + "、".join(report.paused_scripts))
    for w in report.warnings:
        click.echo(f"警告：{w}", err=True)


@click.command()
@pass_ctx
def doctor(ctx: Context) -> None:
    """检查安装：设置、数据库、节假日数据、工具软件、语音模型。"""
    checks = _checks(ctx)
    table = Table(title="dialer doctor：安装检查")
    for col in ("检查项", "结果", "说明"):
        table.add_column(col)
    for name, ok, detail in checks:
        table.add_row(name, "[green]正常[/]" if ok else "[red]有问题[/]", detail)
    Console().print(table)
    if not all(ok for _, ok, _ in checks):
        raise SystemExit(1)


def _checks(ctx: Context) -> list[tuple[str, bool, str]]:
    from dialer.cli.batches import coverage_check, stuck_check
    from dialer.cli.recordings import doctor_checks as recording_checks
    from dialer.holidays import load_work_calendar
    from dialer.model.db import current_revision

    s = ctx.settings
    out: list[tuple[str, bool, str]] = [("设置", True, f"网关 {s.gateway_url or 'Twilio 正式服务'}")]
    try:
        rev = current_revision(ctx.database())
        out.append(("数据库", rev is not None, f"版本 {rev}" if rev else "还是空的：请运行 dialer init"))
    except Exception as exc:  # any driver error is a finding here, not a crash
        out.append(("数据库", False, f"无法连接：{exc}"))
    warnings = load_work_calendar(s.config_dir).warnings(datetime.now(s.tz).date())
    out.append(("节假日日历", not warnings, "；".join(warnings) or "今年和明年的节假日数据都已具备"))
    for tool in ("ffmpeg", "espeak-ng"):
        path = shutil.which(tool)
        out.append((tool, path is not None, path or f"没有找到：请运行 apt-get install {tool} 安装"))
    model = s.vosk_model_path
    out.append(("语音模型", True, model or "未设置：只能按键回答（用 dialer models download 下载模型）"))
    out.append(coverage_check(ctx))
    out.append(profile_check(s))
    out.append(stuck_check(ctx))
    return out + recording_checks(ctx)


def profile_check(s: Settings) -> tuple[str, bool, str]:
    """Return the doctor's row about the gateway profile: what this provider cannot do, said plainly."""
    p = s.profile
    gaps = []
    if not p.call_recording:
        gaps.append("不能通过接口录制整通电话：只保存每个回答的录音片段，没有全程录音")
    if not p.enqueue:
        gaps.append("没有排队功能：转人工时直接拨打空闲坐席，无空闲坐席即致歉并登记回拨")
    if not p.machine_detection:
        gaps.append("不能识别语音信箱")
    if not p.status_events:
        gaps.append("只在通话结束时发送状态回调")
    detail = f"{p.label}（{p.name}）：" + ("；".join(gaps) if gaps else "功能齐全")
    return ("网关服务商", True, detail)
