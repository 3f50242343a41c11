"""Reports: today's progress per task type and the tasks whose deadline is at risk."""

from dialer.reports.today import AtRisk, ProgressRow, at_risk_tasks, progress_on, progress_today

__all__ = ["AtRisk", "ProgressRow", "at_risk_tasks", "progress_on", "progress_today"]
