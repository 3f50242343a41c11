"""A Twilio-compatible gateway emulator that really plays calls, with real audio.

Use `run_emulator(settings, personas=None, speed=20.0, port=0, data_dir=tmp)` as a context manager in
tests and demos, or `dialer emulator` in the foreground.
"""

from dialer.emulator.server import Emulator, build_emulator, run_emulator

__all__ = ["Emulator", "build_emulator", "run_emulator"]
