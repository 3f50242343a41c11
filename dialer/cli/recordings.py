"""`dialer recordings …`: archive stored recordings, list and retry the failed ones, legal holds; doctor checks."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select

from dialer.cli import Context, pass_ctx

DOCTOR_LISTED = 5


def register(group: click.Group) -> None:
    """Add the recordings commands."""
    group.add_command(recordings)


@click.group()
def recordings() -> None:
    """录音存档：压缩已保存的录音、查看和重试保存失败的录音、法律保留。"""


@recordings.command()
@click.option("--dry-run", is_flag=True, help="只计算压缩后的大小，不写入、不删除任何文件。")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="最多处理多少条（默认全部）。")
@pass_ctx
def archive(ctx: Context, dry_run: bool, limit: int | None) -> None:
    """把仍是 WAV 的全程录音压缩为 Ogg Opus，校验时长后再删除原始文件。"""
    from dialer.storage import open_stores
    from dialer.worker.recordings_batch import archive_stored, waiting_ids

    db = ctx.database()
    total = len(waiting_ids(db, limit, again=True))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("试算压缩" if dry_run else "压缩录音", total=total)
        report = archive_stored(ctx.settings, db, open_stores(ctx.settings), limit=limit, dry_run=dry_run,
                                again=True, each=lambda _rid: bar.advance(task))  # fmt: skip
    verb = "可压缩" if dry_run else "已压缩"
    done = len(report.archived)
    click.echo(
        f"{verb} {done} 条录音，共 {report.bytes_before / 1024:.0f} KB → {report.bytes_after / 1024:.0f} KB。"
    )
    if report.seconds:
        per_minute = report.bytes_after / 1024 / (report.seconds / 60)
        click.echo(f"压缩后每分钟通话约 {per_minute:.0f} KB。")
    for rid, why in report.errors:
        click.echo(f"录音 {rid} 未压缩：{why}", err=True)
    if report.errors:
        raise SystemExit(1)


@recordings.command()
@pass_ctx
def failed(ctx: Context) -> None:
    """列出保存失败的录音及原因。"""
    from dialer.model import Recording

    with ctx.database().session() as s:
        rows = list(s.scalars(select(Recording).where(Recording.status == "failed").order_by(Recording.id)))
    click.echo(f"保存失败的录音共 {len(rows)} 条。")
    for rec in rows:
        click.echo(
            f"  录音 {rec.id}（通话 {rec.attempt_id}，尝试 {rec.download_tries} 次）：{rec.last_error or '原因未记录'}"
        )


@recordings.command()
@click.argument("recording_ids", nargs=-1, type=int)
@pass_ctx
def retry(ctx: Context, recording_ids: tuple[int, ...]) -> None:
    """让保存失败的录音重新下载（不写编号则全部重试），例如网关凭据修好之后。"""
    from dialer.model import Recording

    with ctx.database().session() as s, s.begin():
        q = select(Recording).where(Recording.status == "failed")
        if recording_ids:
            q = q.where(Recording.id.in_(recording_ids))
        rows = list(s.scalars(q))
        for rec in rows:
            rec.status, rec.download_tries, rec.next_try_at = "pending", 0, None
    click.echo(f"已重新排队 {len(rows)} 条录音，等待下次下载。")


@recordings.command()
@click.argument("customer_id", type=int)
@click.option("--release", is_flag=True, help="解除法律保留。")
@pass_ctx
def hold(ctx: Context, customer_id: int, release: bool) -> None:
    """对客户设置法律保留（清理时跳过，对象存储上同时设置对象法律保留）。"""
    from dialer.clock import utcnow
    from dialer.model import Customer
    from dialer.model.retention import set_legal_hold
    from dialer.storage import open_stores

    with ctx.database().session() as s, s.begin():
        customer = s.get(Customer, customer_id)
        if customer is None:
            raise click.ClickException(f"没有编号为 {customer_id} 的客户，请检查编号。")
        failures = set_legal_hold(s, customer, not release, open_stores(ctx.settings), "cli:hold", utcnow())
    click.echo(f"客户 {customer_id} 的法律保留已{'解除' if release else '设置'}。")
    for f in failures:
        click.echo(f"对象存储未能同步录音 {f}", err=True)
    if failures:
        raise SystemExit(1)


def doctor_checks(ctx: Context) -> list[tuple[str, bool, str]]:
    """Return the doctor's rows about recordings: the store answers, and none has failed."""
    from dialer.model import Recording
    from dialer.storage import StoreError, open_stores

    out: list[tuple[str, bool, str]] = []
    try:
        out.append(("录音存储", True, open_stores(ctx.settings).main.describe()))
    except StoreError as exc:
        out.append(("录音存储", False, str(exc)))
    try:
        with ctx.database().session() as s:
            count = s.scalar(select(func.count()).select_from(Recording).where(Recording.status == "failed"))
            rows = list(s.scalars(select(Recording).where(Recording.status == "failed")
                                  .order_by(Recording.id.desc()).limit(DOCTOR_LISTED)))  # fmt: skip
    except Exception:  # the database row above already reports why
        return [*out, ("保存失败的录音", False, "无法统计：数据库还不能用（见上面数据库一行）")]
    detail = "；".join(f"录音 {r.id}（通话 {r.attempt_id}）：{r.last_error}" for r in rows)
    more = "；全部失败记录见 dialer recordings failed" if (count or 0) > DOCTOR_LISTED else ""
    out.append(("保存失败的录音", not count, f"{count} 条保存失败：{detail}{more}" if count else "没有"))
    return out
