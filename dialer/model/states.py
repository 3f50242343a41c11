"""The status words the database stores, named once: each vocabulary, its groups, and its Chinese labels.

Every room compares against these members (a `StrEnum` member equals its stored word), and the pages show
`LABELS[type(member)][member]`. A test checks that every member has a label.
"""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DIALLING = "dialling"  # claimed by a scheduler; an attempt is being placed or is in progress
    SUCCEEDED = "succeeded"  # the customer in person answered every required item, none bad
    PROBLEM = "problem"  # reached; at least one problem case
    UNREACHABLE = "unreachable"  # attempts used up: manual follow-up (机构自访)
    INVALID = "invalid"  # permanent error, e.g. the number does not exist
    CANCELLED = "cancelled"  # withdrawn by an operator, or opted out
    NOT_SAMPLED = "not_sampled"  # left out by its plan's sample (抽样): closed, counted apart
    FOLLOWED_UP = (
        "followed_up"  # unreachable by phone, then closed by a completed manual follow-up (机构自访)
    )


FINAL_STATUSES = frozenset(
    {
        TaskStatus.SUCCEEDED,
        TaskStatus.PROBLEM,
        TaskStatus.UNREACHABLE,
        TaskStatus.INVALID,
        TaskStatus.CANCELLED,
        TaskStatus.NOT_SAMPLED,
        TaskStatus.FOLLOWED_UP,
    }
)


class CallStatus(StrEnum):
    """An attempt's `status`: ours until the call is placed, then the gateway's call status."""

    CLAIMED = "claimed"  # the task is claimed; the attempt row is being written
    PLACING = "placing"  # the request to the gateway is being made
    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"  # the gateway's failure, or a call we closed that never left (see `finish_attempt`)
    CANCELED = "canceled"


# Calls that hold one of DIALER_MAX_CONCURRENT_CALLS. Every way an attempt ends moves it out of this group.
CALLS_IN_FLIGHT = frozenset(
    {
        CallStatus.CLAIMED,
        CallStatus.PLACING,
        CallStatus.QUEUED,
        CallStatus.INITIATED,
        CallStatus.RINGING,
        CallStatus.IN_PROGRESS,
    }
)
# Calls the gateway knows about and has not ended.
CALLS_AT_GATEWAY = CALLS_IN_FLIGHT - {CallStatus.CLAIMED, CallStatus.PLACING}
CALLS_FINISHED = frozenset(CallStatus) - CALLS_IN_FLIGHT
# A call's status only moves up this ranking; a late callback with a lower rank changes nothing.
CALL_RANK: dict[str, int] = {
    CallStatus.CLAIMED: 0,
    CallStatus.PLACING: 1,
    CallStatus.QUEUED: 2,
    CallStatus.INITIATED: 3,
    CallStatus.RINGING: 4,
    CallStatus.IN_PROGRESS: 5,
    **dict.fromkeys(CALLS_FINISHED, 6),
}


class AttemptOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    PROBLEM = "problem"
    OPEN = (
        "open"  # the customer was reached, but a required item still lacks a 是/否 (e.g. handed to a person)
    )
    WRONG_PERSON = "wrong_person"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    VOICEMAIL = "voicemail"
    HUNG_UP = "hung_up"  # answered, then hung up before the script ended
    INVALID = "invalid"  # permanent gateway error
    ERROR = "error"  # transient gateway error, or a claim whose call never left
    CANCELED = "canceled"


class EscalationStatus(StrEnum):
    """Where a caller handed to a person stands."""

    WAITING = "waiting"  # in the queue; no free agent phone was found
    AGENT_REQUESTED = "agent_requested"  # an agent's phone is to be rung (by the flow or the board)
    DIALLING_AGENT = "dialling_agent"  # a scheduler claimed the request and is placing the agent's leg
    RINGING = "ringing"  # the agent's leg is placed
    BRIDGED = "bridged"  # the agent answered and is talking with the caller
    ENDED = "ended"  # the bridged call is over
    TIMEOUT = "timeout"  # the caller left the queue unbridged: a callback is filed
    AGENT_FAILED = "agent_failed"  # the agent's leg could not be placed or was not answered


ESCALATIONS_RINGING = frozenset(
    {EscalationStatus.AGENT_REQUESTED, EscalationStatus.DIALLING_AGENT, EscalationStatus.RINGING}
)
# An agent phone in one of these is busy with a caller.
ESCALATIONS_HOLDING_AGENT = ESCALATIONS_RINGING | {EscalationStatus.BRIDGED}
ESCALATIONS_ACTIVE = ESCALATIONS_HOLDING_AGENT | {EscalationStatus.WAITING}
ESCALATIONS_FINISHED = frozenset(EscalationStatus) - ESCALATIONS_ACTIVE


