"""The audit log for compliance: browse, filter, export as CSV, and see whether the chain is intact."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from sqlalchemy import Select, select

from dialer.model import AuditEntry, User
from dialer.model.audit import verify_chain
from dialer.policy.cells import safe_row
from dialer.web.auditwords import detail_text, target_text
from dialer.web.helpers import NOT_USERS, SECONDS, audit, db, local_time, requires

bp = Blueprint("auditlog", __name__)
PAGE = 100
MAX_PAGE = 1_000_000  # past any log this service keeps; a bigger offset overflows the database's integer
ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出", "view_call": "查看通话",
    "replay": "播放录音", "download": "下载录音", "export_evidence": "导出证据包", "search_calls": "查询通话",
    "audit_export": "导出审计日志", "role_change": "角色变更", "user_add": "新增用户", "user_contact": "修改电话与部门", "take_call": "接听转人工",
    "case_assign": "领取问题件", "case_note": "问题件备注", "case_resolution": "问题件处理结果",
    "case_close": "关闭问题件", "callback_schedule": "安排回拨", "callback_done": "完成回拨",
    "import": "导入名单", "script_switch": "启停话术", "purge": "过期数据清理",
    "case_reassign": "改派问题件", "case_reopen": "重新打开问题件", "export_list": "导出列表",
    "view_customer": "查看客户", "report_file": "归档月度报告", "report_refile": "重新归档月度报告", "report_export": "导出月度报告",
    "qa_draw": "质检抽样", "qa_score": "质检评分",
    "follow_up_recorded": "登记机构自访", "view_follow_up": "查看机构自访记录", "view_receipt": "查看自访回执",
    "receipt_refused": "拒收自访回执",
    "agent_dial": "坐席拨打",
    "calendar_update": "修改节假日日历", "import_started": "开始导入名单", "lead_closed": "结束意向客户跟进",
    "plan_cleared": "清理中断的导入", "plan_approve": "批准回访计划", "plan_reject": "驳回回访计划",
    "plan_withdraw": "撤回回访计划", "record_answers": "记录回答", "script_draft": "提交话术草稿",
    "script_approve": "批准话术", "script_retire": "停用话术版本", "script_export": "导出话术报备文件",
    "suggestion_route": "转交意见建议", "legal_hold": "设置法律保留", "legal_hold_released": "解除法律保留",
    "password_reset": "重置密码", "user_unlock": "解除锁定", "user_deactivate": "停用用户",
    "user_activate": "启用用户",
}  # fmt: skip


def _filtered() -> tuple[Select[AuditEntry], dict[str, str]]:
    f = {k: request.args.get(k, "").strip() for k in ("actor", "action", "target")}
    q = select(AuditEntry)
    if f["actor"]:
        q = q.where(AuditEntry.actor == f["actor"])
    if f["action"]:
        q = q.where(AuditEntry.action == f["action"])
    if f["target"]:
        q = q.where(AuditEntry.target.contains(f["target"], autoescape=True))
    return q, f


@bp.get("/audit")
@requires("audit")
def view() -> str:
    """Show the newest entries first, a page at a time."""
    q, f = _filtered()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    if page > MAX_PAGE:
        abort(400, f"页码超出范围：请填写 1 到 {MAX_PAGE} 之间的页码。")
    rows = list(db().scalars(q.order_by(AuditEntry.id.desc()).offset((page - 1) * PAGE).limit(PAGE + 1)))
    problems = verify_chain(db()) if request.args.get("verify") else None
    return render_template("audit.html", rows=rows[:PAGE], more=len(rows) > PAGE, page=page, f=f,
                           actions=ACTIONS, problems=problems, detail_text=detail_text, target_text=target_text,
                           names=_names(rows), people=_people())  # fmt: skip


def _people() -> list[tuple[str, str]]:
    """Return (login name, display name) of every user, for the filter."""
    users = db().scalars(select(User).order_by(User.display_name, User.username))
    return [(u.username, u.display_name or u.username) for u in users]


def _names(rows: list[AuditEntry]) -> dict[str, str]:
    """Return the display name of each login name the page shows."""
    logins = {e.actor for e in rows}
    users = {
        u.username: u.display_name or u.username
        for u in db().scalars(select(User).where(User.username.in_(logins)))
    }
    return {**NOT_USERS, **users}


@bp.get("/audit.csv")
@requires("audit")
def export() -> Response:
    """Export the (filtered) log as CSV, oldest first, with the hashes so it can be checked elsewhere.

    Text that a spreadsheet would run as a formula is written with a leading quote (see `safe_cell`).
    """
    q, f = _filtered()
    audit("audit_export", "audit_log", filters={k: v for k, v in f.items() if v})
    db().commit()
    entries = list(db().scalars(q.order_by(AuditEntry.id)))
    return Response(
        stream_with_context(_csv_lines(entries)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )


def _csv_lines(entries: list[AuditEntry]) -> Iterator[str]:
    # A BOM so that Excel opens the Chinese text as UTF-8.
    yield "\ufeff"
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "时间", "用户", "操作", "对象", "详情", "IP", "prev_hash", "hash", "读法"])
    for e in entries:
        row: list[Any] = [e.id, local_time(e.at, SECONDS), e.actor, e.action, e.target,
                          json.dumps(e.detail, ensure_ascii=False, sort_keys=True), e.ip or "", e.prev_hash,
                          e.hash, f"{ACTIONS.get(e.action, e.action)} {target_text(e.target)}：{detail_text(e.detail)}"]  # fmt: skip
        w.writerow(safe_row(row))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
