"""Call-list intake: read CSV/XLSX files, validate each row, and load tasks in one transaction."""

from dialer.intake.load import ImportReport, import_call_list
from dialer.intake.rows import RowError

__all__ = ["ImportReport", "RowError", "import_call_list"]
