"""A crawl of every page each role can open after a seeded campaign (lists, details, forms, empty states and
error pages): no English word outside a short allow-list of terms a Chinese office uses as they are, and no 5xx.

Links are followed from each role's home page; GET forms are submitted once as they stand and once with a filter
that finds nothing. Attribute `title`s keep raw codes for support staff on purpose and are not read.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialer.model import AgentDial, Attempt, Callback, CaseStatus, Database, ImportBatch, ProblemCase
from dialer.services import services
from tests.web.followup_seed import add_follow_ups
from tests.web.seed import NOW, Seeded, get, seed, sign_in

ALLOWED = {
    "SHA",
    "ZIP",
    "Excel",
    "ID",
    "CSV",
    "csv",
    "IP",
    "PDF",
    "SIP",
    "Opus",
    "TwiML",
    "XLSX",
    "xlsx",
    "WAV",
    "MB",
    "KB",
    # Photo formats a receipt (回执) may be, and the file names' endings people see on their files.
    "JPEG",
    "PNG",
    "jpg",
    "png",
    "pdf",
}
SKIP = re.compile(r"/logout|/recordings/\d+|/clip$|\.zip$|\.csv|format=xlsx|/export\.xlsx")
ENGLISH = re.compile(r"[A-Za-z]{2,}")
HEX = re.compile(r"\b[0-9a-f]{8,}\b|\b[0-9a-f]{12}…")  # checksums and hash prefixes are shown as they are
# Login names are what an admin manages on the users page; everywhere else people appear by display name.
LOGINS = re.compile(r"\b(li_agent|zhao_sup|wang_qc|admin)\b")
# Pages another change is rewriting; their English is listed for it rather than fixed here.
ELSEWHERE = {
    "/admin/scripts": "the scripts pages show the scripts folder's path (versions pages rework them)"
}
TABS = {"view", "status", "dim"}  # arguments whose every value is a different page
LIMIT = 400  # pages per role: far more than the console has, so a crawl that never ends fails instead


class Page(HTMLParser):
    """The text a person reads on a page (not scripts, styles or titles), its links and its GET forms."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._skip = 0
        self._form: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "pre"):  # <pre>: folded raw payloads (TwiML, JSON) for support staff
            self._skip += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("method", "get").lower() == "get":
            self._form = (a.get("action", ""), {})
            self.forms.append(self._form)
        if tag in ("input", "select") and self._form is not None and a.get("name"):
            self._form[1][a["name"]] = a.get("value", "")
        for key in ("placeholder", "alt", "aria-label"):
            if a.get(key):
                self.text.append(a[key])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.text.append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre"):
            self._skip -= 1
        if tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


@pytest.fixture
def campaign(app: Flask, database: Database, seeded: Seeded) -> Seeded:
    """The seeded call plus two more customers, a closed case, callbacks open and done, and a plan to approve."""
    root = services(app).settings.recordings_dir
    li = seed(database, root, name="李四", phone="+8613912345678")
    seed(database, root, name="王五", phone="+8613700001111")
    with database.session() as s, s.begin():
        c = s.get_one(ProblemCase, li.case)
        c.status, c.cause, c.resolution, c.closed_at = CaseStatus.CLOSED, "其他", "已解释清楚。", NOW
        c.assignee_id = seeded.users["agent"]
        s.add(Callback(task_id=seeded.task, problem_case_id=seeded.case, reason="问题件二次回访（agent）",
                       assignee_id=seeded.users["agent"], due_at=NOW + timedelta(days=1)))  # fmt: skip
        s.add(Callback(task_id=li.task, reason="转人工无人接听", status="done", note="已回拨，客户满意。",
                       assignee_id=seeded.users["agent"], done_at=NOW))  # fmt: skip
        s.add(ImportBatch(filename="理赔名单.csv", sha256="0" * 64, task_type="claim", status="pending", rows=1,
                          imported=1, created_by="zhao_sup"))  # fmt: skip
        _agent_dial(s, seeded)
    add_follow_ups(database, root)  # the 机构自访 queue: one task waiting, one closed with its receipt
    return seeded


