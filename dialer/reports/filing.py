"""Filing a month: an append-only snapshot of the figures, the final text and the exported file."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.model import FiledReport
from dialer.model.audit import append_audit
from dialer.reports.month import ReportInputError
from dialer.reports.xlsx import workbook_bytes

MAX_ANALYSIS_CHARS = 20_000


def filed_report(session: Session, month: str, scope: str = "") -> FiledReport | None:
    """Return the filing in force for a month and scope (its newest version), or None."""
    stmt = (
        select(FiledReport)
        .where(FiledReport.month == month, FiledReport.scope == scope)
        .order_by(FiledReport.version.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def snapshot(row: FiledReport) -> dict[str, Any]:
    """Return the filed report as it was filed, with who filed it, when, and the exported file's SHA-256."""
    report = dict(row.figures)
    report["filed"] = {**(report.get("filed") or {}), "sha256": row.xlsx_sha256, "reason": row.reason}
    return report


def file_report(session: Session, report: dict[str, Any], analysis: str, by: str, now: datetime,
                *, scope: str = "", reason: str | None = None, ip: str | None = None) -> FiledReport:  # fmt: skip
    """File a month's report in the caller's transaction: keep the figures, the text and the XLSX.

    A month already filed is filed again only with a reason; the earlier versions stay, and both acts
    are in the audit log.
    """
    text = analysis.strip()
    if not text:
        raise ReportInputError("文字分析不能为空：请填写或保留系统生成的文字分析后再归档。")
    if len(text) > MAX_ANALYSIS_CHARS:
        raise ReportInputError(f"文字分析过长（{len(text)} 字）：请精简到 {MAX_ANALYSIS_CHARS} 字以内。")
    if report.get("filed"):
        raise ReportInputError("这份报告本身就是已归档的版本：请先按当前数据重新生成报告，再重新归档。")
    existing = filed_report(session, report["month"], scope)
    reason = (reason or "").strip() or None
    if existing is not None and reason is None:
        raise ReportInputError(
            f"{report['month_label']}的报告已于 {existing.filed_at.isoformat(timespec='minutes')} "
            f"由 {existing.filed_by} 归档（第 {existing.version} 版），不会改变。"
            "如确需重新归档，请写明理由（命令行 --reason，页面“重新归档理由”），此操作将记入审计日志。"
        )
    version = existing.version + 1 if existing else 1
    figures = {**report, "analysis": text,
               "filed": {"version": version, "filed_by": by, "filed_at": now.isoformat(timespec="seconds"),
                         "filed_at_local": now.astimezone(ZoneInfo(report["timezone"])).strftime("%Y-%m-%d %H:%M")}}  # fmt: skip
    data = workbook_bytes(figures, now)
    digest = hashlib.sha256(data).hexdigest()
    row = FiledReport(month=report["month"], scope=scope, version=version, figures=figures, analysis=text,
                      filed_by=by, filed_at=now, reason=reason, xlsx=data, xlsx_sha256=digest)  # fmt: skip
    session.add(row)
    session.flush()
    append_audit(session, by, "report_refile" if existing else "report_file", f"report:{report['month']}",
                 {"scope": scope, "version": version, "sha256": digest, "reason": reason}, ip, at=now)  # fmt: skip
    return row
