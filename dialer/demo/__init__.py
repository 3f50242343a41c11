"""`dialer demo`: a whole campaign on the embedded defaults, in simulated time, with a summary at the end."""

from dialer.demo.summary import DemoSummary, summarise

__all__ = ["DemoSummary", "summarise"]
