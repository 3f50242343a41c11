"""Background work beside the dialler: store recordings, ring the agents escalations ask for, end the calls
a machine answered."""

from dialer.worker.agents import ring_requested_agents
from dialer.worker.machines import hang_up_machines
from dialer.worker.recordings import download_due_recordings

__all__ = ["download_due_recordings", "hang_up_machines", "ring_requested_agents"]
