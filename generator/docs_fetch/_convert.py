"""One Docusaurus page (developers.binance.com) as the snapshot's Markdown, by markdownify.

Only the article's Markdown body is kept (no navigation, table of contents, edit links or pager).
Two Docusaurus habits are undone: a heading's hash link keeps the page's path and its title
(`[](/docs/page#anchor "Direct link to …")`, as the snapshot has always had them), and a code block's
Prism lines (one `<span>` and `<br>` per line) become plain lines in a fenced block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter


class PageError(Exception):
    """A page that is not a doc page: the fetch stops and keeps the old snapshot."""


@dataclass(frozen=True)
class Article:
    markdown: str
    last_updated: str | None  # the page's "Last updated" time, when it shows one


class _Converter(MarkdownConverter):
    def __init__(self, page_path: str) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="*",
            escape_underscores=False,
            escape_asterisks=False,
            escape_misc=False,
        )
        self.page_path = page_path

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "hash-link" in (el.get("class") or []):
            title = str(el.get("title", "")).replace('"', '\\"')
            return f'[]({self.page_path}{el.get("href", "")} "{title}")'
        # markdownify's stub declares no per-tag converters, though the class has them.
        converted: str = super().convert_a(el, text, parent_tags)  # type: ignore[misc]
        return converted

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "pre" in parent_tags:
            return "\n"
        converted: str = super().convert_br(el, text, parent_tags)  # type: ignore[misc]
        return converted

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        lines = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
        return f"\n\n```\n{lines}\n```\n\n"


def _last_updated(article: Tag) -> str | None:
    time = article.select_one(".theme-last-updated time[datetime]")
    if time is None:
        return None
    try:
        moment = datetime.fromisoformat(str(time["datetime"]))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def convert(html: str, page_path: str) -> Article:
    """The article of a Docusaurus doc page; raises PageError when the page has none."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article")
    body = article.select_one(".theme-doc-markdown") if article is not None else None
    if article is None or body is None or body.select_one("h1") is None:
        raise PageError("no doc article (article .theme-doc-markdown with a title)")
    for noise in body.select("button, .buttonGroup, svg, script, style"):
        noise.decompose()
    markdown = _Converter(page_path).convert_soup(body)
    text = "\n".join(line.rstrip() for line in markdown.strip().split("\n"))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return Article(text, _last_updated(article))
