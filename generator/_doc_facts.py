"""The documented numbers in README.md and docs/*.md, written from the spec.

A document marks each fact it states: `<!-- spec: NAME -->…<!-- /spec -->` (invisible once rendered).
`python -m generator` rewrites what stands between the markers from the spec; `--check` fails when a
marked fact no longer says what the spec says. NAME is one of `facts()`' keys, e.g.
`weight:getSmallLiabilityExchangeCoinList` or `operations-table` (the README's table of weights and
limits, a block).

A fact written out by hand in the prose ("the 6-hour guard", "10 USDT") would not follow the spec, so
`--check` also fails on an unmarked copy of one (`unmarked`). Code blocks are left to the tests that run
them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from ._paths import REPO_ROOT
from ._spec import operations

# A marker quoted in a code span (`<!-- spec: NAME -->`, right after a backtick) is text, not a fact.
_MARKED = re.compile(r"(?<!`)<!-- spec: (?P<name>[\w:.-]+) -->(?P<value>.*?)<!-- /spec -->", re.DOTALL)


def documents(root: Path = REPO_ROOT) -> list[Path]:
    """The documents that may carry marked facts."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def _hours(seconds: int) -> str:
    return f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{seconds} s"


def _duration(seconds: int) -> str:
    """Days, hours, minutes or seconds: the largest unit that divides `seconds`."""
    for unit, name in ((86400, "days"), (3600, "h"), (60, "minutes")):
        if seconds % unit == 0:
            count = seconds // unit
            return f"{count} {name[:-1] if count == 1 and name.endswith('s') else name}"
    return f"{seconds} s"


def _rule_text(rule: dict[str, Any]) -> str:
    kind = rule["id"]
    if kind == "max-items":
        return f"at most {rule['maximum']} `{rule['parameter']}`"
    if kind == "max-liability-value":
        return f"each liability below {rule['below']} {rule['asset']}"
    if kind == "once-per-interval":
        return f"once per {_hours(int(rule['interval_seconds']))} per {rule['scope']}"
    if kind == "required-if":
        return f"`{rule['parameter']}` required when `{rule['when_parameter']}` is {rule['when_value']}"
    return str(rule.get("doc", kind))