class EscalationReason(StrEnum):
    """Why the flow handed a caller to a person (`State.escalated`)."""

    AGENT = "agent"  # key 0 or "转人工"
    CRITICAL = "critical"  # "否" to a question marked escalate_on_bad
    UNCLEAR = "unclear"  # not understood twice
    ELDERLY = "elderly"  # an elderly customer accepted the offer of a person


class AgentDialStatus(StrEnum):
    """Where an agent's own call to a customer (拨打) stands: their phone is rung first, then the customer's."""

    REQUESTED = "requested"  # the agent pressed 拨打; the scheduler's worker places their leg
    PLACING = "placing"  # a worker claimed the request and is placing the agent's leg
    RINGING_AGENT = "ringing_agent"  # the agent's phone is ringing
    BRIDGING = "bridging"  # the agent answered; the customer's phone is ringing
    CONNECTED = "connected"  # the customer answered: agent and customer are talking
    COMPLETED = "completed"  # the customer answered and the call is over
    NO_ANSWER = "no-answer"  # the customer did not answer (or was busy)
    FAILED = "failed"  # the customer's number could not be reached
    AGENT_MISSED = "agent_missed"  # the agent's own phone was not answered or could not be rung


AGENT_DIALS_LIVE = frozenset(
    {
        AgentDialStatus.REQUESTED,
        AgentDialStatus.PLACING,
        AgentDialStatus.RINGING_AGENT,
        AgentDialStatus.BRIDGING,
        AgentDialStatus.CONNECTED,
    }
)


class CaseStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class RecordingKind(StrEnum):
    CALL = "call"  # the whole call, dual channel
    AGENT_LEG = "agent_leg"
    CLIP = "clip"  # one answer


class RecordingStatus(StrEnum):
    PENDING = "pending"  # noted by the recording callback; the worker downloads it
    STORED = "stored"
    FAILED = "failed"
    PURGED = "purged"


class ScriptStatus(StrEnum):
    """Where one version of a call script stands in its filing (话术报备)."""

    DRAFT = "draft"  # being written; never dialled
    APPROVED = "approved"  # filed and approved: the one version calls use; never changes again
    RETIRED = "retired"  # replaced by a newer approved version, or withdrawn


class SuggestionStatus(StrEnum):
    """Where a customer's opinion or suggestion (意见或建议) stands."""

    TRANSCRIBING = "transcribing"  # the clip waits for the worker's free-form transcription
    NEW = "new"  # transcribed; waits for a supervisor to route it
    ROUTED = "routed"  # handed to a department


class FollowUpWay(StrEnum):
    """How a branch followed up a customer the phone could not reach (机构自访)."""

    VISIT = "visit"
    LETTER = "letter"
    SMS = "sms"
    PHONE_BY_BRANCH = "phone_by_branch"
    OTHER = "other"


class FollowUpResult(StrEnum):
    """What one manual follow-up achieved; only COMPLETED closes the task."""

    COMPLETED = "completed"  # the customer confirmed the follow-up's items
    REFUSED = "refused"
    NOT_REACHED = "not_reached"
    OTHER = "other"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


