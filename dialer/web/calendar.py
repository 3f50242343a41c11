"""The holiday calendar in the console: admins enter next year's holidays and 调休 working days before the
calendar package knows them, and see a banner from 1 November while next year has no data.

The days go to config/holidays.console.toml, which the dialler reads with config/holidays.toml.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dialer.errors import SettingsError
from dialer.holidays import EnteredDay, console_days, load_work_calendar, parse_day_lines, save_year
from dialer.policy.calendar import WARN_FROM_MONTH
from dialer.services import services
from dialer.web.helpers import audit, can, current_user, db, now, requires

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")


def _today() -> date:
    return now().astimezone(services().settings.tz).date()


@bp.app_context_processor
def _banner() -> dict[str, Any]:
    """Tell admins, from 1 November, that next year has no calendar data yet (no calls from 1 January)."""
    if current_user() is None or not can("calendar"):
        return {}
    today = _today()
    try:
        missing = today.month >= WARN_FROM_MONTH and not load_work_calendar(
            services().settings.config_dir
        ).has_data(today.year + 1)
    except SettingsError:
        missing = False  # the calendar page shows the file's error
    return {"calendar_missing_year": today.year + 1 if missing else None}


@bp.get("/")
@requires("calendar")
def page() -> str:
    """Show next year's entered days and the form to enter them."""
    today = _today()
    arg = request.args.get("year", "")
    year = int(arg) if arg.isdigit() and 2000 <= int(arg) <= 2200 else today.year + 1
    days, complete = console_days(services().settings.config_dir)
    mine = [d for d in days if d.day.year == year]
    calendar = load_work_calendar(services().settings.config_dir)
    return render_template(
        "calendar.html", year=year, has_data=calendar.has_data(year), entered=year in complete,
        holidays="\n".join(_line(d) for d in mine if not d.working),
        workdays="\n".join(_line(d) for d in mine if d.working), days=mine,
    )  # fmt: skip


def _line(d: EnteredDay) -> str:
    return f"{d.day.isoformat()} {d.note}".strip()


@bp.post("/")
@requires("calendar")
def save() -> Response | str:
    """Store a year's holidays and 调休 working days (the year is then complete); audited."""
    raw_year = request.form.get("year", "")
    if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2200:
        flash("年份无效：请填写四位年份，例如 2027。", "error")
        return redirect(url_for("calendar.page"))
    year = int(raw_year)
    try:
        off = parse_day_lines(request.form.get("holidays", ""), False, year, "假日")
        on = parse_day_lines(request.form.get("workdays", ""), True, year, "调休上班日")
        both = {d.day for d in off} & {d.day for d in on}
        if both:
            raise SettingsError(f"{min(both).isoformat()} 同时写在假日和调休上班日中，请只保留一处")
        if not off:
            raise SettingsError("请至少填写一个假日（例如 元旦、春节）")
        save_year(services().settings.config_dir, year, off + on)
    except SettingsError as exc:
        flash(f"未保存：{exc}", "error")
        return redirect(url_for("calendar.page", year=year))
    audit("calendar_update", f"calendar:{year}", holidays=len(off), workdays=len(on))
    db().commit()
    flash(f"已保存 {year} 年的节假日：假日 {len(off)} 天，调休上班日 {len(on)} 天。拨号程序按此安排 {year} 年的拨打；"
          "正在运行的调度程序请重启后生效。", "ok")  # fmt: skip
    return redirect(url_for("calendar.page", year=year))
