"""Call-list intake: read CSV/XLSX files, validate each row, and load them as a plan in short transactions."""

from dialer.intake.load import ImportReport, import_call_list
from dialer.intake.reader import Limits
from dialer.intake.rows import RowError

__all__ = ["ImportReport", "Limits", "RowError", "import_call_list"]
