"""`dialer demo`: run a whole campaign on the embedded defaults and print what happened."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from dialer.cli import Context, pass_ctx
from dialer.profiles import PROFILES
from dialer.settings import Settings

DEMO_SIGNING_KEY = "demo-signing-key-not-for-production"  # the demo's emulator and service share it
RECORD_SPEED = 15.0
# Answers heard live are decoded as the audio comes, in real time: at 15x the ear's tens of milliseconds would
# be heard as a second of silence, so live listening runs the calls at 4x.
LIVE_SPEED = 4.0

if TYPE_CHECKING:
    from dialer.demo.campaign import DemoPlaces
    from dialer.demo.summary import DemoSummary
    from dialer.demo.users import DemoUser
    from dialer.speech import SpeechModel


def register(group: click.Group) -> None:
    """Add the demo command."""
    group.add_command(demo)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以一个 JSON 对象输出汇总。")
@click.option(
    "--speed",
    type=float,
    default=None,
    help="通话比真实时间快多少倍（默认 15；实时听答时为 4，因为语音识别按真实时间进行）。",
)
@click.option(
    "--dir",
    "root",
    type=click.Path(path_type=Path),
    default=None,
    help="演示数据存放的文件夹（默认 var/demo）。",
)
@click.option("--keys-only", is_flag=True, help="不用语音模型：客户用按键回答。")
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILES)),
    default=None,
    help="模拟网关和本服务都按此服务商的方式运行（默认取 DIALER_GATEWAY_PROFILE）。",
)
@click.option(
    "--clip-delay", type=float, default=0.0, show_default=True,
    help="模拟网关在每段回答录音结束后多少秒内返回 404（Twilio 可能如此）；此时改为录音后识别。",
)  # fmt: skip
@pass_ctx
def demo(
    ctx: Context,
    as_json: bool,
    speed: float | None,
    root: Path | None,
    keys_only: bool,
    profile: str | None,
    clip_delay: float,
) -> None:
    """演示：导入约 20 位客户，在模拟时间里逐一回访，直到每个任务都有结果。"""
    from dialer.demo.campaign import hears_live, run_campaign
    from dialer.demo.summary import summarise
    from dialer.demo.users import create_demo_users
    from dialer.model import open_database
    from dialer.services import Services

    if clip_delay < 0:
        raise click.BadParameter(
            f"不能为负数（得到 {clip_delay:g}）；请给出秒数，如 2", param_hint="--clip-delay"
        )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    settings = _with_profile(ctx.settings, profile)
    if clip_delay:  # late answer clips are a matter of <Record>: answers heard live have none to fetch
        settings = settings.replace(listen="record")
    root = root or settings.var_dir / "demo"
    err = Console(stderr=True)
    say = (lambda m: err.print(f"[dim]演示：[/] {m}")) if not as_json else (lambda m: None)
    started = time.monotonic()
    speech = None if keys_only else _standin(settings.var_dir / "models", say)
    if speed is None:
        speed = LIVE_SPEED if hears_live(settings, speech is not None) else RECORD_SPEED
    elif speed <= 0:
        raise click.BadParameter(f"必须大于 0（得到 {speed:g}）", param_hint="--speed")
    places = run_campaign(settings, root, speed, say, speech, clip_delay=clip_delay)
    db = open_database(places.database_url)
    svc = Services.build(settings.replace(database_url=places.database_url), db=db)
    summary = summarise(db, svc)
    summary.note_dead_air(places.listening, places.dead_air)
    accounts = create_demo_users(db)
    svc.close()
    if as_json:
        users = [{"username": u.username, "role": str(u.role), "password": u.password} for u in accounts]
        click.echo(json.dumps({**summary.as_dict(), "users": users}, ensure_ascii=False, indent=2))
        return
    _print(summary, places, time.monotonic() - started)
    for line in account_lines(accounts):
        click.echo(line)


def account_lines(accounts: list[DemoUser]) -> list[str]:
    """Return the demo's accounts as a person reads them, and how to sign in with them."""
    return [
        "演示账号（每种角色一个，密码每次运行随机生成；用 dialer serve 启动后，在登录页输入用户名和密码）：",
        *(f"  {u.line()}" for u in accounts),
        "正式使用时请另建账号：dialer users add 用户名 --role admin",
    ]


