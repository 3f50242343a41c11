"""The audit log in words: each entry's object and details as the Chinese sentence a compliance officer reads.

The stored entry keeps its identifiers and JSON (the hash chain covers them); only the page and the CSV's
读法 column put them in words.
"""

from __future__ import annotations

import re
from typing import Any

from dialer.model import Role
from dialer.model.states import FollowUpResult, FollowUpWay, labels_by_word
from dialer.web.words import word

ROLE_WORDS = {str(Role.AGENT): "回访专员", str(Role.SUPERVISOR): "主管", str(Role.COMPLIANCE): "合规质检",
              str(Role.ADMIN): "系统管理员"}  # fmt: skip
TARGETS = {
    "case": "问题件", "recording": "录音", "attempt": "通话", "user": "用户", "batch": "名单", "customer": "客户",
    "task": "任务", "escalation": "转人工来电", "callback": "回拨", "report": "月度报告", "script": "话术",
    "qa": "质检抽样", "qa_sample": "质检样本", "follow_up": "机构自访记录",
}  # fmt: skip
LISTS = {"calls": "通话记录", "cases": "问题件列表", "callbacks": "回拨列表", "tasks": "任务列表",
         "audit_log": "审计日志", "followups": "机构自访列表"}  # fmt: skip
# Detail keys, in the order a sentence names them, with their Chinese labels.
LABELS = {
    "why": "原因", "reason": "原因", "cause": "问题原因", "role": "角色", "username": "登录名", "before": "原角色",
    "after": "新角色", "from": "原处理人", "to": "新处理人", "filters": "条件", "results": "结果条数",
    "rows": "行数", "attempt": "通话编号", "case": "问题件编号", "customer": "客户编号", "callback": "回拨编号",
    "due": "回拨日期", "kind": "录音类型", "range": "播放区间", "files": "文件", "file": "文件",
    "type": "任务类型", "agent_phone": "坐席电话", "enabled": "状态", "scope": "范围", "version": "版本",
    "filed": "已归档", "sha256": "SHA-256", "status": "名单状态", "plan_status": "名单状态", "note": "说明",
    "not_sampled": "未抽中", "sample_seed": "抽样种子", "imported": "导入任务", "rows_imported": "导入行数",
    "duplicates": "重复", "rejected": "被拒行数", "committed": "已写入", "dry_run": "仅试导入",
    "encoding": "文件编码", "batch_id": "名单编号", "header_row": "表头行", "ignored_columns": "忽略的列",
    "error": "错误", "recordings": "删除录音", "customer_anonymised": "客户资料已匿名化", "failed": "失败",
    "message": "说明",
    "per_agent": "每名坐席抽检数", "agents": "抽中的通话", "score": "得分", "out_of": "检查项数",
    "items": "不符合项", "comment": "总评", "shipped": "随附话术",
    "task": "任务编号", "way": "自访方式", "result": "自访结果", "size": "文件大小（字节）", "check": "校验结果",
    "dial": "拨打编号", "phone": "接听电话", "department": "部门",
}  # fmt: skip
FILTER_LABELS = {
    "customer": "客户", "phone": "电话", "date_from": "开始日期", "date_to": "结束日期", "type": "任务类型",
    "department": "部门", "agent": "专员", "status": "状态", "outcome": "通话结果", "problem": "问题件",
    "script": "话术", "view": "视图", "actor": "用户", "action": "操作", "target": "对象",
}  # fmt: skip
WHY = {"bad": "用户名或密码错误", "locked": "账户已锁定", "inactive": "账户已停用", "unknown": "用户不存在"}
PLAN = {"loading": "导入中", "pending": "待审批", "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回",
        "failed": "导入失败"}  # fmt: skip
FOLLOW_UP_VALUES = {
    "way": labels_by_word(FollowUpWay), "result": labels_by_word(FollowUpResult),
    "check": {"ok": "一致", "mismatch": "不一致（文件可能被改动）", "missing": "文件缺失"},
}  # fmt: skip
TARGET = re.compile(r"([a-z_]+):(.+)")


def target_text(target: str) -> str:
    """Return an entry's object in words: "case:12" becomes "问题件 #12"."""
    found = TARGET.fullmatch(target or "")
    if found and found.group(1) in TARGETS:
        kind, key = found.groups()
        if kind == "script":
            return f"话术“{word(key, 'script')}”"
        return f"{TARGETS[kind]} {key}" if kind in ("report", "qa") else f"{TARGETS[kind]} #{key}"
    return LISTS.get(target, target)


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return ("启用" if value else "停用") if key == "enabled" else ("是" if value else "否")
    if value is None or value == "" or value == [] or value == {}:
        return "无"
    if key == "agents" and isinstance(value, dict):  # a quality-check draw: each agent's sampled calls
        return "；".join(
            f"坐席 #{k} 通话 {'、'.join(str(v) for v in calls) or '无'}" for k, calls in value.items()
        )
    if key == "filters" and isinstance(value, dict):
        return "，".join(f"{FILTER_LABELS.get(k, k)}={_filter_value(k, v)}" for k, v in value.items()) or "无"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    text = str(value)
    words = {"why": WHY, "role": ROLE_WORDS, "before": ROLE_WORDS, "after": ROLE_WORDS, "status": PLAN,
             "plan_status": PLAN}.get(key)  # fmt: skip
    if words is not None:
        return words.get(text, text)
    if key == "kind":
        return word(text, "recording")
    if key in FOLLOW_UP_VALUES:
        return FOLLOW_UP_VALUES[key].get(text, text)
    if key == "type":
        return word(text, "task_type")
    if key == "range":
        return "整段" if text in ("", "bytes=0-") else text.removeprefix("bytes=") + " 字节"
    return text


def _filter_value(key: str, value: Any) -> str:
    text = str(value)
    if key == "type":
        return word(text, "task_type")
    if key == "outcome":
        return word(text, "outcome")
    if key == "problem":
        return {"yes": "有", "no": "无"}.get(text, text)
    return text


def detail_text(detail: dict[str, Any] | None) -> str:
    """Return an entry's details as one Chinese sentence: "原因：用户名或密码错误；…"."""
    if not detail:
        return ""
    keys = [k for k in LABELS if k in detail] + sorted(k for k in detail if k not in LABELS)
    return "；".join(f"{LABELS.get(k, '其他')}：{_value(k, detail[k])}" for k in keys)
