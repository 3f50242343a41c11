"""Classify a spoken or keyed answer as yes / no / unclear / agent. Pure: text in, label out.

Rules, in order:
1. A key wins over speech: 1 is yes, 2 is no, 0 asks for a person.
2. Asking for a person anywhere (人工, 转人工, 找客服, 我要投诉) is "agent", unless negated (不用转人工).
3. The text is scanned for the longest lexicon phrase at each position, so "不是很清楚" is heard as
   "不是…" (no) and never as "是" or "清楚".
4. Bare acknowledgements (嗯, 好) decide only when nothing stronger was said.
   Identity is stricter (only the customer in person may hear the matter): a third person anywhere in
   the answer (他/她, 爱人, 同事, 不在, 在开会, 帮他接) makes it "no", the wrong person, before any other
   rule; only a first-person confirmation (是, 是我, 我就是, 本人, key 1) is yes; fillers (嗯, 喂, 啊),
   questions back (你是谁, 什么事) and yes words that confirm nothing about who speaks (好的, 可以) are
   unclear.
5. Mixed answers: a no after a yes affirms a negative ("对，没有" is no); a yes after a no is a
   self-correction we cannot trust ("不是…是的"), so it is unclear and the IVR asks again. An
   unclear word beside a yes ("可能是吧") is unclear; beside a no it stays no, because a missed
   problem is lost while a wrong "no" only costs an agent's look.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from dialer.policy.lexicon import AGENT_NEGATORS, KINDS, grammar_tokens, phrases, third_party_phrases

LABELS = ("yes", "no", "unclear", "agent")
KEYS = {"1": "yes", "2": "no", "0": "agent"}
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_UNK = re.compile(r"\[unk\]|<unk>", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")
# Degree words that may sit between a negator and what it negates: 不(是很)清楚, 没(那么)满意.
_DEGREE = set("很太怎么大那完全特别非常十分过于都全算是")


@dataclass(frozen=True)
class Classification:
    """What an answer meant, what decided it, and whether it is the question's bad answer."""

    label: str
    matched: str
    text: str
    is_bad: bool
    reason: str = ""


@dataclass(frozen=True)
class _Hit:
    pos: int
    phrase: str
    label: str


def join_cjk(text: str) -> str:
    """Remove the spaces Vosk puts between CJK characters; collapse other runs of space."""
    return " ".join(_CJK_GAP.sub("", text).split())


def grammar_words(kind: str) -> list[str]:
    """Return the words a recognizer grammar for this kind should hold (answers plus distractors)."""
    return grammar_tokens(kind)


def classify(text: str, kind: str = "yes_no", keys: str = "", bad_answer: str = "no") -> Classification:
    """Classify one answer (transcript and/or keys) to a question of the given kind."""
    if bad_answer not in ("yes", "no"):
        raise ValueError(f"bad_answer must be 'yes' or 'no', got {bad_answer!r}")
    table = _table(kind)
    joined = join_cjk(_UNK.sub(" ", text))
    norm = _normalise(joined)
    third = _decide_third_party(norm) if kind == "identity" else None
    label, matched, reason = _decide_keys(keys) or third or _decide_text(norm, table)
    return Classification(label, matched, joined, label == bad_answer, reason)


def decisive(text: str, kind: str = "yes_no") -> bool:
    """Return whether these words already settle an answer: 是, 否 or a person, not only 嗯 or a filler.

    A live listener ends an answer at a short pause only when they do: "嗯……不是" must not be cut after 嗯.
    """
    result = classify(text, kind)
    return result.label != "unclear" and result.reason != "acknowledgement only"


def _normalise(text: str) -> str:
    # Punctuation becomes a clause mark, so a negation never reaches across "不是，是的".
    return _NOT_WORD.sub("|", unicodedata.normalize("NFKC", text).lower()).strip("|")


def _decide_keys(keys: str) -> tuple[str, str, str] | None:
    for key in keys.strip():
        if key in KEYS:
            return KEYS[key], key, f"key {key} pressed"
    return None


@functools.lru_cache(maxsize=len(KINDS))
def _table(kind: str) -> dict[str, str]:
    return phrases(kind)


def _decide_text(norm: str, table: dict[str, str]) -> tuple[str, str, str]:
    if not norm:
        return "unclear", "", "nothing was said"
    hits = _scan(norm, table)
    for hit in hits:
        if hit.label == "agent" and not norm[: hit.pos].endswith(AGENT_NEGATORS):
            return "agent", hit.phrase, "asked for a person"
    strong = _absorb_negated([h for h in hits if h.label in ("yes", "no", "unclear")], norm)
    if strong:
        return _decide_strong(strong)
    weak = [h for h in hits if h.label == "weak_yes"]
    if weak:
        return "yes", weak[0].phrase, "acknowledgement only"
    filler = next((h for h in hits if h.label == "filler"), None)
    if filler is not None:
        return "unclear", filler.phrase, "a filler confirms nothing"
    return "unclear", "", "no answer word heard"


def _decide_third_party(norm: str) -> tuple[str, str, str] | None:
    """Return a wrong-person verdict when the answer speaks of, or for, someone else."""
    # A scan of its own, so "是我姐的手机" finds 我姐 even though 是我 is a longer yes at 是.
    third = next((h for h in _scan(norm, _third_party_table()) if h.label == "third_party"), None)
    if third is None:
        return None
    return "no", third.phrase, "someone other than the customer answered"


@functools.cache
def _third_party_table() -> dict[str, str]:
    return third_party_phrases()


def _decide_strong(hits: list[_Hit]) -> tuple[str, str, str]:
    first = {label: next((h for h in hits if h.label == label), None) for label in ("yes", "no", "unclear")}
    yes, no, unclear = first["yes"], first["no"], first["unclear"]
    if no and yes:
        if yes.pos < no.pos:
            return "no", no.phrase, "a no after a yes affirms the negative"
        return "unclear", no.phrase, "a no corrected to a yes; ask again"
    if no:
        return "no", no.phrase, "said no" if not unclear else "a hedged no is still a no"
    if yes and unclear:
        return "unclear", unclear.phrase, "a hedged or questioned yes"
    if yes:
        return "yes", yes.phrase, "said yes"
    assert unclear is not None
    return "unclear", unclear.phrase, "unsure or off-topic"


def _absorb_negated(hits: list[_Hit], norm: str) -> list[_Hit]:
    """Relabel a yes that a no right before it negates: 不是(很)清楚, 不(太)满意, 不是我本人."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and prev.label == "no" and hit.label == "yes":
            gap = norm[prev.pos + len(prev.phrase) : hit.pos]
            if set(gap) <= _DEGREE:
                out[-1] = _Hit(prev.pos, norm[prev.pos : hit.pos + len(hit.phrase)], "no")
                continue
        out.append(hit)
    return out


def _scan(norm: str, table: dict[str, str]) -> list[_Hit]:
    """Return the phrases found left to right, taking the longest phrase at each position."""
    longest = max(map(len, table))
    hits: list[_Hit] = []
    i = 0
    while i < len(norm):
        for size in range(min(longest, len(norm) - i), 0, -1):
            label = table.get(norm[i : i + size])
            if label is not None:
                hits.append(_Hit(i, norm[i : i + size], label))
                i += size
                break
        else:
            i += 1
    return hits
