"""The change-log page: entries newer than the spec's docs date that touch what the spec encodes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ._markdown import Half, SplitPage
from ._model import ChangeLogEntry, Finding
from ._spec_view import SpecView

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")
# Words that mean an entry may change signing or rate limiting, in both languages. English words match
# whole words only ("designed" is not "signed"); "percent-encod" is a stem (encoded, encoding).
_TOPICS = (
    "signature",
    "signed",
    "percent-encod*",
    "-1022",
    "-1021",
    "-1003",
    "weight",
    "rate limit",
    "ip ban",
    "签名",
    "百分比编码",
    "权重",
    "限频",
    "频率限制",
)


def _word(topic: str) -> re.Pattern[str]:
    """A topic as a pattern: Chinese words anywhere, others as whole words (a `*` ends a stem)."""
    if not topic.isascii():
        return re.compile(re.escape(topic))
    stem = topic.endswith("*")
    body = re.escape(topic.rstrip("*"))
    return re.compile(rf"(?<![\w-]){body}" + (r"" if stem else r"(?![\w-])"), re.IGNORECASE)


def is_change_log(split: SplitPage) -> bool:
    return (
        split.front.source_url.rstrip("/").endswith("/change-log")
        or split.english.title.title == "Change Log"
    )


def entries(half: Half) -> list[ChangeLogEntry]:
    """One entry per dated `##` heading; undated headings belong to the entry above them."""
    found: list[ChangeLogEntry] = []
    for section in half.sections:
        match = _DATE.match(section.title)
        text = "\n".join(block.text for block in section.blocks if block.kind != "table")
        if match:
            found.append(ChangeLogEntry(match[1], half.language, text, section.line))
        elif found and section.level >= 2:
            last = found[-1]
            found[-1] = ChangeLogEntry(
                last.date, last.language, f"{last.text}\n{section.title}\n{text}", last.line
            )
    return found


@dataclass(frozen=True)
class _Topics:
    words: dict[str, re.Pattern[str]]
    paths: dict[str, re.Pattern[str]]

    def matches(self, text: str) -> list[str]:
        hits = [word for word, pattern in self.words.items() if pattern.search(text)]
        return hits + [path for path, pattern in self.paths.items() if pattern.search(text)]


def _topics(spec: SpecView) -> _Topics:
    headers = [str(limit.get("used_weight_header", "")) for limit in spec.rate_limits.values()]
    names = (*_TOPICS, spec.signing.timestamp, spec.signing.recv_window, *filter(None, headers))
    words = {name.rstrip("*"): _word(name) for name in names}
    # A path must not match a longer one (exchange-small-liability vs exchange-small-liability-history).
    paths = {
        path: re.compile(re.escape(path) + r"(?![\w/-])")
        for path in sorted({op.path for op in spec.operations})
    }
    return _Topics(words, paths)


def change_log_findings(split: SplitPage, spec: SpecView) -> list[Finding]:
    checked = spec.checked_at[:10]
    topics = _topics(spec)
    newer: dict[str, list[ChangeLogEntry]] = {}
    for half in (split.english, split.chinese):
        for entry in entries(half) if half else []:
            # On the docs day too: an entry of that day may have been published after the check.
            if entry.date >= checked:
                newer.setdefault(entry.date, []).append(entry)
    findings = []
    for date, same_day in sorted(newer.items()):
        relevant = [(entry, topics.matches(entry.text)) for entry in same_day]
        # Report the English entry unless only the Chinese one touches the spec.
        entry, hits = next(((e, h) for e, h in relevant if h), relevant[0])
        summary = " ".join(entry.text.split())
        summary = summary if len(summary) <= 160 else f"{summary[:157]}..."
        spec_text = f"x-binance-docs-checked-at {spec.checked_at}"
        line = spec.line(("info", "x-binance-docs-checked-at"))
        severity: Literal["drift", "info"]
        if hits:
            severity = "drift"
            detail = (
                f"mentions {', '.join(hits)}: review, update the spec, then bump x-binance-docs-checked-at"
            )
        else:
            severity = "info"
            detail = (
                "newer than the spec's docs date, but mentions none of the spec's paths, signing or limits"
            )
        findings.append(
            Finding(
                severity,
                "change-log",
                str(split.file),
                entry.line,
                f"{date}: {summary}",
                spec_text,
                "",
                line,
                detail,
            )
        )
    return findings
