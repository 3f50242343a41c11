"""Words for codes: what the pages show people instead of the codes the database stores.

The raw code stays in a `title` attribute so support staff can still see it on hover.
"""

from __future__ import annotations

import re

from flask import g
from markupsafe import Markup, escape

from dialer.errors import ScriptError
from dialer.model.states import (
    AttemptOutcome,
    CallStatus,
    CaseStatus,
    EscalationReason,
    EscalationStatus,
    FollowUpResult,
    FollowUpWay,
    RecordingKind,
    ScriptStatus,
    SuggestionStatus,
    TaskStatus,
    labels_by_word,
)
from dialer.services import services

# Stored escalation reasons: the flow's words, and older words that earlier rows may still carry.
ESCALATION_REASONS = {
    **labels_by_word(EscalationReason),
    "asked": "客户要求转人工", "key0": "客户按 0 转人工", "critical_no": "关键问题答“否”",
}  # fmt: skip
ESCALATION_STATUSES = labels_by_word(EscalationStatus)
OUTCOMES = labels_by_word(AttemptOutcome)
# The gateway's call statuses, as status callbacks and the attempt's `status` carry them.
CALL_STATUSES = labels_by_word(CallStatus)
ANSWERS = {
    "yes": "是",
    "no": "否",
    "unclear": "未听清",
    "agent": "转人工",
    "no_answer": "无回答",
    "open": "已留言",
}
EVENT_KINDS = {
    "status": "状态回调", "twiml": "语音流程", "answer": "回答", "recording": "录音", "queue": "排队",
    "agent": "坐席", "note": "备注", "dial": "拨号", "webhook": "回调",
}  # fmt: skip
# Event names that are not call statuses: the IVR's and the scheduler's own steps.
EVENT_NAMES = {
    "document": "语音指令", "placed": "已发起呼叫", "escalated": "转人工", "agent_rung": "呼叫坐席",
    "claim_expired": "领取超时", "reconciled": "向网关核对状态", "bridged": "已接通坐席",
    "absent": "无录音", "leave": "客户离开队列", "hangup": "客户挂断", "redirected": "转接",
    "queue-full": "队列已满", "error": "错误", "system-error": "系统错误",
    "ear_missing": "实时听答未收到通话音频，本通电话改为录音作答",
}  # fmt: skip
TASK_STATUSES = labels_by_word(TaskStatus)
CASE_STATUSES = labels_by_word(CaseStatus)
RECORDING_KINDS = labels_by_word(RecordingKind)
SCRIPT_STATUSES = labels_by_word(ScriptStatus)
SUGGESTION_STATUSES = labels_by_word(SuggestionStatus)
FOLLOW_UP_WAYS = labels_by_word(FollowUpWay)
FOLLOW_UP_RESULTS = labels_by_word(FollowUpResult)
QUESTION_KINDS = {
    "open": "意见建议（自由回答）",
    "yes_no": "是否题",
    "understanding": "理解确认题",
    "satisfaction": "满意度题",
    "identity": "身份确认",
}
PROMPTS = {
    "greeting": "问候语", "introduction": "开场白", "recording_notice": "录音告知", "acknowledge": "确认语",
    "reask": "重问语", "no_input": "无应答提示", "keys_hint": "按键提示", "keys_only": "改用按键提示",
    "escalation": "转人工提示", "agent_unavailable": "坐席忙提示", "elderly_offer": "高龄客户询问",
    "problem_notice": "问题记录告知", "closing": "结束语", "wrong_person_close": "非本人结束语",
    "opinion_thanks": "感谢意见语", "open_hint": "留言提示",
}  # fmt: skip
VOCABULARIES = {
    "reason": ESCALATION_REASONS, "escalation": ESCALATION_STATUSES, "outcome": OUTCOMES,
    "call_status": CALL_STATUSES, "answer": ANSWERS, "event": EVENT_KINDS, "task_status": TASK_STATUSES,
    "case_status": CASE_STATUSES, "recording": RECORDING_KINDS, "question_kind": QUESTION_KINDS,
    "prompt": PROMPTS, "script_status": SCRIPT_STATUSES,
    "suggestion_status": SUGGESTION_STATUSES,
    "followup_way": FOLLOW_UP_WAYS, "followup_result": FOLLOW_UP_RESULTS,
}  # fmt: skip


KEY_PRESS = re.compile(r"key\s*([0-9*#]+)")
CODE_IN_BRACKETS = re.compile(r"（([a-z_]+)）")
# The blanks a script's lines hold, as a person reads them on the script page: {company} is 〔公司名称〕.
PLACEHOLDER_NAMES = {
    "customer_name": "客户姓名", "honorific": "先生/女士", "company": "公司名称", "product": "产品名称",
    "event_date": "业务日期", "hotline": "客服电话", "cooling_off_days": "犹豫期天数", "insured_name": "被保险人姓名",
}  # fmt: skip
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def reason_text(text: str | None) -> str:
    """Return a callback's reason with any escalation-reason code in it (e.g. "（agent）") put in words."""
    return CODE_IN_BRACKETS.sub(lambda m: f"（{word(m.group(1), 'reason')}）", text or "")


def word(code: object, vocabulary: str) -> str:
    """Return the Chinese word for `code` in `vocabulary` ("" for none; the code itself if unknown)."""
    if code is None or code == "":
        return ""
    text = str(code)
    if vocabulary == "task_type":
        rules = services().task_types.get(text)
        return rules.name if rules is not None else text
    if vocabulary == "script":
        return script_name(text)
    if vocabulary == "event_name":
        return EVENT_NAMES.get(text) or CALL_STATUSES.get(text) or text
    return VOCABULARIES[vocabulary].get(text, text)


def says(code: object, vocabulary: str, empty: str = "—") -> Markup:
    """Return the word for `code` in a span whose title keeps the raw code, for support staff."""
    if code is None or code == "":
        return Markup(escape(empty))
    return Markup('<span title="{}">{}</span>').format(str(code), word(code, vocabulary))


def script_name(script_id: str) -> str:
    """Return a script's Chinese name; failing that its task type's name; the id only if nothing names it."""
    svc = services()
    if "script_names" not in g:  # read once per request
        try:
            with svc.db.session() as s:
                g.script_names = svc.scripts.names(s)
        except ScriptError:  # a stored version that no longer parses: the pages still show something
            g.script_names = {}
    if script_id in g.script_names:
        return str(g.script_names[script_id])
    rules = svc.task_types.get(script_id)
    return f"{rules.name}话术" if rules is not None else script_id


def matched_words(matched: str | None) -> str:
    """Return what an answer matched, in words: "key 1" (a key press) becomes "按键 1"."""
    found = KEY_PRESS.fullmatch(matched or "")
    return f"按键 {found.group(1)}" if found else (matched or "")


def named_blanks(text: str) -> str:
    """Return a script line with each blank named in Chinese: "您好，{customer_name}" → "您好，〔客户姓名〕"."""
    return PLACEHOLDER.sub(lambda m: f"〔{PLACEHOLDER_NAMES.get(m[1], m[1])}〕", text)
