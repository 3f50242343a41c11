"""Turns at SQLite's one write lock between a bulk writer (a list import) and everyone else.

SQLite's own busy handler polls: a writer that finds the lock taken sleeps, up to 100 ms between tries, and a
bulk writer that takes the lock again just after committing can win it time after time while a webhook keeps
sleeping (measured: webhooks waited 0.7–2.3 s during a 100,000-row import). So on SQLite a connection about to
write takes a shared lock on a file beside the database and holds it until it goes back to its pool, and a bulk
writer takes that lock exclusively instead: it writes only when no other connection is writing, and pauses after
each transaction. A webhook that comes while an import's transaction writes waits on the file lock, which the
kernel hands over the moment that transaction ends; it never waits inside SQLite for the write lock. Reading
takes no turn: SQLite's WAL lets readers read alongside a writer.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from dialer.errors import DialerError

PAUSE = 0.01  # after each bulk transaction: time for the connections woken by its end to take their turn
POLL = 0.002  # how often a bulk writer looks again for a moment when no other connection is writing
PATIENCE = 300.0  # a bulk writer that finds no such moment for this long gives up
FD = "turns_fd"
HELD = "turns_held"


class NoTurn(DialerError):
    """A bulk writer waited too long for the other connections to let it write."""


def turns_path(database: Path) -> Path:
    """Return the lock file that the connections to `database` take turns on."""
    return database.with_name(database.name + ".turns")


def take_turns(engine: Engine, database: Path, *, bulk: bool) -> None:
    """Make `engine`'s connections take turns with other processes' on `database` (see the module's docstring)."""
    path = str(turns_path(database))

    def opened(_dbapi: Any, record: Any) -> None:
        record.info[FD] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def before_statement(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(HELD) or _reads(statement):
            return
        if bulk:
            _exclusive(info[FD])
        else:
            fcntl.flock(
                info[FD], fcntl.LOCK_SH
            )  # waits only while a bulk transaction runs; woken when it ends
        info[HELD] = True

    def checked_in(_dbapi: Any, record: Any) -> None:
        if record.info.pop(HELD, False):
            fcntl.flock(record.info[FD], fcntl.LOCK_UN)
            if bulk:
                time.sleep(PAUSE)

    def closed(_dbapi: Any, record: Any) -> None:
        record.info.pop(HELD, None)
        fd = record.info.pop(FD, None)
        if fd is not None:
            os.close(fd)  # closing lets go of any lock it held

    event.listen(engine, "connect", opened)
    event.listen(engine, "before_cursor_execute", before_statement)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "close", closed)


def _reads(statement: str) -> bool:
    """Return whether a statement only reads: it then needs no turn (SQLite's WAL lets readers read alongside)."""
    return statement.lstrip()[:6].upper() in ("SELECT", "PRAGMA")


def _exclusive(fd: int) -> None:
    """Take the lock alone, looking again every POLL until PATIENCE runs out."""
    give_up = time.monotonic() + PATIENCE
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise NoTurn(
                    f"数据库在 {PATIENCE:.0f} 秒内一直被其他连接占用，导入无法写入。请稍后重试；"
                    "如果一直如此，请检查是否有长时间未结束的操作。"
                ) from None
            time.sleep(POLL)
