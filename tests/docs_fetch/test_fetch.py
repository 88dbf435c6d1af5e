"""fetch-docs against a loopback HTTP server serving Docusaurus-structured pages (tests/docs_fetch/site:
the articles of the five pages the spec names, in English and Chinese, inside one page layout).

The expected snapshot (tests/docs_fetch/expected) was written by hand from the fixtures; the fetched
snapshot must equal it byte for byte, say what the original scraper's pages of the same content say
(tests/docs_fetch/scraped, in that scraper's Markdown), and a failed or partial fetch must leave the old
snapshot as it was. The pages to fetch come from pages.yaml, not from the live spec."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator._paths import SPEC_PATH
from generator.docs_check._markdown import split_page
from generator.docs_check._model import DocHalf
from generator.docs_check._page import parse_operation_page
from generator.docs_check._response import parse_example
from generator.docs_check._wording import normal
from generator.docs_fetch import Fetcher, main
from generator.docs_fetch._fetch import fetch_snapshot

HERE = Path(__file__).parent
SITE = HERE / "site"
EXPECTED = HERE / "expected"
SCRAPED = HERE / "scraped"
PAGES = HERE / "pages.yaml"
FETCH_TIME = "2026-02-01T06:00:00.000000"
LAST_UPDATED = {
    "/docs/margin_trading/trade/Get-Small-Liability-Exchange-Coin-List": (
        '<span class="theme-last-updated">Last updated on <b><time datetime="2026-01-15T23:48:43.764Z"'
        ' itemprop="dateModified">Jan 15, 2026</time></b></span>'
    )
}


@dataclass
class Site:
    base_url: str = ""
    # path -> statuses to answer before the page (e.g. [503]); "broken" -> a page without an article
    faults: dict[str, list[int | str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)
    active: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, path: str) -> str | None:
        article = SITE / f"{path.lstrip('/')}.html"
        if not article.is_file():
            return None
        english = path.replace("/docs/zh-CN/", "/docs/")
        text = (SITE / "layout.html").read_text(encoding="utf-8")
        for key, value in {
            "@LANG@": "zh-CN" if "/zh-CN/" in path else "en",
            "@PATH@": path,
            "@EN_PATH@": english,
            "@ZH_PATH@": english.replace("/docs/", "/docs/zh-CN/", 1),
            "@DOC_ID@": english.removeprefix("/docs/"),
            "@TITLE@": english.rsplit("/", 1)[-1].replace("-", " "),
            "@LAST_UPDATED@": LAST_UPDATED.get(path, ""),
            "@ARTICLE@": article.read_text(encoding="utf-8"),
        }.items():
            text = text.replace(key, value)
        return text


@contextmanager
def serving(site: Site) -> Iterator[Site]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with site.lock:
                site.active += 1
                site.most_at_once = max(site.most_at_once, site.active)
                site.requests.append((self.path, self.headers.get("User-Agent", "")))
                pending = site.faults.get(self.path, [])
                fault = pending.pop(0) if pending else None
            try:
                body = site.page(self.path)
                if fault == "broken" and body is not None:
                    body = body.replace("theme-doc-markdown", "theme-doc-placeholder")
                status = fault if isinstance(fault, int) else 200 if body is not None else 404
                payload = (body if status == 200 and body else "<html><body>error</body></html>").encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(payload)
            finally:
                with site.lock:
                    site.active -= 1

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fetch(site: Site, out: Path, retries: int = 2) -> list[Path]:
    fetcher = Fetcher(site.base_url, timeout=10, retries=retries, pause=0.0)
    try:
        return fetch_snapshot(PAGES, out, fetcher, now=lambda: FETCH_TIME)
    finally:
        fetcher.close()


@pytest.fixture
def site() -> Iterator[Site]:
    with serving(Site()) as running:
        yield running


def test_the_fetched_snapshot_equals_the_expected_files(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    fetch(site, out)
    assert files(out) == files(EXPECTED)


def test_it_fetches_both_languages_of_every_page_the_spec_names_one_at_a_time(
    site: Site, tmp_path: Path
) -> None:
    fetch(site, tmp_path / "docs")
    paths = [path for path, _ in site.requests]
    assert len(paths) == 10 and len(set(paths)) == 10
    assert sum("/zh-CN/" in path for path in paths) == 5
    assert site.most_at_once == 1
    assert all(agent.startswith("binance-margin-fetch-docs/") for _, agent in site.requests)


def _says(half: DocHalf, file: Path) -> tuple[object, ...]:
    """What a half says, as the docs check reads it (no line numbers, no layout)."""
    weight = half.weight
    return (
        half.language,
        normal(half.name),
        half.security_type,
        [normal(block.text) for block in half.description],
        (half.method, half.path),
        (weight.value, weight.kind) if weight else None,
        [(p.name, p.type, p.mandatory, normal(p.description), p.listed) for p in half.params],
        sorted(normal(note.text) for note in half.notes),
        parse_example(half.example, file) if half.example else None,
    )


@pytest.mark.parametrize("name", sorted(p.relative_to(SCRAPED).as_posix() for p in SCRAPED.rglob("*.md")))
def test_a_fetched_page_says_what_the_scrapers_page_said(site: Site, tmp_path: Path, name: str) -> None:
    out = tmp_path / "docs"
    fetch(site, out)
    fetched, scraped = (
        parse_operation_page(split_page(out / name)),
        parse_operation_page(split_page(SCRAPED / name)),
    )
    assert fetched is not None and scraped is not None and fetched.chinese and scraped.chinese
    assert _says(fetched.english, out / name) == _says(scraped.english, SCRAPED / name)
    assert _says(fetched.chinese, out / name) == _says(scraped.chinese, SCRAPED / name)


def test_refetching_unchanged_pages_changes_no_byte(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    fetch(site, out)
    before = files(out)
    fetcher = Fetcher(site.base_url, timeout=10, retries=0, pause=0.0)
    fetch_snapshot(PAGES, out, fetcher, now=lambda: "2026-03-01T00:00:00.000000")
    fetcher.close()
    assert files(out) == before


def test_a_changed_page_gets_the_fetch_time(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    fetch(site, out)
    page = out / "margin_trading/trade/Small-Liability-Exchange.md"
    page.write_text(page.read_text(encoding="utf-8").replace("(UID)**", "(IP)**"), encoding="utf-8")
    fetcher = Fetcher(site.base_url, timeout=10, retries=0, pause=0.0)
    fetch_snapshot(PAGES, out, fetcher, now=lambda: "2026-03-01T00:00:00.000000")
    fetcher.close()
    assert "updated_at: 2026-03-01T00:00:00.000000\n" in page.read_text(encoding="utf-8")


def test_a_page_that_fails_once_is_retried(site: Site, tmp_path: Path) -> None:
    path = "/docs/zh-CN/margin_trading/trade/Margin-Manual-Liquidation"
    site.faults[path] = [503, 429]
    out = tmp_path / "docs"
    fetch(site, out)
    assert [p for p, _ in site.requests].count(path) == 3
    assert files(out) == files(EXPECTED)


@pytest.mark.parametrize(
    "fault",
    [[500, 500, 500], [404], ["broken"]],
    ids=["server errors beyond the retries", "page gone", "page without an article"],
)
def test_a_failed_or_partial_fetch_leaves_the_old_snapshot_intact(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: list[int | str]
) -> None:
    out = tmp_path / "docs"
    shutil.copytree(SPEC_PATH.parent / "docs", out)
    before = files(out)
    # The change log is fetched last: every other page was fetched before this one fails.
    site.faults["/docs/zh-CN/margin_trading/change-log"] = fault
    code = main([str(out), "--base-url", site.base_url, "--retries", "2", "--pause", "0", "--timeout", "10"])
    assert code == 1
    assert "is unchanged" in capsys.readouterr().err
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]  # no half-written snapshot beside it


def test_an_unreachable_site_leaves_the_old_snapshot_intact(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    shutil.copytree(SPEC_PATH.parent / "docs", out)
    before = files(out)
    with serving(Site()) as gone:
        url = gone.base_url  # a port that was just free and is closed again
    assert main([str(out), "--base-url", url, "--retries", "1", "--pause", "0", "--timeout", "2"]) == 1
    assert files(out) == before
