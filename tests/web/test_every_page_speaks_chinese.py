"""A crawl of every page each role can open after a seeded campaign (lists, details, forms, empty states and
error pages): no English word outside a short allow-list of terms a Chinese office uses as they are, and no 5xx.

Links are followed from each role's home page; GET forms are submitted once as they stand and once with a filter
that finds nothing. Attribute `title`s keep raw codes for support staff on purpose and are not read.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.model import Database
from dialer.services import services
from tests.web.crawling import ALLOWED, ENGLISH, HEX, Frontier, english_words
from tests.web.seed import Seeded, get, seed_campaign, sign_in


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
def campaign(app: Flask, database: Database) -> Seeded:
    """The seeded call plus two more customers, a closed case, callbacks open and done, and a plan to approve."""
    return seed_campaign(database, services(app).settings.recordings_dir)


def crawl(client: FlaskClient, start: str) -> dict[str, list[str]]:
    """Visit every page reachable from `start`; return {url: English words found}, failing on any 5xx."""
    frontier, found = Frontier(start), {}
    for url in frontier:
        resp = get(client, url)
        assert resp.status_code < 500, f"{url} → {resp.status_code}"
        if resp.status_code in (301, 302, 303) or resp.mimetype != "text/html":
            continue
        page = Page()
        page.feed(resp.get_data(as_text=True))
        words = english_words(" ".join(page.text), urlsplit(url).path)
        if words:
            found[url] = words
        for href in page.links:
            frontier.link(url, href)
        for action, fields in page.forms:
            frontier.form(url, action, fields)
    assert len(frontier.seen) >= 3, frontier.seen
    return found


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
