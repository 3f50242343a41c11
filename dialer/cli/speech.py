"""Speech commands: `dialer classify`, `dialer transcribe`, `dialer models download`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dialer.cli import Context, pass_ctx
from dialer.policy.lexicon import KINDS

KIND_OPTION = click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="yes_no",
    show_default=True,
    help="问题类别：决定用哪套词表判断回答。",
)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("classify")
@KIND_OPTION
@click.option("--keys", default="", help="客户按的键（1 是，2 否，0 转人工）；按键优先于语音。")
@click.option(
    "--bad",
    "bad_answer",
    type=click.Choice(["yes", "no"]),
    default="no",
    show_default=True,
    help="哪种回答生成问题件。",
)
@click.argument("text")
def classify_command(kind: str, keys: str, bad_answer: str, text: str) -> None:
    """判断回答 TEXT 是“是”“否”“不清楚”还是“转人工”，以 JSON 输出。"""
    from dialer.policy.classify import classify

    result = classify(text, kind=kind, keys=keys, bad_answer=bad_answer)
    _echo_json(
        {
            "label": result.label,
            "matched": result.matched,
            "text": result.text,
            "is_bad": result.is_bad,
            "reason": result.reason,
            "kind": kind,
        }
    )


@click.command("transcribe")
@KIND_OPTION
@click.option(
    "--free", is_flag=True,
    help="自由转写（较慢；用于客户意见和整通录音：双声道录音只听客户声道 DIALER_CUSTOMER_CHANNEL）。",
)  # fmt: skip
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def transcribe_command(ctx: Context, kind: str, free: bool, file: Path) -> None:
    """用 VOSK_MODEL_PATH 的语音模型转写音频文件 FILE（WAV 或 MP3），以 JSON 输出识别文本和判断结果。"""
    from dialer.policy.classify import classify
    from dialer.speech import convert_audio, load_model, recognize_answer, transcribe_free
    from dialer.speech.standin import is_standin

    path = ctx.settings.vosk_model_path
    model = load_model(path, strict=not (path and is_standin(path)))
    if free:  # a whole call: hear the customer's channel only (DIALER_CUSTOMER_CHANNEL)
        heard = transcribe_free(model, convert_audio(file, model.sample_rate, ctx.settings.customer_channel))
    else:
        heard = recognize_answer(model, file, kind)
    result = classify(heard.text, kind=kind)
    label = "unclear" if heard.no_answer_reason else result.label
    _echo_json(
        {
            "transcript": result.text,
            "words": list(heard.words),
            "label": label,
            "matched": result.matched,
            "no_answer_reason": heard.no_answer_reason,
            "duration": round(heard.duration, 3),
            "elapsed": round(heard.elapsed, 4),
            "kind": kind,
        }
    )


@click.group("models")
def models_group() -> None:
    """管理离线语音模型。"""


@models_group.command("download")
@click.option(
    "--dir",
    "dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/models"),
    show_default=True,
    help="模型解压到的文件夹。",
)
@click.option("--url", envvar="DIALER_MODEL_URL", default=None, help="官方压缩包的镜像地址。")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="网络超时秒数。")
def download_command(dest: Path, url: str | None, timeout: float) -> None:
    """下载 vosk-model-small-cn-0.22 中文模型，校验 SHA-256，解压，并给出 VOSK_MODEL_PATH 的设置。"""
    from rich.progress import Progress

    from dialer.speech.download import MODEL_URL, download_model

    with Progress(transient=True) as bar:
        task = bar.add_task("downloading the speech model", total=None)
        folder = download_model(
            dest,
            url=url or MODEL_URL,
            timeout=timeout,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    click.echo(f"模型已就绪。请设置：\nVOSK_MODEL_PATH={folder.resolve()}")


def register(group: click.Group) -> None:
    """Add this module's commands to the `dialer` group."""
    group.add_command(classify_command)
    group.add_command(transcribe_command)
    group.add_command(models_group)