def _with_profile(settings: Settings, profile: str | None) -> Settings:
    """Return the settings for a demo run as `profile`; SignalWire's signing key gets a demo value if unset."""
    if profile is None:
        return settings
    key = settings.gateway_signing_key
    if PROFILES[profile].signing_key and not key:
        key = DEMO_SIGNING_KEY
    return settings.replace(gateway_profile=profile, gateway_signing_key=key)


def _standin(cache: Path, say: Callable[[str], None]) -> SpeechModel:
    from dialer.speech import ensure_standin_model, load_model

    path = ensure_standin_model(cache)
    model = load_model(path, strict=False)
    say(f"语音识别：使用由韩语测试模型改标中文的替代模型（{path}）；正式通话请设置 VOSK_MODEL_PATH")
    return model


def _print_open_items(out: Console, summary: DemoSummary) -> None:
    """Print the tasks that reached their customer but still have required items without a 是/否."""
    if not summary.open_items:
        out.print("没有未答完的回访：每个已接通本人的任务都已得到全部必答问题的“是/否”。")
        return
    table = Table(title=f"未答完的回访 {summary.with_open_items} 件（不计为回访成功）")
    for col in ("客户", "任务状态", "待确认的问题"):
        table.add_column(col)
    for t in summary.open_items:
        items = t["items"]
        shown = "\n".join(items[:3]) + (f"\n……共 {len(items)} 题" if len(items) > 3 else "")
        table.add_row(t["customer"], t["status_label"], shown)
    out.print(table)


def _print_dead_air(out: Console, summary: DemoSummary) -> None:
    """Print how answers were heard and the silence after them, as measured in the call recordings."""
    how = "实时听答（客户说完即判定）" if summary.listening == "stream" else "录音后识别"
    air = summary.dead_air
    if not air.get("answers"):
        out.print(f"听答方式：{how}；录音中没有可测量的回答间隔")
        return
    out.print(
        f"听答方式：{how}；客户答完到下一句提示之间的静音（按全程录音测量，{air['answers']} 次回答）："
        f"中位数 {air['median_s']:.2f} 秒，95% 分位 {air['p95_s']:.2f} 秒"
    )


def _print(summary: DemoSummary, places: DemoPlaces, seconds: float) -> None:
    out = Console()
    table = Table(title="回访演示：结果汇总")
    table.add_column("")
    table.add_column("数量", justify="right")
    for label, value in (
        ("回访任务", summary.tasks), ("拨出电话", summary.dialled), ("回访成功", summary.succeeded),
        ("有问题件的回访", summary.problem),
        ("有待确认项（不计成功）", summary.with_open_items), ("非本人接听（改期再拨）", summary.wrong_person),
        ("无法联系（转机构自访）", summary.unreachable), ("转人工", summary.escalated),
        ("全程录音", summary.recordings), ("回答录音片段", summary.answer_clips),
    ):  # fmt: skip
        table.add_row(label, str(value))
    out.print(table)
    _print_dead_air(out, summary)
    cases = Table(title="问题件")
    for col in ("客户", "问题", "回答"):
        cases.add_column(col)
    for c in summary.problem_cases:
        cases.add_row(c["customer"], c["question"], c["answer"])
    out.print(cases)
    _print_open_items(out, summary)
    out.print(
        f"用时 {seconds:.0f} 秒。数据库：{places.database_url}  录音：{places.recordings}\n"
        f"查看通话：DIALER_DATABASE_URL={places.database_url} DIALER_RECORDINGS_DIR={places.recordings} "
        ".venv/bin/dialer serve，然后打开 http://127.0.0.1:8000"
    )
