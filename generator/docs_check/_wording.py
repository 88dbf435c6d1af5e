"""Wording as the docs check compares it: what a reader sees, not how the Markdown spells it."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

# Markdown's backslash escapes of ASCII punctuation (`\_`, `\(`): a converter's choice, not a change.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A link keeps its text: `[Order Update](https://...)` reads "Order Update".
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"\*+|__|`")
# Spacing next to punctuation is layout: "exchange， Example" and "exchange,Example" read the same.
_SPACED_PUNCTUATION = re.compile(r"\s*([,.;:!?()\[\]])\s*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def normal(text: str) -> str:
    """The text with full-width forms folded (NFKC), Markdown marks, escapes and link targets dropped,
    spacing collapsed, and no final full stop."""
    text = unicodedata.normalize("NFKC", text).replace("、", ",").replace("。", ".")
    text = _MARKS.sub("", _LINK.sub(r"\1", _ESCAPE.sub(r"\1", text)))
    text = _SPACED_PUNCTUATION.sub(r"\1", " ".join(text.split()))
    return text.rstrip(".;")


def template(text: str) -> str:
    """The normal wording with every number replaced by `#`: two texts with one template differ only
    in their numbers."""
    return _NUMBER.sub("#", normal(text))


def numbers(text: str) -> tuple[Decimal, ...]:
    """The numbers in the text, in order."""
    return tuple(Decimal(found) for found in _NUMBER.findall(normal(text)))


def is_label(text: str) -> bool:
    """A paragraph that only introduces what follows ("Additional notes:", "**备注:**")."""
    return normal(text).endswith(":")
