"""`dialer qa`: quality checks (质检) — draw each agent's monthly sample of calls."""

from __future__ import annotations

import click

from dialer.cli import Context, pass_ctx


def register(group: click.Group) -> None:
    """Add the qa group."""
    group.add_command(qa)


@click.group()
def qa() -> None:
    """质检：每月按坐席随机抽检通话。"""


@qa.command()
@click.option("--month", required=True, help="月份，写成 YYYY-MM，例如 2026-11。")
@pass_ctx
def draw(ctx: Context, month: str) -> None:
    """抽取该月每名坐席的质检通话（按月份和坐席固定抽取，重抽结果相同；已评分的通话保留）。"""
    from sqlalchemy import select

    from dialer.model import User
    from dialer.reports import Month
    from dialer.reports.quality import draw_month

    parsed = Month.parse(month)
    count = ctx.settings.qa_sample_per_agent
    with ctx.database().session() as session:
        done = draw_month(session, parsed, ctx.settings.tz, count, "cli")
        session.commit()
        names = {u.id: u.display_name or u.username for u in session.scalars(select(User))}
    if not done:
        click.echo(f"{parsed.label}没有坐席接听或处理过的通话，未抽取质检样本。")
        return
    click.echo(f"{parsed.label}质检抽样（每名坐席最多 {count} 通）：")
    for d in done:
        calls = "、".join(f"#{a}" for a in d.attempt_ids)
        click.echo(f"  {names.get(d.agent_id, d.agent_id)}：本月通话 {d.pool} 通，抽检 {len(d.attempt_ids)} 通"
                   f"（新抽 {d.added} 通）：{calls}")  # fmt: skip
