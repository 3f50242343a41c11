"""Every page each role reaches from its home page, seen in chromium at 1366×768 after a seeded campaign.

Each page is saved as a full-page screenshot (test-artifacts/screenshots/<role>/NNN-<slug>.png) and checked as it
is rendered: no 5xx, no console error (a script error or a blocked resource), no English word in the text a person
reads (the same allow-list as the test-client crawl), nothing wider than the window, no broken image, and every
audio element's recording answers with audio. One seeding and one browser for the four roles; a route's pages are
visited at most PER_ROUTE times (the fifth case page shows nothing the third did not).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response
from werkzeug.exceptions import HTTPException

from dialer.ivr.versions import load_shipped
from dialer.model import Database
from dialer.reports import Month
from dialer.reports.quality import draw_month
from dialer.settings import PROJECT_ROOT
from tests.browser.conftest import ARTIFACTS, Shots, Site, serve, sign_in
from tests.web.crawling import Frontier, english_words, route
from tests.web.qa_calls import add_agent_calls
from tests.web.seed import NOW, PASSWORD, PERSONAS, Seeded, seed_campaign

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PER_ROUTE = 3
SCRIPTS = PROJECT_ROOT / "ivr_scripts"
VIEWPORT = {"width": 1366, "height": 768}
# What the page offers to follow: links, and GET forms with their fields as they stand.
OFFERS = """() => ({
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  forms: Array.from(document.querySelectorAll('form')).filter(f => (f.getAttribute('method') || 'get')
    .toLowerCase() === 'get').map(f => [f.getAttribute('action') || '',
    Object.fromEntries(Array.from(new FormData(f).entries()).filter(([, v]) => typeof v === 'string'))]),
})"""
# What a person would find wrong in the rendered page.
FAULTS = """() => {
  const width = document.documentElement.clientWidth, wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) {
      let p = el.parentElement, clipped = false;
      for (; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
      }
      if (!clipped) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    }
  }
  return {
    text: document.body.innerText,
    scrollWidth: document.documentElement.scrollWidth, width,
    wide: wide.slice(0, 5),
    // a box that hides part of what it holds behind a scroll bar (the menu, a table)
    hidden: Array.from(document.querySelectorAll('body *')).filter(el => el.scrollWidth > el.clientWidth + 1
      && ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX) && el.clientWidth > 0)
      .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')),
    images: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
    audio: Array.from(document.querySelectorAll('audio')).map(a => a.currentSrc || a.src
      || (a.querySelector('source') || {}).src || ''),
  };
}"""


@dataclass
class Visit:
    """What one role's crawl found wrong, page by page."""

    pages: int = 0
    problems: list[str] = field(default_factory=list)
    audio: set[str] = field(default_factory=set)

    def fault(self, url: str, what: str) -> None:
        self.problems.append(f"{url}: {what}")


def campaign_and_scripts(db: Database, root: Path) -> Seeded:
    """The seeded campaign on an installation whose shipped scripts are filed, as `dialer init` leaves it, with
    calls agents took and the month's quality-check sample drawn from them."""
    seeded = seed_campaign(db, root)
    add_agent_calls(db, root, seeded.users["agent"])
    with db.session() as s, s.begin():
        load_shipped(s, SCRIPTS, NOW)
        draw_month(s, Month.parse("2026-03"), ZoneInfo("Asia/Shanghai"), 3, PERSONAS["supervisor"][0])
    return seeded


@pytest.fixture(scope="module")
def campaign_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve(tmp_path_factory.mktemp("pages"), campaign_and_scripts, SCRIPTS) as site:
        yield site


def shots_for(role: str) -> Shots:
    folder = ARTIFACTS / role
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Shots(folder)


def slug(url: str) -> str:
    """Name a page's screenshot after its address: /cases/12?status=open → cases-12-status-open."""
    return re.sub(r"[^\w]+", "-", url).strip("-")[:80] or "home"


def visit(page: Page, site: Site, url: str, shots: Shots, seen: Visit, errors: list[str]) -> None:
    """Open one page, screenshot it, check it, and queue what it offers."""
    errors.clear()
    response = page.goto(site.url + url, wait_until="load")
    assert response is not None, url
    if response.status >= 500:
        seen.fault(url, f"HTTP {response.status}")
    final = urlsplit(page.url)
    if "text/html" not in response.headers.get("content-type", ""):
        return
    seen.pages += 1
    shots(page, slug(url))
    found = page.evaluate(FAULTS)
    for message in errors:
        seen.fault(url, f"console: {message}")
    words = english_words(found["text"], final.path)
    if words:
        seen.fault(url, f"English: {words}")
    if found["scrollWidth"] > found["width"] or found["wide"]:
        seen.fault(url, f"wider than the window ({found['scrollWidth']} > {found['width']}): {found['wide']}")
    if found["hidden"]:
        seen.fault(url, f"part of it behind a scroll bar: {found['hidden']}")
    for src in found["images"]:
        seen.fault(url, f"broken image {src}")
    seen.audio.update(src for src in found["audio"])
    if "" in found["audio"]:
        seen.fault(url, "an audio element without a recording")


def crawl(browser: Browser, site: Site, role: str) -> Visit:
    """Sign in as `role` and visit every page reachable from its home page."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        # A failed load is told by on_response: an error page's own 404 or 403 is what it should answer.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.url} answered {response.status}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    sign_in(page, site, PERSONAS[role][0], PASSWORD)
    routes = site.app.url_map.bind("127.0.0.1")  # type: ignore[union-attr]

    def route_of(path: str) -> str:  # the endpoint a path reaches: /admin/scripts/claim is scripts.show
        try:
            return str(routes.match(path, method="GET")[0])
        except HTTPException:
            return route(path)

    shots, seen = shots_for(role), Visit()
    frontier = Frontier(urlsplit(page.url).path, per_route=PER_ROUTE, route_of=route_of)
    try:
        for url in frontier:
            visit(page, site, url, shots, seen, errors)
            offers = page.evaluate(OFFERS)
            base = urlsplit(page.url)
            here = base.path + (f"?{base.query}" if base.query else "")
            for href in offers["links"]:
                frontier.link(here, href)
            for action, fields in offers["forms"]:
                frontier.form(here, action, fields)
        for src in sorted(seen.audio - {""}):
            answer = page.request.get(src, headers={"Range": "bytes=0-1023"})
            if answer.status not in (200, 206) or not answer.headers["content-type"].startswith("audio/"):
                seen.fault(src, f"audio answers {answer.status} {answer.headers.get('content-type')}")
    finally:
        context.close()
    reached = {route_of(urlsplit(u).path) for u in frontier.seen}
    assert len(reached) >= 5, reached
    return seen


@pytest.mark.parametrize("role", ["agent", "supervisor", "compliance", "admin"])
def test_every_page_a_role_reaches_looks_right_in_chromium(
    browser: Browser, campaign_site: Site, role: str
) -> None:
    seen = crawl(browser, campaign_site, role)
    assert seen.pages >= 5
    assert not seen.problems, f"{len(seen.problems)} problems on {seen.pages} pages:\n" + "\n".join(
        seen.problems
    )
    assert sorted(Path(ARTIFACTS / role).glob("*.png"))
