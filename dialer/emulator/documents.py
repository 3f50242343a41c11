"""TwiML documents: parsing and checking them, and the failures a verb can raise. A leaf of the emulator.

The interpreter (`twiml`) and the verbs that live elsewhere (`prompts`, `bridging`) all speak these.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialer.profiles import TWILIO, Profile

if TYPE_CHECKING:
    from dialer.emulator.twiml import Interpreter


class LeaveQueue(Exception):
    """`<Leave>` ran in a waitUrl document."""


class TwimlFailure(Exception):
    """A document could not be used; `code` is Twilio's error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Document:
    """A parsed TwiML document and the URL it came from (None for inline `Twiml`)."""

    url: str | None
    root: ET.Element


def parse(body: str, url: str | None, profile: Profile = TWILIO) -> Document:
    """Parse and check a TwiML document, or raise TwimlFailure(12100).

    Twilio checks every verb before running any; Somleng checks each verb only when it comes to it
    (`unsupported`), so the verbs before a bad one still run.
    """
    try:
        root = ET.fromstring(body.strip().encode("utf-8"))
    except ET.ParseError as exc:
        raise TwimlFailure(12100, f"Document parse failure: not XML ({exc})") from exc
    if root.tag != "Response":
        raise TwimlFailure(12100, f"Document parse failure: root element is <{root.tag}>, not <Response>")
    if profile.validates_whole_document:
        for verb in root:
            problem = unsupported(verb, profile)
            if problem:
                raise TwimlFailure(12100, f"Document parse failure: {problem}")
    return Document(url, root)


def unsupported(verb: ET.Element, profile: Profile) -> str | None:
    """Return why the profile cannot run this verb (unknown, or a child it does not allow), or None."""
    if verb.tag not in profile.verbs:  # the profile is the one list of what a provider runs
        return f"unknown verb <{verb.tag}>"
    nested: dict[str, frozenset[str]] = {"Gather": profile.gather_children, "Dial": profile.dial_nouns}
    allowed = nested.get(verb.tag, frozenset())
    for child in verb:
        if child.tag not in allowed:
            return f"<{child.tag}> cannot be nested in <{verb.tag}>"
    return None


# A verb: run one element of a document; return the next document when the verb moves on to one.
Verb = Callable[["Interpreter", ET.Element, Document], "Document | None"]
Verbs = Mapping[str, Verb]
