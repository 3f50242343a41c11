"""Every spoken answer is a `<Record>` that ends after DIALER_RECORD_TIMEOUT seconds of silence (3 by default)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dialer.settings import Settings
from tests.call.conftest import name_of
from tests.call.line import Line


def test_each_record_waits_the_tuned_silence(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("all_yes"))
    assert attempt.call_sid is not None
    records = [el for d in campaign.documents(attempt.call_sid) for el in ET.fromstring(d).iter("Record")]
    assert len(records) >= 15  # the identity question and the fourteen questions of a new policy
    assert {r.get("timeout") for r in records} == {str(Settings().record_timeout)} == {"3"}
