"""The call page's timeline: each event's data turned into a short line a person can read.

Events keep their whole payload (a status callback's form, the TwiML the IVR answered with); the page shows
the few fields that matter and folds the rest away, the TwiML as escaped XML.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from dialer.model import AttemptEvent
from dialer.web.words import PROMPTS, matched_words, word

# The fields worth a glance, per event kind, with their Chinese names. The rest is folded away.
KEY_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "status": (("CallDuration", "时长（秒）"), ("SipResponseCode", "SIP 码"), ("ErrorCode", "错误码"),
               ("AnsweredBy", "接听方")),
    "agent": (("CallDuration", "时长（秒）"), ("ErrorCode", "错误码")),
    "recording": (("RecordingDuration", "时长（秒）"), ("RecordingChannels", "声道"), ("ErrorCode", "错误码")),
    "queue": (("QueueTime", "排队（秒）"),),
    "dial": (("status", "网关状态"), ("DialCallStatus", "客户接听结果"), ("DialCallDuration", "通话（秒）"),
             ("CallDuration", "时长（秒）")),
    "note": (("agent", "坐席电话"), ("worker", "处理进程")),
}  # fmt: skip
TURN = re.compile(r"turn (\d+)")
VERBS = {"Say": "播报", "Play": "放音", "Record": "录音作答", "Gather": "收号", "Enqueue": "进入排队",
         "Dial": "转接", "Redirect": "跳转", "Pause": "停顿", "Hangup": "挂断", "Leave": "离开队列",
         "Reject": "拒接", "Start": "开始实时听答", "Stop": "停止实时听答"}  # fmt: skip
# An agent's own call (拨打): its steps, from the worker and the webhooks of `dialer.ivr.dials`.
DIAL_STEPS = {
    "agent_rung": "坐席拨打：正在呼叫坐席电话", "agent_not_rung": "坐席拨打：未能呼叫坐席电话",
    "agent_answered": "坐席拨打：坐席已接听，开始呼叫客户", "agent_ringing": "坐席拨打：坐席电话振铃",
    "agent_in-progress": "坐席拨打：坐席通话中", "agent_completed": "坐席拨打：坐席电话已挂断",
    "agent_busy": "坐席拨打：坐席电话忙线", "agent_no-answer": "坐席拨打：坐席电话无人接听",
    "agent_failed": "坐席拨打：坐席电话呼叫失败", "agent_canceled": "坐席拨打：坐席电话已取消",
    "customer_initiated": "坐席拨打：开始呼叫客户", "customer_ringing": "坐席拨打：客户电话振铃",
    "customer_in-progress": "坐席拨打：客户已接听，通话中", "customer_completed": "坐席拨打：客户电话已挂断",
    "customer_busy": "坐席拨打：客户忙线", "customer_no-answer": "坐席拨打：客户无人接听",
    "customer_failed": "坐席拨打：客户电话呼叫失败", "customer_canceled": "坐席拨打：呼叫客户已取消",
    "agent_queued": "坐席拨打：正在呼叫坐席电话", "agent_initiated": "坐席拨打：已发起呼叫坐席",
    "agent_other": "坐席拨打：坐席电话的其他状态", "customer_queued": "坐席拨打：正在呼叫客户",
    "customer_other": "坐席拨打：客户电话的其他状态", "result": "坐席拨打：通话结果", "expired": "坐席拨打：长时间无状态更新，已结束",
}  # fmt: skip
RECORDING_STATUSES = {
    "completed": "录音已生成",
    "in-progress": "录音中",
    "absent": "无录音",
    "failed": "录音失败",
}


@dataclass(frozen=True)
class Line:
    """One timeline row as the page shows it."""

    name: str  # the event's name in words
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) pairs shown inline
    twiml: str | None = None  # the whole TwiML document, shown folded
    spoken: str = ""  # what the TwiML says, as a one-line preview
    raw: str = ""  # the whole payload as JSON, shown folded


def describe(e: AttemptEvent) -> Line:
    """Return what the timeline shows for one event."""
    data: dict[str, Any] = e.data or {}
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, default=str) if data else ""
    if e.kind == "twiml":
        name = step_name(e.name)
        if isinstance(data.get("twiml"), str):
            return Line(name, twiml=data["twiml"], spoken=spoken_text(data["twiml"]))
    if e.kind == "answer":
        return Line(_turn(e.name), _answer_facts(data))
    if e.kind == "recording":
        name = RECORDING_STATUSES.get(e.name, e.name)
    elif e.kind == "dial" and e.name in DIAL_STEPS:
        name = DIAL_STEPS[e.name]
    elif e.kind != "twiml":
        name = word(e.name, "event_name")
    facts = [
        (label, fact_value(key, data[key]))
        for key, label in KEY_FIELDS.get(e.kind, ())
        if data.get(key) not in (None, "")
    ]
    if e.kind == "note" and data.get("reason"):
        facts.insert(0, ("原因", word(data["reason"], "reason")))
    return Line(name, facts, raw=raw)


ANSWERED_BY = {"human": "本人接听", "unknown": "无法判断", "machine_start": "语音信箱", "machine_end_beep": "语音信箱",
               "machine_end_silence": "语音信箱", "machine_end_other": "语音信箱", "fax": "传真"}  # fmt: skip
CHANNELS = {"1": "单声道", "2": "双声道"}


def fact_value(key: str, value: object) -> str:
    """Return a timeline fact's value in words: the gateway's status and answerer words put in Chinese."""
    text = str(value)
    if key in ("status", "DialCallStatus"):
        return word(text, "call_status")
    if key == "AnsweredBy":
        return ANSWERED_BY.get(text, text)
    if key == "RecordingChannels":
        return CHANNELS.get(text, text)
    return text


QUESTION = re.compile(r"q(\d+)")


def step_name(name: str) -> str:
    """Return a spoken step's name in words: the IVR's document, a prompt (问候语) or a question (第 3 题)."""
    found = QUESTION.fullmatch(name)
    if found:
        return f"第 {found.group(1)} 题"
    return PROMPTS.get(name) or word(name, "event_name")


def _turn(name: str) -> str:
    found = TURN.fullmatch(name)
    return f"第 {found.group(1)} 轮" if found else name


def _answer_facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [("判定", word(data.get("label"), "answer") or "—"),
             ("识别文本", data.get("transcript") or "（无）"),
             ("匹配词", matched_words(data.get("matched")) or "—")]  # fmt: skip
    if data.get("ms") is not None:
        facts.append(("识别用时", f"{data['ms']} 毫秒"))
    return facts


def spoken_text(twiml: str, limit: int = 80) -> str:
    """Return what a TwiML document says (its <Say> texts, or its verbs), shortened to `limit` characters."""
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError:
        return "（无法解析的 TwiML）"
    said = " ".join(" ".join((el.text or "").split()) for el in root.iter("Say")).strip()
    verbs = " · ".join(VERBS.get(el.tag, el.tag) for el in root if el.tag != "Say")
    text = (f"【{verbs}】" if verbs else "") + said or "（空）"
    return text if len(text) <= limit else text[: limit - 1] + "…"
