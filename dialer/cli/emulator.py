"""`dialer emulator`: the Twilio-compatible gateway emulator, and `dialer emulator calls` to inspect it."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from dialer.profiles import PROFILES


@click.group("emulator", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option(
    "--port", default=8765, show_default=True, type=int, help="监听端口（0 表示任选一个空闲端口）。"
)
@click.option(
    "--personas", type=click.Path(dir_okay=False, path_type=Path), help="模拟客户设定文件（TOML）。"
)
@click.option("--speed", default=1.0, show_default=True, type=float, help="加速倍数：每次等待时间除以此数。")
@click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="录音和语音合成缓存的文件夹。"
)
@click.option("--cps", type=float, help="每秒最多发起的通话数（默认取 DIALER_EMULATOR_CPS）。")
@click.option(
    "--webhook-timeout", default=15.0, show_default=True, type=float, help="每次回调服务的超时秒数。"
)
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILES)),
    default=None,
    help="按此服务商的方式运行：指令、参数、回调和编号格式（默认取 DIALER_GATEWAY_PROFILE）。",
)
@click.option(
    "--clip-delay", default=0.0, show_default=True, type=float,
    help="回答录音片段在录音结束后多少秒内仍返回 404（Twilio 可能如此）。",
)  # fmt: skip
@click.option(
    "--api-delay", default=0.0, show_default=True, type=float,
    help="每个接口应答延迟的秒数（模拟缓慢的网关）。",
)  # fmt: skip
@click.pass_context
def emulator(
    click_ctx: click.Context,
    host: str,
    port: int,
    personas: Path | None,
    speed: float,
    data_dir: Path | None,
    cps: float | None,
    webhook_timeout: float,
    profile: str | None,
    clip_delay: float,
    api_delay: float,
) -> None:
    """在本机运行一个兼容 Twilio 的模拟网关，由模拟客户接听电话。"""
    if click_ctx.invoked_subcommand is not None:
        return
    from dialer.cli import Context
    from dialer.emulator import build_emulator

    if speed <= 0:
        raise click.BadParameter("必须大于 0", param_hint="--speed")
    for name, value in (("--clip-delay", clip_delay), ("--api-delay", api_delay)):
        if value < 0:
            raise click.BadParameter(f"不能为负数（得到 {value:g}）；请给出秒数，如 2", param_hint=name)
    settings = click_ctx.ensure_object(Context).settings
    try:
        emu = build_emulator(
            settings, personas=personas, speed=speed, host=host, port=port, data_dir=data_dir, cps=cps,
            webhook_timeout=webhook_timeout, profile=profile, clip_delay=clip_delay, api_delay=api_delay,
        )  # fmt: skip
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    emu.start()
    name = emu.engine.profile.name
    click.echo(f"模拟网关已在 {emu.url} 运行（账号 {settings.twilio_account_sid}，加速 {speed:g} 倍）")
    click.echo(f"让服务连到它：DIALER_GATEWAY_URL={emu.url} DIALER_GATEWAY_PROFILE={name}")
    while not stop.wait(0.5):
        pass
    click.echo("正在停止：挂断进行中的通话……")
    emu.stop()


@emulator.command("calls")
@click.option("--url", default=None, help="模拟网关的地址（默认取 DIALER_GATEWAY_URL）。")
@click.option("--json", "as_json", is_flag=True, help="输出原始 JSON。")
@click.pass_context
def calls(click_ctx: click.Context, url: str | None, as_json: bool) -> None:
    """列出模拟网关上的通话及其事件、TwiML 和回调。"""
    from dialer.cli import Context
    from dialer.emulator.inspect import fetch_calls, summary_lines

    base = url or click_ctx.ensure_object(Context).settings.gateway_url or "http://127.0.0.1:8765"
    found = fetch_calls(base)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("还没有通话。")
    for line in summary_lines(found):
        click.echo(line)


def register(group: click.Group) -> None:
    """Add this module's commands to the `dialer` group."""
    group.add_command(emulator)
