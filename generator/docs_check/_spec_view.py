"""What the spec says about each operation, flattened for comparison, with the spec line of each fact."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .._spec import load_spec, operations, resolve

Pointer = tuple[str, ...]


@dataclass(frozen=True)
class SpecParam:
    name: str
    type: str | None
    required: bool
    enum: tuple[str, ...] | None
    style: str | None
    explode: bool | None
    pointer: Pointer  # the parameter as written (`@name` selects it in its list)
    schema_pointer: Pointer  # its `schema` node
    schema_target: Pointer  # where that schema really is (a `$ref` followed)
    # The schema that holds the enum (a `$ref` followed, an array's items), and how many references
    # in the whole spec lead to it: an enum shared with other parameters is not one page's to change.
    enum_pointer: Pointer
    enum_shared: bool
    max_items: int | None


@dataclass(frozen=True)
class SpecRule:
    id: str
    doc: str
    doc_zh: str
    data: dict[str, Any]
    pointer: Pointer


@dataclass(frozen=True)
class SpecNote:
    en: str
    zh: str
    pointer: Pointer


@dataclass(frozen=True)
class SpecOperation:
    operation_id: str
    method: str
    path: str
    family: str
    security_type: str
    signed: bool
    weight_value: int
    weight_kind: str
    rate_limit: str
    params: dict[str, SpecParam]
    rules: tuple[SpecRule, ...]
    acknowledged_notes: tuple[SpecNote, ...]
    doc_url: str
    doc_updated_at: str
    # The doc page's own wording, by language: title (no security type), API description, and the
    # parameters' descriptions by name.
    doc_title: dict[str, str]
    doc_description: dict[str, str]
    doc_parameters: dict[str, dict[str, str]]
    empty_body: tuple[str, ...] | None
    response_pointer: Pointer | None

    @property
    def pointer(self) -> Pointer:
        return ("paths", self.path, self.method.lower())

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Signing:
    timestamp: str
    recv_window: str
    signature: str


class SpecView:
    """The spec as the docs check reads it."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.raw = load_spec(file)
        with file.open(encoding="utf-8") as handle:
            self._nodes = yaml.compose(handle)
        info = self.raw["info"]
        self.checked_at = str(info["x-binance-docs-checked-at"])
        self.signing_schemes = {
            name: scheme["x-binance-signing"]
            for name, scheme in self.raw.get("components", {}).get("securitySchemes", {}).items()
            if "x-binance-signing" in scheme
        }
        signing: dict[str, Any] = next(iter(self.signing_schemes.values()), {})
        self.signing = Signing(
            signing.get("timestamp_parameter", "timestamp"),
            signing.get("recv_window_parameter", "recvWindow"),
            signing.get("signature_parameter", "signature"),
        )
        self.operations = tuple(self._operations())
        self.rate_limits: dict[str, Any] = info.get("x-binance-rate-limits", {})

    def node(self, pointer: Pointer) -> Any:
        """The spec's value at `pointer` (KeyError or IndexError if it is absent)."""
        node: Any = self.raw
        for part in pointer:
            node = node[part]
        return node

    def line(self, pointer: Pointer) -> int | None:
        """The 1-based line of the spec node at `pointer` (its key's line), or None if it is absent."""
        node: yaml.Node | None = self._nodes
        line = None
        for key in pointer:
            if isinstance(node, yaml.SequenceNode):
                node = _item(node, key)
                if node is None:
                    return None
                line = node.start_mark.line + 1
                continue
            if not isinstance(node, yaml.MappingNode):
                return None
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                return None
            line, node = pair[0].start_mark.line + 1, pair[1]
        return line

    def rate_limit_for(self, family: str, kind: str) -> str | None:
        """The rate limit an operation of `family` weighted by `kind` (IP/UID) is counted against: the
        one the family's other operations of that kind use, if exactly one."""
        names = {
            op_["x-binance-weight"]["rate_limit"]
            for op_ in self._raw_operations()
            if op_["x-binance-api-family"] == family and op_["x-binance-weight"]["kind"] == kind
        }
        return names.pop() if len(names) == 1 else None

    def references(self, pointer: Pointer) -> int:
        """How many `$ref`s in the spec point at `pointer`."""
        target = "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in pointer)
        count = 0
        stack: list[Any] = [self.raw]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                count += node.get("$ref") == target
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        return count

    def implied_weight_kind(self, family: str) -> str | None:
        """The weight kind a page that states none must mean: determinable when every rate limit the
        family's endpoints are counted against is counted the same way (FAPI: all per IP)."""
        families = self.raw["info"].get("x-binance-api-families", {})
        names = {
            op_["x-binance-weight"]["rate_limit"]
            for op_ in self._raw_operations()
            if op_["x-binance-api-family"] == family
        }
        server_time = families.get(family, {}).get("server_time", {})
        if "rate_limit" in server_time:
            names.add(server_time["rate_limit"])
        kinds = {self.rate_limits[name]["counted_by"] for name in names if name in self.rate_limits}
        return kinds.pop() if len(kinds) == 1 else None

    def _raw_operations(self) -> list[dict[str, Any]]:
        return [op for _, _, _, op in operations(self.raw)]

    def _operations(self) -> list[SpecOperation]:
        found = []
        for path, method, item, op in operations(self.raw):
            pointer: Pointer = ("paths", path, method)
            params = [
                self._param(raw, (*owner, "parameters", f"@{raw.get('name', index)}"))
                for owner, node in ((("paths", path), item), (pointer, op))
                for index, raw in enumerate(node.get("parameters", []))
            ]
            ok_pointer = _target((*pointer, "responses", "200"), op.get("responses", {}).get("200", {}))
            ok = resolve(self.raw, op.get("responses", {}).get("200", {}))
            empty_body = ok.get("x-binance-empty-body")
            has_schema = "schema" in ok.get("content", {}).get("application/json", {})
            weight = op["x-binance-weight"]
            doc = op["x-binance-doc"]
            found.append(
                SpecOperation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    family=op.get("x-binance-api-family", ""),
                    security_type=op.get("x-binance-security-type", ""),
                    signed=any(
                        name in self.signing_schemes for req in op.get("security", []) for name in req
                    ),
                    weight_value=int(weight["value"]),
                    weight_kind=str(weight["kind"]),
                    rate_limit=str(weight["rate_limit"]),
                    params={param.name: param for param in params},
                    rules=tuple(
                        SpecRule(
                            str(rule["id"]),
                            str(rule["doc"]),
                            str(rule.get("doc_zh", "")),
                            dict(rule),
                            (*pointer, "x-binance-rules", str(index)),
                        )
                        for index, rule in enumerate(op.get("x-binance-rules", []))
                    ),
                    acknowledged_notes=tuple(
                        SpecNote(
                            *_languages(note if isinstance(note, dict) else {"en": note}),
                            (*pointer, "x-binance-doc-notes", str(index)),
                        )
                        for index, note in enumerate(op.get("x-binance-doc-notes", []))
                    ),
                    doc_url=str(doc["url"]),
                    doc_updated_at=str(doc["updated_at"]),
                    doc_title=dict(zip(("en", "zh"), _languages(doc.get("title", {})), strict=True)),
                    doc_description=dict(
                        zip(("en", "zh"), _languages(doc.get("description", {})), strict=True)
                    ),
                    doc_parameters={
                        str(name): dict(zip(("en", "zh"), _languages(texts), strict=True))
                        for name, texts in doc.get("parameters", {}).items()
                    },
                    empty_body=None if empty_body is None else tuple(str(body) for body in empty_body),
                    response_pointer=(*ok_pointer, "content", "application/json", "schema")
                    if has_schema
                    else None,
                )
            )
        return found

    def _param(self, raw: dict[str, Any], pointer: Pointer) -> SpecParam:
        param = resolve(self.raw, raw)
        where = _target(pointer, raw)
        schema_pointer = (*where, "schema")
        schema_node = param.get("schema", {})
        schema = resolve(self.raw, schema_node)
        schema_target = _target(schema_pointer, schema_node)
        enum_pointer = schema_target
        enum_node = schema_node
        if schema.get("type") == "array":
            enum_node = schema.get("items", {})
            enum_pointer = _target((*enum_pointer, "items"), enum_node)
        holder = resolve(self.raw, enum_node)
        values = holder.get("enum")
        return SpecParam(
            name=param["name"],
            type=schema.get("type"),
            required=bool(param.get("required", False)),
            enum=None if values is None else tuple(str(value) for value in values),
            style=param.get("style"),
            explode=param.get("explode"),
            pointer=where,
            schema_pointer=schema_pointer,
            schema_target=schema_target,
            enum_pointer=enum_pointer,
            enum_shared=self.references(enum_pointer) > 1,
            max_items=schema.get("maxItems"),
        )


def _languages(texts: Any) -> tuple[str, str]:
    """A `{en, zh}` mapping's two texts ("" for a language left out)."""
    if not isinstance(texts, dict):
        return str(texts), ""
    return str(texts.get("en", "")), str(texts.get("zh", ""))


def _item(node: yaml.SequenceNode, key: str) -> yaml.Node | None:
    """A sequence's item by index, or by `@name` (the mapping whose `name` is `name`)."""
    if key.isdigit():
        return node.value[int(key)] if int(key) < len(node.value) else None
    if key.startswith("@"):
        for item in node.value:
            if isinstance(item, yaml.MappingNode) and any(
                k.value == "name" and getattr(v, "value", None) == key[1:] for k, v in item.value
            ):
                return item
    return None


def _target(pointer: Pointer, node: Any) -> Pointer:
    """Where a node really is: a local `$ref`'s target, else `pointer` itself."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in node["$ref"][2:].split("/"))
    return pointer
