"""Exact models: every scalar property is checked as it is parsed, and amounts are `decimal.Decimal`.

openapi-python-client cannot do either: its `from_dict` copies a JSON value into the model unchecked (a
body with `"asset": 1` gives a model holding an int), a property's Python type is decided by its parser
(`StringProperty`, `FloatProperty`: a class-level type string), the templates only print
`property.to_string()`, and vendor extensions never reach them. So after generation this step rewrites
each model, located with `ast`:

- `from_dict` reads a string, integer, number or boolean property through `json_value`, which raises
  TypeError naming the field for a value of another JSON type (true and false are never numbers; a
  number property takes any JSON number, as a float). Enum, model and array properties are checked by
  the generated code itself (the enum's or model's constructor);
- a property marked `x-binance-decimal: true` is parsed by `decimal_from_json` instead (str, int, float
  via str(), Decimal -> Decimal; anything else, or a non-finite amount, is a ValueError naming the
  field), its annotation `str` / `float` (`... | Unset` when optional) becomes `Decimal`, and its
  docstring line says so; `to_dict` writes a string amount back as a plain decimal string
  (`decimal_to_json_string`) and leaves a number amount a Decimal, for an encoder that writes exact
  numbers. An absent optional property stays UNSET.

The helpers are written into the package as `_exact.py`. Any generated code that does not have the
expected shape (a changed template) stops generation with an error: the spec's decision is never dropped
silently.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, Literal

from ._spec import resolve

EXTENSION: Final = "x-binance-decimal"
HELPER_MODULE: Final = "_exact.py"
_JSON_TYPES: Final[dict[str, str]] = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_DECIMAL_TYPES: Final = ("string", "number")
# A plain decimal literal: no exponent (so writing it back in plain notation is never longer than what
# came), spaces, underscores, NaN or Infinity. A string decimal property must carry it as its schema
# `pattern`, so fuzzers and validators know the format; the models accept the same strings.
DECIMAL_PATTERN: Final = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"

HELPER_SOURCE: Final = '''\
"""Exact models: checked JSON types, and Decimal amounts (written by `python -m generator`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from .types import UNSET, Unset

_Absent = TypeVar("_Absent", bound=Unset)
_Value = TypeVar("_Value")
_JSON_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_value(value: Any, kind: type[_Value], field: str) -> _Value:
    """`value` if JSON gave it the property's type (`str`, `int`, `bool`; for `float` any number, as a
    float), else TypeError naming the field. JSON true and false are never numbers."""
    if isinstance(value, bool) is (kind is bool):
        if kind is float and isinstance(value, int | float | Decimal):
            return cast(_Value, float(value))
        if isinstance(value, kind):
            return value
    raise TypeError(f"{field}: {value!r} is not a JSON {_JSON_NAMES.get(kind, kind.__name__)}")


def optional_json_value(value: Any, kind: type[_Value], field: str) -> _Value | Unset:
    """`json_value` for an optional property: an absent one (UNSET) stays UNSET."""
    return UNSET if isinstance(value, Unset) else json_value(value, kind, field)

# A plain decimal literal, as Binance writes amounts in strings: no exponent, spaces, underscores, NaN.
_LITERAL = re.compile(@LITERAL@)


def decimal_from_json(value: object, field: str) -> Decimal:
    """`value` (str, int, Decimal; a float goes through str()) as an exact Decimal, else ValueError."""
    result: Decimal | None = None
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, bool):
            result = None  # JSON true/false is not an amount
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(str(value))  # the shortest repr: the digits a JSON parser read into the float
        elif isinstance(value, str) and _LITERAL.fullmatch(value):
            result = Decimal(value)
    except InvalidOperation:  # an ArithmeticError: the one error this function raises is ValueError
        result = None
    if result is None or not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a decimal amount")
    return result


def decimal_to_json_string(value: Decimal) -> str:
    """A Decimal as a plain decimal string: Decimal("1.2E-7") -> "0.00000012", "4.7100" -> "4.7100"."""
    return format(value, "f")


def optional_decimal_from_json(value: object, field: str) -> Decimal | Unset:
    """`decimal_from_json` for an optional property: an absent one (UNSET) stays UNSET."""
    return UNSET if isinstance(value, Unset) else decimal_from_json(value, field)


