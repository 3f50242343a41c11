"""`dialer ear`: hear answers live on the calls' Media Streams."""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import signal

import click

from dialer.cli import Context, pass_ctx


def register(group: click.Group) -> None:
    """Add the ear command."""
    group.add_command(ear)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8766, show_default=True, type=int, help="监听端口。")
@click.option("--threads", default=2, show_default=True, type=int, help="语音解码线程数（约每核一个）。")
@pass_ctx
def ear(ctx: Context, host: str, port: int, threads: int) -> None:
    """实时听答：从网关送来的通话实时音频边听边识别客户的回答，答完即推进通话；运行到收到 SIGTERM。"""
    from dialer.app import load_speech
    from dialer.ear.server import Ear, listen
    from dialer.gateway.client import Gateway

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints every thread's stack to stderr
    settings = ctx.settings
    logging.getLogger("dialer").setLevel(settings.log_level.upper())
    if threads < 1:
        raise click.BadParameter("至少 1 个解码线程", param_hint="--threads")
    model = load_speech(settings)
    if model is None:
        raise click.ClickException(
            "没有语音模型：请设置 VOSK_MODEL_PATH（见 dialer models download），实时听答需要它"
        )
    if not settings.ear_url:
        click.echo(
            "提示：DIALER_EAR_URL 未设置，服务不会把通话音频送来；请把它设为本进程的 ws:// 地址", err=True
        )
    the_ear = Ear(settings, ctx.database(), Gateway(settings), model, decode_threads=threads)

    async def main() -> None:
        task = asyncio.create_task(listen(the_ear, host, port))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        click.echo(f"实时听答已启动：ws://{host}:{port}/stream（Ctrl+C 或 SIGTERM 停止）")
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
    finally:
        the_ear.close()
