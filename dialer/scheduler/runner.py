"""`dialer scheduler`: one APScheduler BlockingScheduler running `tick()` on an interval until SIGTERM."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from dialer.clock import Clock
from dialer.scheduler.tick import Dialer

log = logging.getLogger("dialer.scheduler")
URGENT_SECONDS = 1.0


class _SkipOverlapNotice(logging.Filter):
    """Drop APScheduler's warning that a pass was skipped because the previous one still runs: expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


class ShiftedClock:
    """A clock that starts at a pretended instant and then runs at the wall clock's pace (emulator only)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def run_scheduler(
    dialer: Dialer,
    clock: Clock,
    interval: float,
    background: Sequence[Callable[[], object]] = (),
    urgent: Sequence[Callable[[], object]] = (),
) -> None:
    """Tick every `interval` seconds; on SIGTERM or SIGINT place nothing more, release claims, and stop.

    `background` jobs (storing recordings) run on the same interval in a job of their own, so a slow
    download never delays dialling. `urgent` jobs (ringing the agents a waiting caller or the console asked
    for) run every URGENT_SECONDS in another job, so a caller never waits behind a download.
    """
    scheduler = BlockingScheduler(timezone="UTC")
    logging.getLogger("apscheduler.scheduler").addFilter(_SkipOverlapNotice())

    def job() -> None:
        try:
            report = dialer.tick(clock.now())
        except Exception:  # one bad pass must not stop the dialler; the next pass tries again
            log.exception("tick failed")
            return
        if report.calls or report.recovered:
            log.info("tick: %d call(s), %d recovered, skipped %s", len(report.calls), report.recovered,
                     dict(report.skipped))  # fmt: skip

    scheduler.add_job(job, "interval", seconds=interval, id="tick", max_instances=1, coalesce=True,
                      next_run_time=datetime.now().astimezone())  # fmt: skip

    work = _guarded(dialer, background)

    if background:
        scheduler.add_job(work, "interval", seconds=interval, id="worker", max_instances=1, coalesce=True,
                          next_run_time=datetime.now().astimezone())  # fmt: skip
    if urgent:
        scheduler.add_job(_guarded(dialer, urgent), "interval", seconds=min(interval, URGENT_SECONDS),
                          id="urgent", max_instances=1, coalesce=True)  # fmt: skip

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the current call", signum)
        dialer.stopping.set()  # the running pass releases the claims it has not placed yet
        scheduler.shutdown(wait=True)  # the job runs in a pool thread: wait for it to return

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s started: a pass every %.1f s", dialer.worker, interval)
    scheduler.start()
    log.info("scheduler %s stopped", dialer.worker)


def _guarded(dialer: Dialer, jobs: Sequence[Callable[[], object]]) -> Callable[[], None]:
    """Return one job that runs `jobs` in turn; a failure is logged and retried on the next pass."""

    def work() -> None:
        for job_fn in jobs:
            if dialer.stopping.is_set():
                return
            try:
                job_fn()
            except Exception:  # a failed download or agent call is retried on the next pass
                log.exception("background job %s failed", getattr(job_fn, "__name__", job_fn))

    return work
