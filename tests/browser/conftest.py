"""A real chromium (Debian's, driven by Playwright) against the app served on 127.0.0.1 with seeded data."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.model import Database, migrate
from dialer.services import services
from dialer.settings import Settings
from tests.web.seed import NOW, Seeded, seed

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass
class Site:
    url: str
    db: Database
    seeded: Seeded
    root: Path
    app: Flask | None = None


@dataclass
class Shots:
    """Full-page screenshots of each page a test visits, numbered in order."""

    folder: Path
    n: int = 0
    taken: list[Path] = field(default_factory=list)

    def __call__(self, page: object, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:03d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        self.taken.append(path)
        return path


@contextmanager
def serve(
    root: Path, fill: Callable[[Database, Path], Seeded] = seed, scripts: Path | None = None
) -> Iterator[Site]:
    """Serve the app on a fresh database under `root`, filled by `fill`, with werkzeug in a thread."""
    settings = Settings(database_url=f"sqlite:///{root / 'dialer.sqlite3'}", recordings_dir=root / "rec",
                        var_dir=root / "var", scripts_dir=scripts or root / "scripts", secret_key="browser-test")  # fmt: skip
    app = create_app(settings, clock=FixedClock(NOW))
    db = services(app).db
    migrate(db)
    seeded = fill(db, settings.recordings_dir)
    try:
        with running(app) as url:
            yield Site(url, db, seeded, settings.recordings_dir, app)
    finally:
        db.dispose()


@contextmanager
def running(app: Flask) -> Iterator[str]:
    """Serve `app` with werkzeug in a thread on a free port of 127.0.0.1; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """Serve the app with werkzeug in a thread; yield its base URL and the seeded ids."""
    with serve(tmp_path) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        # A Chinese desktop's chromium: date fields read 年/月/日 (the zh-CN strings come with chromium-l10n);
        # LANG stays a locale every machine has, or downloads lose their Chinese names.
        chinese = {**os.environ, "LANG": "C.UTF-8", "LANGUAGE": "zh_CN:zh"}
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, env=chinese)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 800}, locale="zh-CN", accept_downloads=True
    )  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    name = re.sub(r"[^\w\-]", "_", request.node.name)
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Shots(folder)


def sign_in(page: object, site: Site | str, username: str, password: str) -> None:
    """Fill the sign-in form of `site` (or of the app at this base URL) and submit it."""
    base = site if isinstance(site, str) else site.url
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
