"""Each task figure of the report drills down to exactly as many tasks as it counts (the same rules, twice)."""

from __future__ import annotations

from dialer.model import Database
from dialer.reports import build_report
from dialer.reports.figures import DRILL_MEASURES, Scope, drill_tasks
from tests.reports.conftest import november
from tests.reports.golden import NOW, SH, Golden


def test_every_measure_of_every_row_lists_its_tasks(db: Database, golden: Golden) -> None:
    req = november()
    m = req.month
    scope = Scope(m.previous().start(SH), m.start(SH), m.end(SH))
    with db.session() as s:
        r = build_report(s, req, NOW)
        for dim, rows in (("total", [{**r["total"], "key": ""}]), ("type", r["by_type"]),
                          ("department", r["by_department"]), ("seller", r["by_seller"]), ("script", r["by_script"])):  # fmt: skip
            for row in rows:
                for measure in DRILL_MEASURES:
                    listed = drill_tasks(s, scope, dim, row["key"], measure)
                    expected = row[measure] if measure != "problem_cases" else row["succeeded_with_problem"]
                    assert len(listed) == expected, (dim, row["key"], measure)
        names = {t.customer.name for t in drill_tasks(s, scope, "seller", "", "tasks")}
    assert names == {"客户T5"}  # the seller left blank in the list
