"""The conversation as a pure step function: `start()` opens a call, `step()` answers each event.

No I/O and no clock: the webhooks turn form posts into events, store `State.to_dict()` on the
attempt, store `Step.record` as an answer, and render `Step` with `twiml.render`.

The call goes: greeting, recording notice, identity question → (on 是) introduction, the elderly
offer for customers aged `elderly_age` or more, then each question in turn → closing.

- A 否 to the identity question closes politely and says nothing about the matter (outcome
  "wrong_person"). An identity that stays unclear closes the same way, with outcome None (retry).
- Unclear or no answer: re-ask with the keys hint; the last re-ask (when `max_reasks` ≥ 2) takes keys
  only, and every re-ask does where the gateway loses a key pressed during a spoken answer (Somleng); after `max_reasks` re-asks the answer is final "unclear" (a problem when the question is
  required). Silence ("no_answer") climbs this ladder but never escalates by itself.
- Escalation to a person: key 0 or the "agent" label; a bad answer to an `escalate_on_bad` question;
  two "unclear" answers in a row, within or across questions; or 是 to the elderly offer. The elderly
  offer is asked once: anything but 是 or 人工 moves on to the questions.
- After escalation: AgentUnavailable → apology, closing, hang up; AgentBridged → hang up.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dialer.ivr.script import OPEN, Question, Script
from dialer.ivr.values import (
    ELDERLY,
    LABELS,
    OUTCOMES,
    PHASES,
    AgentBridged,
    AgentUnavailable,
    Answer,
    AnswerRecord,
    CallContext,
    Event,
    Hangup,
    Listen,
    Prompt,
    State,
    Step,
    honorific_for,
)

OPEN_MAX_SECONDS = 60  # the longest opinion a customer may leave

__all__ = [
    "LABELS", "OUTCOMES", "PHASES", "AgentBridged", "AgentUnavailable", "Answer", "AnswerRecord", "CallContext",
    "Event", "Hangup", "Listen", "Prompt", "State", "Step", "current_question", "honorific_for", "start", "step",
]  # fmt: skip


def start(script: Script, ctx: CallContext) -> tuple[State, Step]:
    """Open the call: greeting, recording notice and the identity question."""
    state = State(script=script.id)
    opening = (_line(script, ctx, "greeting"), _line(script, ctx, "recording_notice"))
    return state, _ask(script, state, ctx, script.identity, opening)


def step(script: Script, state: State, event: Event, ctx: CallContext) -> tuple[State, Step]:
    """Return the next state and what to do after `event`."""
    if state.script != script.id:
        raise ValueError(f"state belongs to script {state.script!r}, not {script.id!r}")
    if state.phase == "done":
        return state, Step(hangup=True, outcome=state.outcome)
    if isinstance(event, Hangup):
        return _replace(state, phase="done", outcome=None), Step(hangup=True)
    if state.phase == "escalated":
        return _after_escalation(script, state, event, ctx)
    if isinstance(event, Answer):
        return _on_answer(script, state, event, ctx)
    # An agent event while no agent was asked for is stale: ask the current question again.
    return state, _ask(script, state, ctx, _current(script, state), ())


def current_question(script: Script, state: State) -> Question | None:
    """Return the question the next answer belongs to, or None when nothing is being asked."""
    if state.phase in ("escalated", "done"):
        return None
    return _current(script, state)


def _current(script: Script, state: State) -> Question:
    if state.phase == "identity":
        return script.identity
    if state.phase == "elderly":
        return ELDERLY
    return script.questions[min(state.index, len(script.questions) - 1)]


def _on_answer(script: Script, state: State, event: Answer, ctx: CallContext) -> tuple[State, Step]:
    label = _label(event)
    q = _current(script, state)
    if label == "agent":
        return _escalate(script, state, "agent", _record(script, state, q, event, label, False, False, ctx))
    if state.phase == "question" and q.kind == OPEN:  # an opinion is optional: heard or not, go on
        free = "open" if label == "open" else "no_answer"
        rec = _record(script, _replace(state, unclear_streak=0), q, event, free, True, False, ctx)
        return _next_question(script, _replace(state, unclear_streak=0), ctx, rec)
    if label in ("unclear", "no_answer"):
        return _on_unclear(script, state, event, label, ctx)
    state = _replace(state, unclear_streak=0)
    if state.phase == "identity":
        return _on_identity(script, state, event, label, ctx)
    if state.phase == "elderly":
        rec = _record(script, state, q, event, label, True, False, ctx)
        if label == "yes":
            return _escalate(script, state, "elderly", rec)
        return _next_question(script, _replace(state, phase="question", index=-1), ctx, rec, first=True)
    bad = label == q.bad_answer
    rec = _record(script, state, q, event, label, True, bad, ctx)
    if bad:
        state = _replace(state, problems=(*state.problems, q.id))
        if q.escalate_on_bad:
            return _escalate(script, state, "critical", rec)
    return _next_question(script, state, ctx, rec)


def _label(event: Answer) -> str:
    if "0" in event.keys:
        return "agent"
    # Unknown labels are input we cannot read, never an exception: ask again.
    return event.label if event.label in LABELS else "unclear"


def _on_identity(
    script: Script, state: State, event: Answer, label: str, ctx: CallContext
) -> tuple[State, Step]:
    rec = _record(script, state, script.identity, event, label, True, False, ctx)
    if label == "no":
        done = _replace(state, phase="done", outcome="wrong_person")
        close = (_line(script, ctx, "wrong_person_close"),)
        return done, Step(say=close, hangup=True, record=rec, outcome="wrong_person")
    intro = (_line(script, ctx, "introduction"),)
    if ctx.age is not None and ctx.age >= ctx.elderly_age:
        elderly = _replace(state, phase="elderly", asks=0, turn=state.turn + 1)
        return elderly, _ask(script, elderly, ctx, ELDERLY, intro, record=rec)
    return _next_question(
        script, _replace(state, phase="question", index=-1), ctx, rec, first=True, lead=intro
    )


def _on_unclear(
    script: Script, state: State, event: Answer, label: str, ctx: CallContext
) -> tuple[State, Step]:
    q = _current(script, state)
    streak = state.unclear_streak + (label == "unclear")
    state = _replace(state, unclear_streak=streak)
    if streak >= 2:
        return _escalate(script, state, "unclear", _record(script, state, q, event, label, False, False, ctx))
    if state.phase == "elderly":
        rec = _record(script, state, q, event, label, True, False, ctx)
        return _next_question(script, _replace(state, phase="question", index=-1), ctx, rec, first=True)
    asks = state.asks + 1
    if asks <= script.max_reasks:
        rec = _record(script, state, q, event, label, False, False, ctx)
        # Where a key pressed during a spoken answer is lost (Somleng), the hint to press one is only kept
        # by asking for keys alone.
        keys_only = ctx.keys_only or not ctx.record_keys or (asks == script.max_reasks and asks >= 2)
        lead = _line(script, ctx, "keys_only" if keys_only and not ctx.keys_only else "reask")
        asked = _replace(state, asks=asks, turn=state.turn + 1)
        return asked, _ask(script, asked, ctx, q, (lead,), keys_only=keys_only, hint=True, record=rec)
    rec = _record(script, state, q, event, "unclear", True, q.required and q is not script.identity, ctx)
    if state.phase == "identity":
        # Identity never confirmed: close as politely as for the wrong person, and try again later.
        done = _replace(state, phase="done", outcome=None)
        return done, Step(say=(_line(script, ctx, "wrong_person_close"),), hangup=True, record=rec)
    if q.required:
        state = _replace(state, problems=(*state.problems, q.id))
    return _next_question(script, state, ctx, rec)


def _next_question(
    script: Script,
    state: State,
    ctx: CallContext,
    rec: AnswerRecord,
    *,
    first: bool = False,
    lead: tuple[Prompt, ...] = (),
) -> tuple[State, Step]:
    index = state.index + 1
    while index < len(script.questions) and not ctx.holds(script.questions[index].when):
        index += 1
    ack = () if first else (_line(script, ctx, "acknowledge"),)
    if index >= len(script.questions):
        return _finish(script, state, ctx, rec, ack)
    nxt = _replace(state, phase="question", index=index, asks=0, turn=state.turn + 1)
    return nxt, _ask(script, nxt, ctx, script.questions[index], (*lead, *ack), record=rec)


def _finish(
    script: Script, state: State, ctx: CallContext, rec: AnswerRecord | None, ack: tuple[Prompt, ...]
) -> tuple[State, Step]:
    outcome = "problem" if state.problems else "succeeded"
    notice = (_line(script, ctx, "problem_notice"),) if state.problems else ()
    asked = script.questions[: state.index + 1] if state.phase == "question" else ()
    if any(q.kind == OPEN and ctx.holds(q.when) for q in asked):
        notice = (*notice, _line(script, ctx, "opinion_thanks"))
    done = _replace(state, phase="done", outcome=outcome)
    say = (*ack, *notice, _line(script, ctx, "closing"))
    return done, Step(say=say, hangup=True, record=rec, outcome=outcome)


def _escalate(script: Script, state: State, reason: str, rec: AnswerRecord) -> tuple[State, Step]:
    escalated = _replace(state, phase="escalated", escalated=reason)
    return escalated, Step(say=(Prompt(script.prompt("escalation")),), escalate=True, record=rec)


def _after_escalation(script: Script, state: State, event: Event, ctx: CallContext) -> tuple[State, Step]:
    outcome = "problem" if state.problems else None
    if isinstance(event, AgentUnavailable):
        say = (_line(script, ctx, "agent_unavailable"), _line(script, ctx, "closing"))
        return _replace(state, phase="done", outcome=outcome), Step(say=say, hangup=True, outcome=outcome)
    if isinstance(event, AgentBridged):
        return _replace(state, phase="done", outcome=outcome), Step(hangup=True, outcome=outcome)
    # A stray answer while queued: stay in the queue.
    return state, Step(escalate=True)


def _ask(
    script: Script,
    state: State,
    ctx: CallContext,
    q: Question,
    lead: tuple[Prompt, ...],
    *,
    keys_only: bool = False,
    hint: bool = False,
    record: AnswerRecord | None = None,
) -> Step:
    keys = keys_only or ctx.keys_only
    say = [*lead, Prompt(_text(script, q, ctx), q.prompt_audio)]
    if q.kind == OPEN:  # how to leave an opinion, or none
        say.append(Prompt(ctx.fill(q.keys_hint or script.prompt("open_hint"))))
    elif (hint or keys) and q is not ELDERLY:  # the offer names its own keys
        say.append(Prompt(ctx.fill(q.keys_hint or script.prompt("keys_hint"))))
    return Step(say=tuple(say), listen=_listen(state, q, ctx, script, keys_only=keys), record=record)


def _listen(state: State, q: Question, ctx: CallContext, script: Script, *, keys_only: bool) -> Listen:
    kind = "identity" if q is script.identity else q.kind
    fallback = ctx.fill(script.prompt("no_input"))
    if kind == OPEN:  # a free answer is recorded even without a speech model: it is transcribed later
        return Listen(q.id, kind, False, state.turn, OPEN_MAX_SECONDS, ctx.timeout, "#20", fallback)
    return Listen(q.id, kind, keys_only, state.turn, ctx.max_length, ctx.timeout, "120", fallback)


def _record(
    script: Script,
    state: State,
    q: Question,
    event: Answer,
    label: str,
    final: bool,
    problem: bool,
    ctx: CallContext,
) -> AnswerRecord:
    text = _text(script, q, ctx)
    return AnswerRecord(q.id, text, state.turn, label, final, problem, event.keys, event.transcript)


def _text(script: Script, q: Question, ctx: CallContext) -> str:
    return ctx.fill(script.prompt("elderly_offer") if q is ELDERLY else q.text)


def _line(script: Script, ctx: CallContext, name: str) -> Prompt:
    return Prompt(ctx.fill(script.prompt(name)))


def _replace(state: State, **changes: Any) -> State:
    return dataclasses.replace(state, **changes)
