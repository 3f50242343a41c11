"""The gateway (the emulator's process) is killed with calls in progress and brought back on the same port.

The calls it had are gone with it. Recovery asks the gateway about each claimed task whose check time came:
the gateway no longer knows the call (404), so the attempt is closed as failed and the task waits for its next
attempt by the policy; nothing is dialled twice and nothing stays "in flight" that the gateway is not carrying.
"""

from __future__ import annotations

from sqlalchemy import select

from dialer.model import Attempt
from tests.faults.conftest import Campaign
from tests.faults.harness import settle, tally
from tests.scheduler.helpers import phones, wait_for


def test_calls_in_progress_when_the_gateway_dies_are_reconciled_once_it_is_back(campaign: Campaign) -> None:
    ids = campaign.seed(phones("+86135", 4) + phones("+86137", 2))
    campaign.start_scheduler()

    def talking() -> bool:
        return sum(c["status"] == "in-progress" for c in campaign.gateway.calls()) >= 3

    wait_for(talking, timeout=60, what="three calls in progress")
    campaign.gateway.kill()
    killed = {sid for sid, c in campaign.gateway.seen.items() if c["status"] not in ("completed", "busy")}
    campaign.gateway.start()  # the same port, no memory of the calls it had

    settle(campaign.db, campaign.gateway, ids, recordings=False)
    with campaign.db.session() as s:
        closed = list(s.scalars(select(Attempt).where(Attempt.call_sid.in_(killed))))
    # A call may have ended in the moment between the last look and the kill; the others died with the gateway.
    reconciled = [a for a in closed if (a.status, a.outcome) == ("failed", "failed")]
    assert len(reconciled) >= 2, [(a.call_sid, a.status, a.outcome) for a in closed]
    result = tally(campaign.db, campaign.gateway, ids, killed_calls=killed)
    result.show(f"gateway killed mid-call, {len(killed)} calls with it, "
                f"{'PostgreSQL' if campaign.db.is_postgres else 'SQLite'}")  # fmt: skip
    result.assert_whole()
    assert result.recordings_missing == 0  # every call that ended before the kill kept its recording