LABELS: dict[type[StrEnum], dict[str, str]] = {
    TaskStatus: {
        TaskStatus.PENDING: "待回访", TaskStatus.DIALLING: "拨打中", TaskStatus.SUCCEEDED: "回访成功",
        TaskStatus.PROBLEM: "问题件", TaskStatus.UNREACHABLE: "无法联系", TaskStatus.INVALID: "号码无效",
        TaskStatus.CANCELLED: "已取消", TaskStatus.NOT_SAMPLED: "抽样未选中", TaskStatus.FOLLOWED_UP: "已机构自访",
    },
    CallStatus: {
        CallStatus.CLAIMED: "待拨打", CallStatus.PLACING: "正在拨打", CallStatus.QUEUED: "排队中",
        CallStatus.INITIATED: "已发起", CallStatus.RINGING: "振铃中", CallStatus.IN_PROGRESS: "通话中",
        CallStatus.COMPLETED: "已结束", CallStatus.BUSY: "忙线", CallStatus.NO_ANSWER: "无人接听",
        CallStatus.FAILED: "呼叫失败", CallStatus.CANCELED: "已取消",
    },
    AttemptOutcome: {
        AttemptOutcome.SUCCEEDED: "成功", AttemptOutcome.PROBLEM: "问题件",
        AttemptOutcome.OPEN: "有未确认项", AttemptOutcome.WRONG_PERSON: "非本人",
        AttemptOutcome.BUSY: "忙线", AttemptOutcome.NO_ANSWER: "无人接听", AttemptOutcome.FAILED: "呼叫失败",
        AttemptOutcome.VOICEMAIL: "语音信箱", AttemptOutcome.HUNG_UP: "中途挂断", AttemptOutcome.INVALID: "号码无效",
        AttemptOutcome.ERROR: "线路错误", AttemptOutcome.CANCELED: "已取消",
    },
    EscalationStatus: {
        EscalationStatus.WAITING: "等待接听", EscalationStatus.AGENT_REQUESTED: "已认领·正在呼叫坐席",
        EscalationStatus.DIALLING_AGENT: "正在呼叫坐席", EscalationStatus.RINGING: "正在呼叫坐席",
        EscalationStatus.BRIDGED: "通话中", EscalationStatus.ENDED: "已结束",
        EscalationStatus.TIMEOUT: "无人接听·已安排回拨", EscalationStatus.AGENT_FAILED: "坐席未接通",
    },
    EscalationReason: {
        EscalationReason.AGENT: "客户要求转人工", EscalationReason.CRITICAL: "关键问题答“否”",
        EscalationReason.UNCLEAR: "连续两次未听清", EscalationReason.ELDERLY: "高龄客户",
    },
    AgentDialStatus: {
        AgentDialStatus.REQUESTED: "已请求·等待系统呼叫您", AgentDialStatus.PLACING: "正在呼叫您的电话",
        AgentDialStatus.RINGING_AGENT: "正在呼叫您的电话", AgentDialStatus.BRIDGING: "您已接听·正在呼叫客户",
        AgentDialStatus.CONNECTED: "通话中", AgentDialStatus.COMPLETED: "已结束·客户已接通",
        AgentDialStatus.NO_ANSWER: "已结束·客户未接听", AgentDialStatus.FAILED: "已结束·客户号码呼叫失败",
        AgentDialStatus.AGENT_MISSED: "已结束·您的电话未接通",
    },
    CaseStatus: {CaseStatus.OPEN: "待领取", CaseStatus.ASSIGNED: "处理中", CaseStatus.CLOSED: "已关闭"},
    RecordingKind: {
        RecordingKind.CALL: "全程录音（双声道）", RecordingKind.AGENT_LEG: "人工坐席录音", RecordingKind.CLIP: "回答片段"
    },
    RecordingStatus: {
        RecordingStatus.PENDING: "待下载", RecordingStatus.STORED: "已保存", RecordingStatus.FAILED: "下载失败",
        RecordingStatus.PURGED: "已按期删除",
    },
    ScriptStatus: {ScriptStatus.DRAFT: "草稿", ScriptStatus.APPROVED: "已批准（在用）", ScriptStatus.RETIRED: "已停用"},
    SuggestionStatus: {SuggestionStatus.TRANSCRIBING: "待转写", SuggestionStatus.NEW: "待分派",
                       SuggestionStatus.ROUTED: "已转交部门"},
    FollowUpWay: {
        FollowUpWay.VISIT: "上门拜访", FollowUpWay.LETTER: "信函", FollowUpWay.SMS: "短信",
        FollowUpWay.PHONE_BY_BRANCH: "网点电话", FollowUpWay.OTHER: "其他",
    },
    FollowUpResult: {
        FollowUpResult.COMPLETED: "已完成（客户确认回访事项）", FollowUpResult.REFUSED: "客户拒绝",
        FollowUpResult.NOT_REACHED: "未能联系到客户", FollowUpResult.OTHER: "其他",
    },
    Role: {Role.AGENT: "回访专员", Role.SUPERVISOR: "主管", Role.COMPLIANCE: "合规质检", Role.ADMIN: "系统管理员"},
}  # fmt: skip


def label(member: StrEnum) -> str:
    """Return the Chinese word a page shows for a status member."""
    return LABELS[type(member)][member]


def labels_by_word(vocabulary: type[StrEnum]) -> dict[str, str]:
    """Return {stored word: Chinese label} for one vocabulary."""
    return {str(member): text for member, text in LABELS[vocabulary].items()}
