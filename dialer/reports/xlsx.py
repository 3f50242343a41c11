"""The report as an Excel workbook: one sheet per view, Chinese headers, native charts, the analysis first."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dialer.policy.windows import zone_label

PERCENT = "0.0%"
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)
Column = tuple[str, Callable[[dict[str, Any]], Any], bool]  # header, value, is a rate

COUNT_COLUMNS: tuple[Column, ...] = (
    ("应回访", lambda r: r["tasks"], False), ("已接通", lambda r: r["reached"], False),
    ("回访成功", lambda r: r["succeeded"], False), ("其中有问题件", lambda r: r["succeeded_with_problem"], False),
    ("及时成功", lambda r: r["timely"], False), ("问题件", lambda r: r["problem_cases"], False),
    ("无法联系", lambda r: r["unreachable"], False), ("机构自访", lambda r: r["manual_followup"], False),
    ("回访中", lambda r: r["open"], False), ("号码无效", lambda r: r["invalid"], False),
    ("已撤销", lambda r: r["withdrawn"], False), ("抽样未选中", lambda r: r["not_sampled"], False),
    ("计划待批准", lambda r: r["awaiting_approval"], False),
    ("回访率", lambda r: r["reach_rate"], True), ("回访成功率", lambda r: r["success_rate"], True),
    ("及时率", lambda r: r["timely_rate"], True), ("问题件率", lambda r: r["problem_rate"], True),
    ("无法联系占比", lambda r: r["unreachable_share"], True),
    ("机构自访占比", lambda r: r["manual_followup_share"], True),
    ("上月应回访", lambda r: r["previous"]["tasks"], False),
    ("上月回访成功率", lambda r: r["previous"]["success_rate"], True),
    ("上月问题件率", lambda r: r["previous"]["problem_rate"], True),
)  # fmt: skip
OVERVIEW: tuple[tuple[str, str, bool], ...] = (
    ("应回访件数", "tasks", False), ("已接通件数", "reached", False), ("回访成功件数", "succeeded", False),
    ("及时成功件数", "timely", False), ("问题件数", "problem_cases", False), ("无法联系件数", "unreachable", False),
    ("机构自访件数", "manual_followup", False), ("回访中", "open", False), ("已撤销", "withdrawn", False),
    ("抽样未选中", "not_sampled", False), ("计划待批准", "awaiting_approval", False),
    ("回访率", "reach_rate", True), ("回访成功率", "success_rate", True), ("及时率", "timely_rate", True),
    ("问题件率", "problem_rate", True), ("无法联系占比", "unreachable_share", True),
    ("机构自访占比", "manual_followup_share", True),
)  # fmt: skip


def _table(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           rate_cols: Sequence[bool], empty: str) -> None:  # fmt: skip
    """Write a header row (frozen) and the rows, with percentages formatted as such."""
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(["无数据" if v is None and rate_cols[i] else v for i, v in enumerate(row)])
        for i, cell in enumerate(ws[ws.max_row]):
            if rate_cols[i] and isinstance(cell.value, float | int):
                cell.number_format = PERCENT
    if not rows:
        ws.append([empty])
    ws.freeze_panes = "B2"
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) * 2 + 4))


def _bar(title: str, ws: Worksheet, data_cols: tuple[int, int], rows: int, anchor: str,
         *, percent: bool = True, stacked: bool = False) -> None:  # fmt: skip
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = "col", title, 8, 18
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    chart.add_data(Reference(ws, min_col=data_cols[0], max_col=data_cols[1], min_row=1, max_row=rows + 1),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    if percent:
        chart.y_axis.numFmt = "0%"
        chart.y_axis.scaling.min = 0
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    ws.add_chart(chart, anchor)


def _analysis_sheet(ws: Worksheet, r: dict[str, Any]) -> None:
    ws.title = "文字分析"
    ws.column_dimensions["A"].width = 100
    ws.append([f"回访统计分析报告 · {r['month_label']}"])
    ws["A1"].font = Font(bold=True, size=14)
    zone = zone_label(r["timezone"], datetime.fromisoformat(r["generated_at"]))
    ws.append([f"范围：{r['scope_label']}；时间：{zone}；生成时间：{r['generated_at_local']}"])
    if r.get("filed"):
        fd = r["filed"]
        ws.append(
            [f"已归档：第 {fd['version']} 版，归档人 {fd['filed_by']}，归档时间 {fd['filed_at_local']}"]
        )
    ws.append([r["message"] or ""])
    ws.append(["文字分析"])
    ws.cell(ws.max_row, 1).font = BOLD
    for para in r["analysis"].splitlines():
        ws.append([para])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        # Spreadsheets do not grow a row for wrapped text on their own: about 50 Chinese characters a line.
        ws.row_dimensions[ws.max_row].height = 18 * (len(para) // 50 + 1)
    ws.freeze_panes = "A2"


def _overview_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    ws = wb.create_sheet("总览")
    t, p = r["total"], r["total"]["previous"]
    rows = [(label, t[k], p[k], (t[k] - p[k]) if t[k] is not None and p[k] is not None else None)
            for label, k, _ in OVERVIEW]  # fmt: skip
    _table(ws, ["指标", f"本月（{r['month']}）", f"上月（{r['previous_month']}）", "变化"], rows,
           [False, True, True, True], "")  # fmt: skip
    for i, (_, _, is_rate) in enumerate(OVERVIEW, start=2):
        for col in (2, 3, 4):
            ws.cell(i, col).number_format = PERCENT if is_rate else "0"
    ws.column_dimensions["A"].width = 16
    # The month-over-month chart shows the rates (rows 11..16), this month beside last month.
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = "col", "各项比率：本月与上月", 8, 18
    first = 2 + [k for _, k, _ in OVERVIEW].index("reach_rate")
    chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=1, max_row=1), titles_from_data=True)
    chart.series.clear()
    from openpyxl.chart import Series

    for col in (2, 3):
        s = Series(Reference(ws, min_col=col, min_row=first, max_row=len(OVERVIEW) + 1),
                   title=ws.cell(1, col).value)  # fmt: skip
        chart.series.append(s)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=len(OVERVIEW) + 1))
    chart.y_axis.numFmt, chart.y_axis.scaling.min = "0%", 0
    chart.y_axis.delete = chart.x_axis.delete = False
    ws.add_chart(chart, "F2")


def _dimension_sheet(wb: Workbook, title: str, head: str, rows: list[dict[str, Any]], chart: bool) -> None:
    ws = wb.create_sheet(title)
    values = [[r["name"]] + [c[1](r) for c in COUNT_COLUMNS] for r in rows]
    _table(ws, [head] + [c[0] for c in COUNT_COLUMNS], values, [False] + [c[2] for c in COUNT_COLUMNS],
           "本月没有数据。")  # fmt: skip
    if chart and rows:
        first = 2 + [c[0] for c in COUNT_COLUMNS].index("回访率")
        _bar(f"{head}：回访率、成功率、及时率", ws, (first, first + 2), len(rows), "B" + str(len(rows) + 4))


def _question_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    ws = wb.create_sheet("按问题")
    rows = [[q["question"], q["type_name"], q["script_name"], q["answered"], q["yes"], q["no"],
             q["unclear"], q["problem"], q["problem_rate"], q["previous"]["answered"], q["previous"]["problem_rate"]]
            for q in r["by_question"]]  # fmt: skip
    heads = ["问题", "任务类型", "话术", "回答数", "是", "否", "未能确认", "问题件", "问题件率",
             "上月回答数", "上月问题件率"]  # fmt: skip
    _table(ws, heads, rows, [False] * 8 + [True, False, True], "本月没有回答记录。")
    ws.column_dimensions["A"].width = 40
    shown = min(len(rows), 15)
    if shown:
        _bar("各问题的问题件率（前 15 个）", ws, (9, 9), shown, f"B{len(rows) + 4}")


def _satisfaction_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    ws = wb.create_sheet("满意度")
    rows = [[s["name"], s["satisfied"], s["unsatisfied"], s["unclear"], s["answered"], s["satisfied_rate"]]
            for s in r["satisfaction"]]  # fmt: skip
    _table(ws, ["任务类型", "满意", "不满意", "未能确认", "回答数", "满意率"], rows, [False] * 5 + [True],
           "本月没有满意度问题的回答。")  # fmt: skip
    if rows:
        _bar("满意度分布（按任务类型）", ws, (2, 4), len(rows), "H2", percent=False, stacked=True)
        pie = PieChart()
        pie.title, pie.height, pie.width = "满意度分布（合计）", 8, 12
        total_row = len(rows) + 3
        ws.cell(total_row, 1, "合计")
        for col in (2, 3, 4):
            ws.cell(total_row, col, sum(x[col - 1] for x in rows))
            ws.cell(total_row - 1, col, ws.cell(1, col).value)
        pie.add_data(Reference(ws, min_col=2, max_col=4, min_row=total_row), from_rows=True)
        pie.set_categories(Reference(ws, min_col=2, max_col=4, min_row=total_row - 1))
        ws.add_chart(pie, "H20")


def _cases_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    ws = wb.create_sheet("问题件")
    c, p = r["cases"], r["cases"]["previous"]
    labels = (("本月新开", "opened"), ("本月办结", "closed"), ("超期", "overdue"), ("重复件", "repeats"),
              ("办结天数中位数", "median_days_to_close"))  # fmt: skip
    _table(ws, ["指标", "本月", "上月"], [(n, c[k], p[k]) for n, k in labels], [False] * 3, "")
    ws.append([])
    ws.append(["已超期未办结的问题件", "问题", "部门", "到期日"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for x in c["overdue_open"]:
        ws.append([f"#{x['case_id']}", x["question"], x["department"], x["due"]])
    if not c["overdue_open"]:
        ws.append(["没有已超期未办结的问题件。"])
    ws.column_dimensions["B"].width = 40


def _agents_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    ws = wb.create_sheet("坐席")
    score = lambda v: "无数据" if v is None else f"{v:g}%"  # noqa: E731
    rows = [[a["name"], a["agent"], a["calls_taken"], a["cases_closed"], score(a.get("qa_score")),
             a["previous"]["calls_taken"], a["previous"]["cases_closed"]] for a in r["agents"]]  # fmt: skip
    _table(ws, ["坐席", "账号", "接听电话数", "办结问题件数", "质检得分", "上月接听", "上月办结"], rows,
           [False] * 7, "本月没有坐席接听或办结记录。")  # fmt: skip
    ws.append([])
    ws.append(["质检", "账号", "抽检通话数", "已评分", "平均得分"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = BOLD, HEAD_FILL
    for x in r["qa"].get("rows", []):
        ws.append([x["name"], x["agent"], x["sampled"], x["scored"], score(x["average"])])
    ws.append([])
    ws.append([r["qa"]["note"]])


def _definitions_sheet(wb: Workbook, r: dict[str, Any]) -> None:
    ws = wb.create_sheet("口径说明")
    _table(
        ws,
        ["序号", "口径说明"],
        [(i, d) for i, d in enumerate(r["definitions"], start=1)],
        [False, False],
        "",
    )
    ws.column_dimensions["B"].width = 120
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _print_setup(ws: Worksheet) -> None:
    """Print (and convert to PDF) each sheet landscape, one page wide, header row repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"


def workbook_bytes(r: dict[str, Any], stamp: datetime) -> bytes:
    """Return the report as XLSX bytes; `stamp` is written as the file's creation time."""
    wb = Workbook()
    _analysis_sheet(wb.active, r)
    _overview_sheet(wb, r)
    _dimension_sheet(wb, "按任务类型", "任务类型", r["by_type"], chart=True)
    _dimension_sheet(wb, "按部门", "部门", r["by_department"], chart=True)
    _dimension_sheet(wb, "按业务员", "业务员", r["by_seller"], chart=False)
    _dimension_sheet(wb, "按话术", "话术", r["by_script"], chart=False)
    _question_sheet(wb, r)
    _satisfaction_sheet(wb, r)
    _cases_sheet(wb, r)
    _agents_sheet(wb, r)
    _definitions_sheet(wb, r)
    for ws in wb.worksheets:
        _print_setup(ws)
    wb.properties.creator = "dialer"
    wb.properties.title = f"回访统计分析报告 {r['month']}"
    wb.properties.created = wb.properties.modified = stamp.replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
