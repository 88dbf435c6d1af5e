"""`python -m generator fetch-docs OUT_DIR`: the snapshot of every doc page the spec names.

For each operation's `x-binance-doc.url` and each `info.x-binance-change-logs` page it fetches the
English and the Chinese (zh-CN) page, one request at a time, and writes one snapshot page: front
matter, the English article, `---`, the Chinese article (see docs/docs-check.md). Nothing is written
to OUT_DIR until every page was fetched and reads as a doc page: the new snapshot is built beside it
and swapped in. Exit codes: 0 written, 1 a page could not be fetched or read (OUT_DIR untouched).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._paths import SPEC_PATH
from ._fetch import DOCS_HOST, Fetcher, FetchError, fetch_snapshot

__all__ = ["DOCS_HOST", "FetchError", "Fetcher", "fetch_snapshot", "main"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator fetch-docs",
        description="Fetch Binance's doc pages the spec names (English and Chinese) into OUT_DIR.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="the snapshot directory to write")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the spec that names the pages")
    parser.add_argument("--base-url", default=DOCS_HOST, help=f"where to fetch from (default {DOCS_HOST})")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument(
        "--retries", type=int, default=3, help="retries per page on a 429, 5xx or network error"
    )
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between requests (default 1)")
    options = parser.parse_args(argv)
    fetcher = Fetcher(options.base_url, options.timeout, options.retries, options.pause)
    try:
        written = fetch_snapshot(options.spec, options.out_dir, fetcher)
    except FetchError as error:
        print(f"fetch-docs: {error}; {options.out_dir} is unchanged", file=sys.stderr)
        return 1
    finally:
        fetcher.close()
    print(f"fetch-docs: wrote {len(written)} pages to {options.out_dir}")
    return 0