def _agent_dial(s: Session, seeded: Seeded) -> None:
    """An agent's own call (拨打, /dials/1) whose agent did not pick up."""
    a = Attempt(task_id=seeded.task, number=2, to_number="+8613812341234", script="new_policy", status="failed",
                outcome="error", placed_by_id=seeded.users["agent"], created_at=NOW, ended_at=NOW)  # fmt: skip
    s.add(a)
    s.flush()
    s.add(AgentDial(agent_id=seeded.users["agent"], task_id=seeded.task, attempt_id=a.id, status="agent_missed",
                    agent_phone="+8613900001111", requested_at=NOW, ended_at=NOW,
                    error="您的电话未接通（无人接听），未呼叫客户。请确认电话畅通后重新拨打。"))  # fmt: skip


def crawl(client: FlaskClient, start: str) -> dict[str, list[str]]:
    """Visit every page reachable from `start`; return {url: English words found}, failing on any 5xx."""
    seen: set[str] = set()
    shapes: set[tuple[str, frozenset[str]]] = (
        set()
    )  # one visit per page and set of arguments: the next day's,
    # page's or sort's twin adds nothing. Error pages too: a missing page, a missing record, a forbidden page.
    queue, found = (
        deque([start, "/no-such-page", "/cases/999999", "/admin/users", "/calls/1", "/dials/1"]),
        {},
    )
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        parts = urlsplit(url)
        args = parse_qsl(parts.query, keep_blank_values=True)
        shape = (parts.path, frozenset((k, v if k in TABS else "") for k, v in args if v))
        if url in seen or shape in shapes or SKIP.search(url):
            continue
        seen.add(url)
        shapes.add(shape)
        resp = get(client, url)
        assert resp.status_code < 500, f"{url} → {resp.status_code}"
        if resp.status_code in (301, 302, 303) or resp.mimetype != "text/html":
            continue
        page = Page()
        page.feed(resp.get_data(as_text=True))
        text = HEX.sub(" ", " ".join(page.text))
        if parts.path == "/admin/users":
            text = LOGINS.sub(" ", text)
        words = [w for w in ENGLISH.findall(text) if w not in ALLOWED]
        if words and parts.path not in ELSEWHERE:
            found[url] = sorted(set(words))
        for href in page.links:
            queue.append(_local(url, href))
        for action, fields in page.forms:
            target = _local(url, action or url)
            glue = "&" if "?" in target else "?"
            queue.append(target + glue + "&".join(f"{k}={v}" for k, v in fields.items() if k != "csrf_token"))
            queue.append(target + glue + "customer=没有这个客户&go=1")  # an empty state
    assert len(seen) < LIMIT, "the crawl did not end"
    assert len(seen) >= 3, seen
    return found


def _local(base: str, href: str) -> str:
    parts = urlsplit(urljoin(f"http://localhost{base}", href))
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.netloc == "localhost" else "/"


@pytest.mark.parametrize("role", ["agent", "supervisor", "compliance", "admin"])
def test_every_page_a_role_opens_is_plain_chinese(client: FlaskClient, campaign: Seeded, role: str) -> None:
    sign_in(client, role)
    found = crawl(client, "/")
    assert not found, "English where people read:\n" + "\n".join(f"{u}: {w}" for u, w in found.items())


def test_the_sign_in_page_and_errors_are_plain_chinese(client: FlaskClient, campaign: Seeded) -> None:
    found = crawl(client, "/login")
    assert not found, found


def test_the_reader_sees_english_in_text_and_placeholders_but_not_in_titles_or_checksums() -> None:
    page = Page()
    page.feed('<p>状态 queued</p><input placeholder="如 case:12"><span title="new_policy">新契约</span>'
              "<p>SHA-256 3f2a9c0e11aa</p><script>var x = 1;</script>")  # fmt: skip
    text = HEX.sub(" ", " ".join(page.text))
    assert [w for w in ENGLISH.findall(text) if w not in ALLOWED] == ["queued", "case"]