def optional_decimal_to_json_string(value: Decimal | _Absent) -> str | _Absent:
    """`decimal_to_json_string` for an optional property: UNSET stays UNSET."""
    return value if isinstance(value, Unset) else decimal_to_json_string(value)
'''.replace("@LITERAL@", repr(DECIMAL_PATTERN.removeprefix("^").removesuffix("$")))


class ExactRewriteError(ValueError):
    """The spec asks for what this step cannot do, or a generated model is not of the shape it rewrites."""


@dataclasses.dataclass(frozen=True)
class ExactField:
    schema: str  # the component schema (and model class) name
    json_name: str
    json_type: Literal["string", "integer", "number", "boolean"]
    required: bool = True
    decimal: bool = False  # marked x-binance-decimal: parsed as a Decimal


def exact_fields(spec: dict[str, Any]) -> list[ExactField]:
    """Every scalar (string, integer, number, boolean; not enum) property of a component schema, in spec
    order, and whether it is a decimal amount; a misused `x-binance-decimal` is an error."""
    found: list[ExactField] = []
    for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
        schema = resolve(spec, schema)
        required = set(schema.get("required", ()))
        for json_name, given in schema.get("properties", {}).items():
            prop = resolve(spec, given)
            where = f"{schema_name}.{json_name}"
            marked = given.get(EXTENSION, prop.get(EXTENSION, False))
            if marked not in (True, False):
                raise ExactRewriteError(f"{where}: {EXTENSION} must be true or absent, not {marked!r}")
            if marked and prop.get("type") not in _DECIMAL_TYPES:
                raise ExactRewriteError(f"{where}: {EXTENSION} needs type string or number")
            if marked and prop["type"] == "string" and prop.get("pattern") != DECIMAL_PATTERN:
                raise ExactRewriteError(f"{where}: a string {EXTENSION} needs pattern {DECIMAL_PATTERN!r}")
            if prop.get("type") in _JSON_TYPES and "enum" not in prop:
                found.append(ExactField(schema_name, json_name, prop["type"], json_name in required, marked))
    return found


def apply_exact(spec: dict[str, Any], package: Path) -> list[Path]:
    """Rewrite the generated models in `package` for the spec's scalar fields; the files changed."""
    fields = exact_fields(spec)
    if not fields:
        return []
    by_schema: dict[str, list[ExactField]] = {}
    for field in fields:
        by_schema.setdefault(field.schema, []).append(field)
    changed = []
    for schema, schema_fields in by_schema.items():
        path = _model_file(package / "models", schema)
        rewritten = rewrite_model(path.read_text(encoding="utf-8"), schema, schema_fields)
        path.write_text(rewritten, encoding="utf-8")
        changed.append(path)
    (package / HELPER_MODULE).write_text(HELPER_SOURCE, encoding="utf-8")
    return [*changed, package / HELPER_MODULE]


def _model_file(models: Path, class_name: str) -> Path:
    for path in sorted(models.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.ClassDef) and node.name == class_name for node in tree.body):
            return path
    raise ExactRewriteError(f"no generated model class {class_name} in {models}")


@dataclasses.dataclass(frozen=True)
class _Edit:
    start: tuple[int, int]  # (line, col) as ast reports them
    end: tuple[int, int]
    text: str


def rewrite_model(source: str, class_name: str, fields: Iterable[ExactField]) -> str:
    """`source` (one generated model module) with `fields` of `class_name` checked, and its decimal
    fields made Decimal."""
    fields = list(fields)
    tree = ast.parse(source)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None)
    if cls is None:
        raise ExactRewriteError(f"no class {class_name}")
    to_dict = _method(cls, "to_dict")
    from_dict = _method(cls, "from_dict")
    edits: list[_Edit] = []
    helpers: set[str] = set()  # the helpers the edits call, for the import

    def call(helper: str, node: ast.expr, *arguments: str) -> _Edit:
        helpers.add(helper)
        return _replace(node, f"{helper}({', '.join(arguments)})")

    doc_node = cls.body[0] if cls.body and isinstance(cls.body[0], ast.Expr) else None
    docstring = ast.get_source_segment(source, doc_node.value) if doc_node is not None else None
    for field in fields:
        where = f"{class_name}.{field.json_name}"
        pop = _one(
            (node for node in ast.walk(from_dict) if _is_pop(node, field.json_name, field.required)),
            f'{where}: from_dict has no single `name = d.pop("{field.json_name}"'
            f"{'' if field.required else ', UNSET'})`",
        )
        assert isinstance(pop, ast.Assign)
        python_name = pop.targets[0].id  # type: ignore[attr-defined]  # _is_pop checked it is a Name
        pop_text = ast.get_source_segment(source, pop.value) or ""
        optional = "" if field.required else "optional_"
        if field.decimal:
            edits.append(call(f"{optional}decimal_from_json", pop.value, pop_text, repr(field.json_name)))
        else:
            kind = _JSON_TYPES[field.json_type]
            edits.append(call(f"{optional}json_value", pop.value, pop_text, kind, repr(field.json_name)))
        annotation = _one(
            (
                node.annotation
                for node in cls.body
                if isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == python_name
            ),
            f"{where}: no single class-level annotation for {python_name}",
        )
        expected = _JSON_TYPES[field.json_type] + ("" if field.required else " | Unset")
        if not isinstance(annotation, ast.expr) or ast.unparse(annotation) != expected:
            raise ExactRewriteError(
                f"{where}: annotated {ast.unparse(annotation)}, expected {expected} "
                f"(a{' required' if field.required else 'n optional'} {field.json_type})"
            )
        if not field.decimal:
            continue
        edits.append(_replace(annotation, "Decimal" if field.required else "Decimal | Unset"))
        read = _one(
            (node for node in ast.walk(to_dict) if _is_self_read(node, python_name)),
            f"{where}: to_dict has no single `{python_name} = self.{python_name}`",
        )
        assert isinstance(read, ast.Assign)
        if field.json_type == "string":
            edits.append(call(f"{optional}decimal_to_json_string", read.value, f"self.{python_name}"))
        if docstring is not None:
            shown = re.escape(_JSON_TYPES[field.json_type]) + ("" if field.required else r" \| Unset")
            docstring = re.sub(
                rf"^(\s*{re.escape(python_name)} \(){shown}(( \| Unset)?\))",
                r"\1Decimal\2",
                docstring,
                flags=re.M,
            )
    if doc_node is not None and docstring is not None:
        edits.append(_replace(doc_node.value, docstring))
    decimal = any(field.decimal for field in fields)
    return _with_imports(_apply(source, edits), tree, helpers, decimal=decimal)


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef:
    found = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if found is None:
        raise ExactRewriteError(f"{cls.name} has no {name} method")
    return found


def _one(nodes: Iterable[ast.AST], problem: str) -> ast.AST:
    matches = list(nodes)
    if len(matches) != 1:
        raise ExactRewriteError(problem)
    return matches[0]


def _is_pop(node: ast.AST, json_name: str, required: bool) -> bool:
    # name = d.pop("jsonName")  (an optional property: name = d.pop("jsonName", UNSET))
    if not (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "pop"
        and isinstance(node.value.func.value, ast.Name)
        and node.value.func.value.id == "d"
        and not node.value.keywords
        and node.value.args
        and isinstance(node.value.args[0], ast.Constant)
        and node.value.args[0].value == json_name
    ):
        return False
    rest = node.value.args[1:]
    if required:
        return not rest
    return len(rest) == 1 and isinstance(rest[0], ast.Name) and rest[0].id == "UNSET"


def _is_self_read(node: ast.AST, python_name: str) -> bool:
    # name = self.name
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == python_name
        and isinstance(node.value, ast.Attribute)
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "self"
        and node.value.attr == python_name
    )


def _replace(node: ast.expr, text: str) -> _Edit:
    assert node.end_lineno is not None and node.end_col_offset is not None
    return _Edit((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset), text)


def _apply(source: str, edits: list[_Edit]) -> str:
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def position(line: int, col: int) -> int:  # ast columns count UTF-8 bytes
        return offsets[line - 1] + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8"))

    result = source
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        result = result[: position(*edit.start)] + edit.text + result[position(*edit.end) :]
    return result


def _with_imports(source: str, tree: ast.Module, helpers: set[str], *, decimal: bool) -> str:
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if not imports or imports[-1].end_lineno is None:
        raise ExactRewriteError("the model module has no imports to extend")
    lines = source.splitlines(keepends=True)
    at = imports[-1].end_lineno  # after the last import (line numbers are unchanged by the edits above)
    decimal_import = "from decimal import Decimal\n\n" if decimal else ""
    added = f"{decimal_import}from .._exact import {', '.join(sorted(helpers))}\n"
    return "".join([*lines[:at], added, *lines[at:]])
