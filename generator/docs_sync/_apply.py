"""Applying spec edits to the YAML text with a round-trip parser: comments, key order, quoting and
flow/block layout of everything not edited stay as they were."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from ..docs_check import Edit


class EditError(Exception):
    """An edit whose pointer does not lead anywhere in the spec."""


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)  # the spec's own layout
    # A null is written `null`, as the spec writes it (ruamel's default writes nothing after the colon).
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The spec text with `edits` applied (the same text when there are none)."""
    edits = list(edits)
    if not edits:
        return text
    yaml = _yaml()
    document = yaml.load(text)
    for edit in edits:
        _apply(document, edit)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _key(mapping: CommentedMap, key: str) -> Any:
    """The mapping's own key spelled `key` (YAML keys may be numbers: the error codes)."""
    return next((own for own in mapping if str(own) == key), key)


def _child(node: Any, key: str, create: bool) -> Any:
    if isinstance(node, CommentedSeq):
        if key.isdigit() and int(key) < len(node):
            return node[int(key)]
        found = next((item for item in node if isinstance(item, dict) and item.get("name") == key[1:]), None)
        if key.startswith("@") and found is not None:
            return found
        raise EditError(f"no item {key!r}")
    if isinstance(node, CommentedMap):
        own = _key(node, key)
        if own not in node:
            if not create:
                raise EditError(f"no key {key!r}")
            node[own] = CommentedMap()
        return node[own]
    raise EditError(f"{key!r} is below a scalar")


def _walk(document: Any, pointer: tuple[str, ...], create: bool) -> Any:
    node = document
    for key in pointer:
        node = _child(node, key, create)
    return node


def _flat(value: Any) -> bool:
    return not isinstance(value, (dict, list)) or (
        isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value)
    )


def to_node(value: Any) -> Any:
    """Plain data as round-trip nodes: small mappings and lists of scalars in flow style
    (`{type: string}`, `[MARGIN, ISOLATED]`), like the spec writes them."""
    if isinstance(value, dict):
        node = CommentedMap((key, to_node(item)) for key, item in value.items())
        if all(_flat(item) for item in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(to_node(item) for item in value)
        if _flat(value):
            seq.fa.set_flow_style()
        return seq
    return value


def _styled(value: Any, old: Any) -> Any:
    """A new scalar quoted the way the old one was ('2026-01-15T…' stays a quoted string)."""
    if isinstance(old, ScalarString) and isinstance(value, str):
        return type(old)(value)
    return to_node(value)


def _apply(document: Any, edit: Edit) -> None:
    *path, last = edit.pointer
    try:
        if edit.op == "append":
            parent = _walk(document, tuple(path), create=True)
            own = _key(parent, last)
            if own not in parent or not isinstance(parent[own], CommentedSeq):
                parent[own] = CommentedSeq()
            parent[own].append(to_node(edit.value))
            return
        parent = _walk(document, tuple(path), create=edit.op == "set")
        if edit.op == "delete":
            if isinstance(parent, CommentedSeq):
                parent.remove(_child(parent, last, create=False))
            elif _key(parent, last) in parent:
                del parent[_key(parent, last)]
            return
        if isinstance(parent, CommentedSeq):
            index = parent.index(_child(parent, last, create=False))
            parent[index] = _styled(edit.value, parent[index])
            return
        own = _key(parent, last)
        parent[own] = _styled(edit.value, parent.get(own))
    except EditError as error:
        raise EditError(f"{'/'.join(edit.pointer)}: {error}") from error
