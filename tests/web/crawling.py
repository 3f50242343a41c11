"""What a crawl of the console reads as English: shared by the test-client crawl and the browser crawl."""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

# Terms a Chinese office uses as they are.
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
    "TOML",
    # Photo formats a receipt (回执) may be, and the file names' endings people see on their files.
    "JPEG",
    "PNG",
    "jpg",
    "png",
    "pdf",
}
# Downloads, recordings and the sign-out: not pages to read.
SKIP = re.compile(r"/logout|/recordings/\d+|/clip$|\.zip$|\.docx$|\.csv|format=xlsx|/export\.xlsx")
ENGLISH = re.compile(r"[A-Za-z]{2,}")
HEX = re.compile(r"\b[0-9a-f]{8,}\b|\b[0-9a-f]{12}…")  # checksums and hash prefixes are shown as they are
# Login names are what an admin manages on the users page; everywhere else people appear by display name.
LOGINS = re.compile(r"\b(li_agent|zhao_sup|wang_qc|admin|zhou_agent)\b")
# Pages another change is rewriting; their English is listed for it rather than fixed here.
ELSEWHERE = {
    "/admin/scripts": "the scripts pages show the scripts folder's path (versions pages rework them)"
}
TABS = {"view", "status", "dim"}  # arguments whose every value is a different page
# Where every crawl also goes: a missing page, a missing record, a page a role may not open.
ERROR_PAGES = ("/no-such-page", "/cases/999999", "/admin/users", "/calls/1", "/dials/1")
LIMIT = 400  # pages per role: far more than the console has, so a crawl that never ends fails instead
EMPTY_FILTER = "customer=没有这个客户&go=1"  # a filter that finds nothing: the list's empty state


def english_words(text: str, path: str) -> list[str]:
    """Return the English words a person would read in `text`, the visible text of the page at `path`."""
    if path in ELSEWHERE:
        return []
    text = HEX.sub(" ", text)
    if path == "/admin/users":
        text = LOGINS.sub(" ", text)
    return sorted({w for w in ENGLISH.findall(text) if w not in ALLOWED})


def route(path: str) -> str:
    """Return the route a path belongs to: /cases/12 and /cases/13 are one route."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


class Frontier:
    """The pages a crawl still has to visit, from a start page and the error pages.

    Each page and set of arguments is visited once (the next day's, page's or sort's twin adds nothing), and at
    most `per_route` pages of one route when that is given.
    """

    def __init__(
        self, start: str, per_route: int | None = None, route_of: Callable[[str], str] = route
    ) -> None:
        self.queue = deque([start, *ERROR_PAGES])
        self.per_route, self.route_of = per_route, route_of
        self.seen: set[str] = set()
        self.shapes: set[tuple[str, frozenset[tuple[str, str]]]] = set()
        self.routes: Counter[str] = Counter()

    def __iter__(self) -> Iterator[str]:
        while self.queue and len(self.seen) < LIMIT:
            url = self.queue.popleft()
            parts = urlsplit(url)
            args = parse_qsl(parts.query, keep_blank_values=True)
            shape = (parts.path, frozenset((k, v if k in TABS else "") for k, v in args if v))
            full = self.per_route is not None and self.routes[self.route_of(parts.path)] >= self.per_route
            if url in self.seen or shape in self.shapes or SKIP.search(url) or full:
                continue
            self.seen.add(url)
            self.shapes.add(shape)
            self.routes[self.route_of(parts.path)] += 1
            yield url
        assert len(self.seen) < LIMIT, "the crawl did not end"

    def link(self, base: str, href: str) -> None:
        """Queue a link found on the page at `base`."""
        self.queue.append(local(base, href))

    def form(self, base: str, action: str, fields: dict[str, str]) -> None:
        """Queue a GET form found on `base`: once as it stands, once with a filter that finds nothing."""
        target = local(base, action or base)
        glue = "&" if "?" in target else "?"
        self.queue.append(
            target + glue + "&".join(f"{k}={v}" for k, v in fields.items() if k != "csrf_token")
        )
        self.queue.append(target + glue + EMPTY_FILTER)


def local(base: str, href: str) -> str:
    """Return `href`, found on the page at `base`, as a path on this site ("/" for any other site)."""
    parts = urlsplit(urljoin(f"http://localhost{base}", href))
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.netloc == "localhost" else "/"