def _enums(spec: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    from ._spec import resolve

    out = []
    for raw in operation.get("parameters", []):
        param = resolve(spec, raw)
        schema = resolve(spec, param.get("schema", {}))
        if "enum" in schema:
            out.append(f"`{param['name']}`: {'/'.join(str(value) for value in schema['enum'])}")
    return out


def _table(spec: dict[str, Any]) -> str:
    limits = spec["info"]["x-binance-rate-limits"]
    default_server = spec["servers"][0]["url"]
    rows = [
        "| operation | method and path | weight | counted against | documented rules |",
        "|---|---|---|---|---|",
    ]
    for path, method, item, operation in operations(spec):
        weight = operation["x-binance-weight"]
        limit = limits[weight["rate_limit"]]
        scope = "each endpoint" if limit["scope"] == "endpoint" else "shared"
        server = item.get("servers", [{"url": default_server}])[0]["url"]
        host = "" if server == default_server else f" ({server.removeprefix('https://')})"
        title = operation.get("x-binance-doc", {}).get("title", {}).get("en") or operation["summary"]
        rules = [_rule_text(rule) for rule in operation.get("x-binance-rules", [])] + _enums(spec, operation)
        rows.append(
            f"| {title} | {method.upper()} `{path}`{host} | {weight['value']} ({weight['kind']}) "
            f"| {limit['limit']} per {limit['interval_seconds']} s per {limit['counted_by']}, {scope} "
            f"| {'; '.join(rules) or '-'} |"
        )
    return "\n\n" + "\n".join(rows) + "\n\n"


def facts(spec: dict[str, Any]) -> dict[str, str]:
    """Every fact a document can mark, by name, as the spec says it."""
    info = spec["info"]
    signing = spec["components"]["securitySchemes"]["BinanceSigned"]["x-binance-signing"]
    found = {
        "operations-table": _table(spec),
        "recv-window-default": str(signing["recv_window_default"]),
        "recv-window-maximum": str(signing["recv_window_maximum"]),
        "signing-since": str(signing["effective_since"]),
        "longest-ban": _duration(int(info["x-binance-ip-bans"]["longest_seconds"])),
        "shortest-ban": _duration(int(info["x-binance-ip-bans"]["shortest_seconds"])),
    }
    for name, limit in info["x-binance-rate-limits"].items():
        found[f"limit:{name}"] = str(limit["limit"])
        found[f"interval:{name}"] = str(limit["interval_seconds"])
    for _, _, _, operation in operations(spec):
        op_id = operation["operationId"]
        weight = operation["x-binance-weight"]
        found[f"weight:{op_id}"] = str(weight["value"])
        found[f"weight-kind:{op_id}"] = str(weight["kind"])
        found[f"rate-limit:{op_id}"] = str(weight["rate_limit"])
        bucket = info["x-binance-rate-limits"][weight["rate_limit"]]["limit"]
        found[f"calls-per-window:{op_id}"] = str(bucket // weight["value"])
        for rule in operation.get("x-binance-rules", []):
            if rule["id"] == "max-items":
                found[f"max-items:{op_id}"] = str(rule["maximum"])
            elif rule["id"] == "max-liability-value":
                found[f"below:{op_id}"] = f"{rule['below']} {rule['asset']}"
            elif rule["id"] == "once-per-interval":
                found[f"interval-seconds:{op_id}"] = str(rule["interval_seconds"])
                found[f"interval:{op_id}"] = _hours(int(rule["interval_seconds"]))
    return found


def render(text: str, known: dict[str, str], where: str) -> str:
    """`text` with every marked fact rewritten; raises ValueError for a name the spec has no fact for."""

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in known:
            raise ValueError(f"{where}: no spec fact named {name!r} (known: {', '.join(sorted(known))})")
        return f"<!-- spec: {name} -->{known[name]}<!-- /spec -->"

    return _MARKED.sub(fill, text)


def write(spec: dict[str, Any], root: Path = REPO_ROOT) -> list[Path]:
    """Rewrite the marked facts of every document; return the documents that changed."""
    known = facts(spec)
    changed = []
    for document in documents(root):
        if not document.is_file():
            continue
        text = document.read_text(encoding="utf-8")
        new = render(text, known, str(document))
        if new != text:
            document.write_text(new, encoding="utf-8")
            changed.append(document)
    return changed


# Hours as prose may spell them ("six hours").
_SPELT = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")


def _copies(name: str, value: str) -> str | None:
    """A pattern for the ways prose writes the fact `name` out by hand, or None for a fact too plain to
    tell from other numbers (a weight of 1, a 60 s window)."""
    kind = name.split(":", 1)[0]
    if kind == "interval" and value.endswith(" h"):
        hours = int(value.removesuffix(" h"))
        spelt = f"{hours}|{_SPELT[hours]}" if hours < len(_SPELT) else str(hours)
        return rf"\b(?:{spelt})(?:[- ]hours?\b| h\b)"
    if kind == "max-items":
        return rf"\b(?:1 to|at most|up to|more than) {value}\b|\b{value} (?:distinct )?coins\b"
    if kind in ("below", "signing-since", "longest-ban", "shortest-ban"):
        return re.escape(value)
    if kind in ("limit", "weight", "recv-window-default", "recv-window-maximum") and int(value) >= 1000:
        return rf"(?<![\w.]){value}(?![\w.])"
    return None


def unmarked(spec: dict[str, Any], root: Path = REPO_ROOT) -> list[str]:
    """Each place where a document's prose states a spec fact outside its markers."""
    patterns = {name: _copies(name, value) for name, value in facts(spec).items()}
    out = []
    for document in documents(root):
        if not document.is_file():
            continue
        text = document.read_text(encoding="utf-8")
        # Blank out marked facts and code blocks, keeping line numbers.
        lines = _MARKED.sub(lambda match: re.sub(r"[^\n]", " ", match[0]), text).split("\n")
        for token in MarkdownIt("commonmark").parse(text):
            if token.type in ("fence", "code_block") and token.map is not None:
                lines[token.map[0] : token.map[1]] = [""] * (token.map[1] - token.map[0])
        for number, line in enumerate(lines, start=1):
            for name, pattern in patterns.items():
                for match in re.finditer(pattern, line) if pattern else ():
                    out.append(
                        f"{document.relative_to(root)}:{number}: {match[0]!r} is the spec's {name} written by"
                        f" hand: put it between <!-- spec: {name} --> markers, or say it without the number"
                    )
    return out


def stale(spec: dict[str, Any], root: Path = REPO_ROOT) -> list[str]:
    """The documents whose marked facts do not say what the spec says, and unmarked copies of facts."""
    known = facts(spec)
    out = []
    for document in documents(root):
        if not document.is_file():
            continue
        text = document.read_text(encoding="utf-8")
        try:
            if render(text, known, str(document)) != text:
                out.append(f"documented facts differ from the spec: {document.relative_to(root)}")
        except ValueError as error:
            out.append(str(error))
    return out + unmarked(spec, root)
