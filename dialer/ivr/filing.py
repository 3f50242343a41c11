"""The filing document (话术报备文件): one script version's wording as a DOCX, for the regulator.

It carries the company, the script's name and version with its SHA-256, every line and question in call order,
which answer makes a problem case, which items are required, and who approved the version and when.
"""

from __future__ import annotations

import io
from datetime import tzinfo

from docx import Document
from docx.document import Document as DocumentType
from docx.shared import Cm, Pt

from dialer.ivr.script import OPEN, Question, Script
from dialer.model.scripts import ScriptVersion
from dialer.model.states import ScriptStatus, label

WIDTHS = (Cm(1.1), Cm(2.0), Cm(8.2), Cm(2.2), Cm(2.8), Cm(1.4))
PLACEHOLDER_WORDS = ("{customer_name} 客户姓名；{honorific} 先生/女士；{company} 公司名称；{product} 产品名称；"
                     "{event_date} 业务日期；{hotline} 客服电话；{cooling_off_days} 犹豫期天数；{insured_name} 被保险人姓名。"
                     "[甲|乙] 表示甲中的内容都有值时说甲，否则说乙。")  # fmt: skip
KIND_WORDS = {
    "yes_no": "是/否",
    "understanding": "是否清楚",
    "satisfaction": "满意/不满意",
    OPEN: "自由回答（意见建议）",
}
OTHER_LINES = (("keys_hint", "按键提示"), ("reask", "重问语"), ("keys_only", "改用按键提示"), ("no_input", "无应答提示"),
               ("acknowledge", "确认语"), ("problem_notice", "问题记录告知"), ("escalation", "转人工提示"),
               ("agent_unavailable", "坐席忙提示"), ("elderly_offer", "高龄客户询问"))  # fmt: skip


def filing_docx(script: Script, row: ScriptVersion, company: str, tz: tzinfo) -> bytes:
    """Return the filing document of one script version as DOCX bytes."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    doc.add_heading(f"{company} 回访话术报备文件", level=0)
    _facts(doc, script, row, company, tz)
    doc.add_heading("通话流程与措辞（按通话顺序）", level=1)
    doc.add_paragraph(f"措辞中花括号内为通话时填入的内容：{PLACEHOLDER_WORDS}")
    _questions(doc, script)
    doc.add_heading("其他提示语", level=1)
    for key, name in OTHER_LINES:
        doc.add_paragraph(f"{name}：{script.prompt(key)}", style="List Bullet")
    doc.add_paragraph(
        "说明：通话全程录音；只有客户本人确认身份后才说明来意；客户可随时按 0 或说“人工”转接人工客服。"
        "“不利回答”一栏为触发问题件（回访问题件）的回答；必答项未得到明确回答的，同样作为问题件处理。"
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _facts(doc: DocumentType, script: Script, row: ScriptVersion, company: str, tz: tzinfo) -> None:
    approved = (
        row.approved_at.astimezone(tz).strftime("%Y年%m月%d日 %H:%M") if row.approved_at else "尚未批准"
    )
    facts = [
        ("公司", company), ("话术名称", script.name), ("话术编号", row.script_id), ("版本", f"第{row.version}版"),
        ("状态", label(ScriptStatus(row.status))), ("内容校验值（SHA-256）", row.sha256),
        ("适用任务类型", "、".join(script.task_types)), ("起草人", row.created_by or "—"),
        ("批准人", row.approved_by or "—"), ("批准日期", approved),
    ]  # fmt: skip
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for name, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, value


def _questions(doc: DocumentType, script: Script) -> None:
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ("序号", "环节", "措辞", "回答方式", "不利回答（问题件）", "必答"),
                          strict=True):  # fmt: skip
        cell.text = head
    lines = [("开场问候", script.prompt("greeting"), None), ("录音告知", script.prompt("recording_notice"), None),
             ("身份确认", script.identity.text, script.identity),
             ("非本人结束语", script.prompt("wrong_person_close"), None),
             ("来意说明", script.prompt("introduction"), None)]  # fmt: skip
    lines += [(f"问题{n}", q.text, q) for n, q in enumerate(script.questions, start=1)]
    if any(q.kind == OPEN for q in script.questions):
        lines.append(("感谢意见", script.prompt("opinion_thanks"), None))
    lines.append(("结束语", script.prompt("closing"), None))
    for n, (what, text, q) in enumerate(lines, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(n), what, text
        cells[3].text, cells[4].text, cells[5].text = _answer_columns(q, script)
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS, strict=True):
        column.width = width  # the grid LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS, strict=True):
            cell.width = width


def _answer_columns(q: Question | None, script: Script) -> tuple[str, str, str]:
    if q is None:
        return "—", "—", "—"
    if q is script.identity:
        return "是/否", "非本人：不说明来意，礼貌结束，改日再拨（不是问题件）", "是"
    if q.kind == OPEN:
        return KIND_WORDS[OPEN], "无（记为意见建议，不作问题件）", "否"
    bad = "是" if q.bad_answer == "yes" else "否"
    extra = "，并转人工" if q.escalate_on_bad else ""
    when = "（仅在投保人与被保险人不同时询问）" if q.when == "insured_differs" else ""
    return KIND_WORDS.get(q.kind, q.kind), f"回答“{bad}”{extra}", ("是" if q.required else "否") + when
