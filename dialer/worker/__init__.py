"""Background work beside the dialler: store recordings, ring agents that the console asked for."""

from dialer.worker.agents import ring_requested_agents
from dialer.worker.recordings import download_due_recordings

__all__ = ["download_due_recordings", "ring_requested_agents"]
