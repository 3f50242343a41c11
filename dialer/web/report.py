"""The monthly report page: month and filters, charts, drill-down to tasks, export, and filing the month."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from dialer.errors import DialerError
from dialer.ivr.script import check_scripts
from dialer.model import Task
from dialer.reports import (
    Month,
    ReportInputError,
    ReportRequest,
    build_report,
    file_report,
    filed_report,
    satisfaction_questions,
    snapshot,
    workbook_bytes,
)
from dialer.reports.analysis import pct
from dialer.reports.figures import DRILL_MEASURES, Scope, distinct_values, drill_tasks
from dialer.services import services
from dialer.web.helpers import audit, can, db, now, requires, user

bp = Blueprint("report", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEASURE_WORDS = {"tasks": "应回访", "reached": "已接通", "succeeded": "回访成功", "succeeded_with_problem": "其中有问题件",
                 "timely": "及时成功", "problem_cases": "产生问题件", "unreachable": "无法联系",
                 "manual_followup": "机构自访完成", "open": "回访中",
                 "invalid": "号码无效", "withdrawn": "已撤销", "not_sampled": "抽样未选中",
                 "awaiting_approval": "计划待批准"}  # fmt: skip
DIM_WORDS = {"total": "全部", "type": "任务类型", "department": "部门", "seller": "业务员", "script": "话术"}


def _request_from_args() -> tuple[ReportRequest | None, str | None]:
    """Read month and filters from the query string; return the request or the error to show."""
    s = services()
    text = (request.values.get("month") or "").strip() or str(Month.containing(now(), s.settings.tz))
    try:
        month = Month.parse(text)
    except ReportInputError as exc:
        return None, str(exc)
    type_ = (request.values.get("type") or "").strip() or None
    if type_ is not None and type_ not in s.task_types:
        return None, f"没有任务类型“{type_}”，请从列表中选择。"
    scripts, _ = check_scripts(s.settings.scripts_dir)
    names = {k: t.name for k, t in s.task_types.items()}
    department = (request.values.get("department") or "").strip() or None
    # A script no longer in the folder is still named after its task type, never shown by its id.
    script_names = {k: f"{t.name}话术" for k, t in s.task_types.items()} | {
        k: x.name for k, x in scripts.items()
    }
    req = ReportRequest(
        month, s.settings.tz, names, satisfaction_questions(scripts), type_, department, script_names
    )
    return req, None


def _current(req: ReportRequest) -> tuple[dict[str, Any], bytes | None]:
    """Return the filed snapshot (and its file) if the month is filed, else the live report."""
    row = filed_report(db(), str(req.month), req.scope_key)
    if row is not None:
        return snapshot(row), row.xlsx
    return build_report(db(), req, now()), None


@bp.get("/report")
@requires("report")
def page() -> str | tuple[str, int]:
    """Show a month's report with charts, tables that drill down, the written analysis and filing."""
    req, problem = _request_from_args()
    types = services().task_types
    departments = distinct_values(db(), Task.department)
    if req is None:
        flash(problem or "", "error")
        return render_template("report.html", r=None, req=None, types=types, departments=departments), 400
    report, _ = _current(req)
    return render_template("report.html", r=report, req=req, types=types, departments=departments, pct=pct,
                           charts=_charts(report), may_file=can("report_file"))  # fmt: skip


def _charts(r: dict[str, Any]) -> dict[str, Any]:
    """Return what the page's charts draw, as plain numbers (percentages with one decimal)."""

    def p(v: float | None) -> float | None:
        return None if v is None else round(v * 100, 1)

    t = r["total"]
    keys = (("reach_rate", "回访率"), ("success_rate", "回访成功率"), ("timely_rate", "及时率"),
            ("problem_rate", "问题件率"), ("unreachable_share", "无法联系占比"))  # fmt: skip
    questions = [q for q in r["by_question"] if q["answered"]][:10]
    return {
        "types": {"names": [x["name"] for x in r["by_type"]],
                  "series": [{"name": label, "data": [p(x[k]) for x in r["by_type"]]} for k, label in keys[:3]]},
        "trend": {"names": [label for _, label in keys], "current": [p(t[k]) for k, _ in keys],
                  "previous": [p(t["previous"][k]) for k, _ in keys],
                  "labels": [r["month"], r["previous_month"]]},
        "questions": {"names": [f"{q['question']}（{q['type_name']}）" for q in reversed(questions)],
                      "data": [p(q["problem_rate"]) for q in reversed(questions)]},
        "satisfaction": [{"name": n, "value": sum(s[k] for s in r["satisfaction"])}
                         for k, n in (("satisfied", "满意"), ("unsatisfied", "不满意"), ("unclear", "未能确认"))],
    }  # fmt: skip


@bp.get("/report/export.xlsx")
@requires("report")
def export() -> BaseResponse | tuple[str, int]:
    """Download the month's workbook: the filed file itself for a filed month, else made now."""
    req, problem = _request_from_args()
    if req is None:
        flash(problem or "", "error")
        return redirect(url_for("report.page"))
    report, data = _current(req)
    if data is None:
        data = workbook_bytes(report, now())
    digest = hashlib.sha256(data).hexdigest()
    audit("report_export", f"report:{req.month}", scope=req.scope_key, sha256=digest, filed=data is not None)
    db().commit()
    name = f"回访统计分析报告-{req.month}{'-' + req.scope_key if req.scope_key else ''}.xlsx"
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=report-{req.month}.xlsx; filename*=UTF-8''{quote(name)}",
        "X-Content-SHA256": digest,
    })  # fmt: skip


@bp.get("/report/tasks")
@requires("report")
def tasks() -> str | tuple[str, int]:
    """List the tasks behind one figure of the report (the current month, live data)."""
    req, problem = _request_from_args()
    dim = request.args.get("dim", "total")
    measure = request.args.get("measure", "tasks")
    if req is None or dim not in DIM_WORDS or measure not in DRILL_MEASURES:
        flash(problem or "请从报告页面上的数字进入明细。", "error")
        return render_template("report_tasks.html", rows=[], req=None, title="明细"), 400
    key = request.args.get("key", "")
    m, tz = req.month, req.tz
    scope = Scope(m.previous().start(tz), m.start(tz), m.end(tz), req.task_type, req.department)
    rows = drill_tasks(db(), scope, dim, key, measure)
    names = req.type_names if dim == "type" else req.script_names if dim == "script" else {}
    where = "" if dim == "total" else f"{DIM_WORDS[dim]}“{names.get(key, key) or '（未填写）'}”，"
    title = f"{m.label} · {where}{MEASURE_WORDS[measure]}"
    return render_template("report_tasks.html", rows=rows, req=req, title=title, limit=500)


@bp.post("/report/file")
@requires("report_file")
def file() -> BaseResponse:
    """File the month with the text as edited on the page; filing again needs a reason and is audited."""
    req, problem = _request_from_args()
    if req is None:
        flash(problem or "", "error")
        return redirect(url_for("report.page"))
    back = url_for(
        "report.page", month=str(req.month), type=req.task_type or "", department=req.department or ""
    )
    when: datetime = now()
    try:
        live = build_report(db(), req, when)
        row = file_report(db(), live, request.form.get("analysis", ""), user().username, when,
                          scope=req.scope_key, reason=request.form.get("reason"), ip=request.remote_addr)  # fmt: skip
    except DialerError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(back)
    db().commit()
    flash(f"{req.month.label}的报告已归档（第 {row.version} 版），导出文件 SHA-256：{row.xlsx_sha256}", "ok")
    return redirect(back)
