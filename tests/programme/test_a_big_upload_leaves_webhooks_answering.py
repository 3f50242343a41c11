"""While a 100,000-row list is imported from the upload page on SQLite, the gateway's signed status webhooks
keep being answered, none with a 5xx, and none waits for SQLite's write lock: the web app is given no patience
for it at all (a busy timeout of 0), so a webhook that found the lock taken by the import would fail with
"database is locked". The import takes turns with the web app's connections instead (dialer.model.turns).
The import runs in the background and the plan's page shows its progress. How long the webhooks wait is
printed here and measured by tests/benchmarks/bench_webhooks_during_import.py, not asserted."""

from __future__ import annotations

import re
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from dialer.app import create_app
from dialer.gateway.signature import compute_signature
from dialer.model import Attempt, Customer, ImportBatch, Task, TaskStatus, migrate, open_database
from dialer.model.users import create_user
from dialer.services import services
from dialer.settings import Settings
from tests.serving import serving

ROWS = 100_000
CALLS = 1000
PASSWORD = "correct horse battery staple 42"
STATUSES = ("initiated", "ringing", "in-progress")
BASELINE = 100


def seed(settings: Settings) -> list[str]:
    """A supervisor, and calls in flight whose status callbacks the gateway will send; return their CallSids."""
    db = open_database(settings.database_url)
    migrate(db)
    now = datetime.now(UTC)
    sids = [f"CA{i:032x}" for i in range(CALLS)]
    with db.session() as s, s.begin():
        create_user(s, "zhao_sup", "supervisor", PASSWORD, display_name="赵主管")
        for i, sid in enumerate(sids):
            c = Customer(name=f"在呼客户{i}", phone=f"+86137{i:08d}", timezone="Asia/Shanghai")
            t = Task(customer=c, type="claim", script="claim", event_at=now, earliest_at=now, status=TaskStatus.DIALLING,
                     next_attempt_at=now, deadline_at=now + timedelta(days=3))  # fmt: skip
            s.add(Attempt(task=t, number=1, to_number=c.phone, script="claim", status="queued", call_sid=sid,
                          placed_at=now))  # fmt: skip
    db.dispose()
    return sids


def write_list(path: Path) -> Path:
    lines = ["姓名,手机,结案日期,营业部"] + [f"客户{i},138{i:08d},2026-11-20,城东营业部" for i in range(ROWS)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


class Gateway(threading.Thread):
    """Send signed status callbacks one after another until stopped, timing each reply."""

    def __init__(self, base: str, settings: Settings, sids: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.settings, self.sids = base, settings, sids
        self.stop = threading.Event()
        self.importing = threading.Event()
        self.baseline: list[tuple[int, float]] = []  # before the upload: the same machine, no import
        self.replies: list[tuple[int, float]] = []

    def run(self) -> None:
        http = requests.Session()
        callbacks = ((sid, seq, status) for seq, status in enumerate(STATUSES) for sid in self.sids)
        for sid, seq, status in callbacks:
            if self.stop.is_set():
                return
            if len(self.baseline) >= BASELINE and not self.importing.is_set():
                self.importing.wait()
            form = {"CallSid": sid, "CallStatus": status, "SequenceNumber": str(seq),
                    "AccountSid": self.settings.twilio_account_sid}  # fmt: skip
            signature = compute_signature(
                f"{self.settings.public_url}/ivr/status", form, self.settings.twilio_auth_token
            )
            started = time.monotonic()
            reply = http.post(f"{self.base}/ivr/status", data=form, headers={"X-Twilio-Signature": signature},
                              timeout=30)  # fmt: skip
            timing = (reply.status_code, time.monotonic() - started)
            (self.replies if self.importing.is_set() else self.baseline).append(timing)


def sign_in(http: requests.Session, base: str) -> None:
    token = csrf(http, f"{base}/login")
    reply = http.post(
        f"{base}/login", data={"username": "zhao_sup", "password": PASSWORD, "csrf_token": token}
    )
    assert reply.status_code == 200 and "退出" in reply.text, reply.text[:500]


def csrf(http: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get(url).text)
    assert found is not None
    return found.group(1)


def plan_status(settings: Settings) -> tuple[str, int]:
    db = open_database(settings.database_url)
    with db.session() as s:
        plan = s.scalars(select(ImportBatch)).one()
        found = (plan.status, plan.imported)
    db.dispose()
    return found


def run_upload(tmp_path: Path, *, busy_timeout: float | None = None) -> Gateway:
    """Upload the big list while the gateway sends callbacks; return the gateway with its timed replies.

    With `busy_timeout` the web app's SQLite connections wait that long for the write lock (0: not at all).
    """
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'dialer.sqlite3'}", var_dir=tmp_path / "var",
                        recordings_dir=tmp_path / "recordings", secret_key="s" * 32)  # fmt: skip
    sids = seed(settings)
    big = write_list(tmp_path / "理赔名单.csv")
    app = create_app(settings)
    if busy_timeout is not None:
        svc = services(app)
        svc.db.dispose()
        svc.db = open_database(settings.database_url, connect_args={"timeout": busy_timeout})
    with serving(app) as base:
        http = requests.Session()
        sign_in(http, base)
        token = csrf(http, f"{base}/admin/upload")
        gateway = Gateway(base, settings, sids)
        gateway.start()
        while len(gateway.baseline) < BASELINE:
            time.sleep(0.1)
        with big.open("rb") as fh:
            reply = http.post(f"{base}/admin/upload", data={"type": "claim", "csrf_token": token},
                              files={"file": (big.name, fh, "text/csv")}, allow_redirects=False)  # fmt: skip
        gateway.importing.set()  # after the upload's own writes: from here on the import is the other writer
        assert reply.status_code == 302 and "/admin/plans/1" in reply.headers["Location"]
        page = http.get(f"{base}/admin/plans/1").text
        assert "正在导入" in page or "待审批" in page
        deadline = time.monotonic() + 900
        while plan_status(settings)[0] == "loading" and time.monotonic() < deadline:
            time.sleep(0.5)
        gateway.stop.set()
        gateway.join(timeout=60)
        assert "待审批" in http.get(f"{base}/admin/plans/1").text
    assert plan_status(settings) == ("pending", ROWS)
    return gateway


def test_webhooks_keep_answering_during_a_100k_row_upload(tmp_path: Path) -> None:
    gateway = run_upload(tmp_path, busy_timeout=0)
    busy = sorted(seconds for _, seconds in gateway.replies)
    print(f"\n{len(busy)} webhooks during the import: median {statistics.median(busy):.3f} s, "
          f"slowest {busy[-1]:.3f} s; before it: slowest {max(s for _, s in gateway.baseline):.3f} s")  # fmt: skip
    codes = [code for code, _ in gateway.replies]
    assert len(codes) >= 50, "the import ended before the gateway had sent enough callbacks to tell"
    assert all(code == 200 for code in codes), sorted(set(codes))
