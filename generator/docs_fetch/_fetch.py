"""Fetching the pages (politely) and swapping the new snapshot in (atomically)."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import httpx

from .._spec import load_spec, operations
from ..docs_check import UnreadableInput, is_change_log, parse_operation_page, split_page
from ._convert import PageError, convert

DOCS_HOST = "https://developers.binance.com"
_DOCS = "/docs/"
_RETRIED = {429, 500, 502, 503, 504}
_MAX_RETRY_AFTER = 60.0


class FetchError(Exception):
    """A page that could not be fetched or read."""


def _user_agent() -> str:
    try:
        version = metadata.version("binance-margin")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"binance-margin-fetch-docs/{version} (keeps a client's spec in step with the docs; httpx)"


class Fetcher:
    """One request at a time, with a timeout, a pause between requests and a few retries."""

    def __init__(
        self,
        base_url: str = DOCS_HOST,
        timeout: float = 30.0,
        retries: int = 3,
        pause: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.pause = pause
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=timeout, headers={"User-Agent": _user_agent()}, follow_redirects=True
        )
        self._requests = 0

    def get(self, path: str) -> str:
        """The page at `path` (below the base URL) as text."""
        url = f"{self.base_url}{path}"
        for attempt in range(self.retries + 1):
            if self._requests:
                self._sleep(self.pause)
            self._requests += 1
            wait = self.pause * 2**attempt
            try:
                response = self._client.get(url)
            except httpx.HTTPError as error:
                problem = f"{url}: {type(error).__name__}: {error}"
            else:
                if response.status_code == 200:
                    return response.text
                problem = f"{url}: HTTP {response.status_code}"
                if response.status_code not in _RETRIED:
                    break
                wait = max(wait, _retry_after(response))
            if attempt < self.retries:
                self._sleep(wait)
        raise FetchError(problem)

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "0")), 0.0), _MAX_RETRY_AFTER)
    except ValueError:
        return 0.0


def page_urls(spec_file: Path) -> list[str]:
    """Every page the spec names: the operations' doc pages, then the change logs."""
    spec = load_spec(spec_file)
    urls = [str(op["x-binance-doc"]["url"]) for _, _, _, op in operations(spec) if "x-binance-doc" in op]
    urls += [str(url) for url in spec["info"].get("x-binance-change-logs", [])]
    return list(dict.fromkeys(urls))


def _docs_path(url: str) -> str:
    """The page's path on the docs site (`/docs/margin_trading/...`)."""
    start = url.find(_DOCS)
    if start < 0:
        raise FetchError(f"{url} is not a Binance doc page (no {_DOCS} in it)")
    return url[start:].rstrip("/")


def _chinese(path: str) -> str:
    """The zh-CN page of a docs path."""
    return path.replace(_DOCS, f"{_DOCS}zh-CN/", 1)


def _is_change_log_url(url: str) -> bool:
    return url.rstrip("/").endswith("/change-log")


def snapshot_name(url: str) -> str:
    """Where a page lives in the snapshot: its path below /docs/, as a Markdown file."""
    return _docs_path(url)[len(_DOCS) :] + ".md"


def _front_matter(url: str, api_type: str, updated_at: str) -> str:
    return f"---\nexchange: binance\nsource_url: {url}\napi_type: {api_type}\nupdated_at: {updated_at}\n---\n"


def _previous(page: Path) -> tuple[str, str, str] | None:
    """(api_type, updated_at, body) of the page in the old snapshot, if it has one."""
    if not page.is_file():
        return None
    text = page.read_text(encoding="utf-8")
    parts = text.split("\n---\n", 1)
    if not text.startswith("---\n") or len(parts) != 2:
        return None
    fields = dict(line.split(": ", 1) for line in parts[0][4:].split("\n") if ": " in line)
    return fields.get("api_type", ""), fields.get("updated_at", ""), parts[1]


def render_page(url: str, english: str, chinese: str, old: Path, now: Callable[[], str]) -> str:
    """One snapshot page. Its `updated_at` is the old snapshot's when the text is unchanged (an
    unchanged page changes nothing), else the page's own "Last updated" time, else the fetch time."""
    path = _docs_path(url)
    en = convert(english, path)
    zh = convert(chinese, _chinese(path))
    body = f"\n{en.markdown}\n\n---\n\n{zh.markdown}\n"
    previous = _previous(old)
    api_type = previous[0] if previous and previous[0] else ("REST" if _is_change_log_url(url) else "Trading")
    if previous is not None and previous[2] == body:
        updated_at = previous[1]
    else:
        updated_at = max(filter(None, (en.last_updated, zh.last_updated)), default=None) or now()
    return _front_matter(url, api_type, updated_at) + body


def _check_readable(page: Path, url: str) -> None:
    try:
        split = split_page(page)
        if split.chinese is None:
            raise FetchError(f"{url}: the Chinese page has no Chinese title")
        if not _is_change_log_url(url) and parse_operation_page(split) is None:
            raise FetchError(f"{url}: no HTTP request section: not an operation page")
        if _is_change_log_url(url) and not is_change_log(split):
            raise FetchError(f"{url}: not read as a change log")
    except UnreadableInput as error:
        raise FetchError(f"{url}: {error.reason} (line {error.line})") from error


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def fetch_snapshot(
    spec_file: Path, out_dir: Path, fetcher: Fetcher, now: Callable[[], str] = _now
) -> list[Path]:
    """Fetch every page into a new directory beside `out_dir`, check each reads as a doc page, then
    swap it in. Raises FetchError (and leaves `out_dir` as it was) when any page fails."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.fetching-", dir=out_dir.parent))
    try:
        written = []
        for url in page_urls(spec_file):
            path = _docs_path(url)
            english = fetcher.get(path)
            chinese = fetcher.get(_chinese(path))
            name = snapshot_name(url)
            try:
                text = render_page(url, english, chinese, out_dir / name, now)
            except PageError as error:
                raise FetchError(f"{url}: {error}") from error
            page = fresh / name
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
            _check_readable(page, url)
            written.append(out_dir / name)
        _swap(fresh, out_dir)
        return written
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _swap(fresh: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `fresh` with two renames (the old one is kept until the new one is in)."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    try:
        fresh.rename(out_dir)
    except OSError:
        if old.exists():
            old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
