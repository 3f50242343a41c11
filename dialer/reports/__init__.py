"""Reports: today's progress and deadlines at risk; the monthly report, its workbook and its filing."""

from dialer.reports.filing import file_report, filed_report, snapshot
from dialer.reports.month import Month, ReportInputError, parse_day
from dialer.reports.monthly import ReportRequest, build_report, satisfaction_questions
from dialer.reports.today import AtRisk, ProgressRow, at_risk_tasks, progress_on, progress_today
from dialer.reports.xlsx import workbook_bytes

__all__ = [
    "AtRisk",
    "Month",
    "ProgressRow",
    "ReportInputError",
    "ReportRequest",
    "at_risk_tasks",
    "build_report",
    "file_report",
    "filed_report",
    "parse_day",
    "progress_on",
    "progress_today",
    "satisfaction_questions",
    "snapshot",
    "workbook_bytes",
]
