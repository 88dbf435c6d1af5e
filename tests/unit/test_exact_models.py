"""Exact models: the generated models refuse a value of another JSON type than the spec's, and the spec's
`x-binance-decimal` properties are Decimal and stay Decimal when the client is regenerated (the
generator's post-step, generator/_exact.py)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from binance_margin_api.models import BinanceError, CodeMessage, LiabilityCoin

from generator._exact import (
    DECIMAL_PATTERN,
    ExactField,
    ExactRewriteError,
    exact_fields,
    rewrite_model,
)
from generator._generate import build
from generator._paths import SPEC_PATH

COIN = {"asset": "ETH", "liabilityAsset": "USDT"}
WHOLE_COIN = {**COIN, "interest": "0", "principal": "0", "liabilityQty": 0}


def _coin(**amounts: object) -> LiabilityCoin:
    return LiabilityCoin.from_dict({**COIN, "interest": "0", "principal": "0", "liabilityQty": 0, **amounts})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0.35520000000000000001", "0.35520000000000000001"),
        ("4.7100", "4.7100"),  # trailing zeros are digits too
        ("0.00000012", "1.2E-7"),  # the same value; str() of a Decimal uses an exponent here
        (3, "3"),
        (Decimal("0.1"), "0.1"),
        (0.1, "0.1"),  # a float goes through str(): its shortest repr, not 0.1000000000000000055511…
        (-1.5, "-1.5"),
    ],
)
@pytest.mark.parametrize("field", ["interest", "principal", "liabilityQty"])
def test_from_dict_takes_str_int_float_and_decimal_and_gives_decimal(
    field: str, given: object, expected: str
) -> None:
    coin = _coin(**{field: given})
    values = {"interest": coin.interest, "principal": coin.principal, "liabilityQty": coin.liability_qty}
    value = values[field]
    assert type(value) is Decimal
    assert str(value) == expected


@pytest.mark.parametrize(
    "bad", ["", "abc", "1_000", " 1", "1 ", "1e5", "NaN", "Infinity", "0x10", True, None, [1], {"a": 1}]
)
@pytest.mark.parametrize("field", ["interest", "principal", "liabilityQty"])
def test_a_malformed_amount_is_a_value_error_naming_the_field(field: str, bad: object) -> None:
    with pytest.raises(ValueError, match=field):
        _coin(**{field: bad})


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), float("inf"), float("nan")])
def test_non_finite_numbers_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="liabilityQty"):
        _coin(liabilityQty=bad)


def test_to_dict_gives_plain_strings_back_and_the_number_as_decimal() -> None:
    coin = _coin(interest="0.00000012", principal="4.7100", liabilityQty=Decimal("0.35520000000000000001"))
    out = coin.to_dict()
    assert out["interest"] == "0.00000012"  # plain notation, not "1.2E-7"
    assert out["principal"] == "4.7100"
    assert out["liabilityQty"] == Decimal("0.35520000000000000001")
    assert type(out["liabilityQty"]) is Decimal
    assert LiabilityCoin.from_dict(out) == coin  # round trip


def test_the_spec_marks_exactly_the_three_monetary_fields() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert [field for field in exact_fields(spec) if field.decimal] == [
        ExactField("LiabilityCoin", "interest", "string", decimal=True),
        ExactField("LiabilityCoin", "principal", "string", decimal=True),
        ExactField("LiabilityCoin", "liabilityQty", "number", decimal=True),
    ]


@pytest.mark.parametrize(
    ("model", "good", "field", "bad"),
    [
        (LiabilityCoin, WHOLE_COIN, "asset", 1),
        (LiabilityCoin, WHOLE_COIN, "liabilityAsset", None),
        (LiabilityCoin, WHOLE_COIN, "asset", ["ETH"]),
        (CodeMessage, {"code": 200, "msg": "success"}, "code", True),  # JSON true is not 1
        (CodeMessage, {"code": 200, "msg": "success"}, "code", "200"),
        (CodeMessage, {"code": 200, "msg": "success"}, "code", Decimal("200.5")),
        (CodeMessage, {"code": 200, "msg": "success"}, "msg", 7),
        (BinanceError, {"code": -1102, "msg": "bad"}, "code", 1.0),
    ],
)
def test_a_value_of_another_json_type_is_a_type_error_naming_the_field(
    model: Any, good: dict[str, Any], field: str, bad: object
) -> None:
    assert model.from_dict(good).to_dict() == good
    with pytest.raises(TypeError, match=field):
        model.from_dict({**good, field: bad})


def test_every_scalar_property_of_the_spec_is_checked() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    checked = {(field.schema, field.json_name) for field in exact_fields(spec)}
    for name, schema in spec["components"]["schemas"].items():
        for json_name, prop in schema.get("properties", {}).items():
            if prop.get("type") in ("string", "integer", "number", "boolean") and "enum" not in prop:
                assert (name, json_name) in checked


def _annotations(package: Path) -> dict[str, str]:
    tree = ast.parse((package / "models" / "liability_coin.py").read_text(encoding="utf-8"))
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "LiabilityCoin")
    return {
        node.target.id: ast.unparse(node.annotation)
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def _spec_with(tmp_path: Path, edit: Any) -> Path:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    edit(spec["components"]["schemas"]["LiabilityCoin"])
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_regenerating_keeps_decimal_and_the_extension_decides_it(tmp_path: Path) -> None:
    build(SPEC_PATH, tmp_path / "fresh")
    assert _annotations(tmp_path / "fresh") == {
        "asset": "str",
        "interest": "Decimal",
        "principal": "Decimal",
        "liability_asset": "str",
        "liability_qty": "Decimal",
        "additional_properties": "dict[str, Any]",
    }

    def unmark(schema: dict[str, Any]) -> None:
        del schema["properties"]["principal"]["x-binance-decimal"]
        del schema["properties"]["liabilityQty"]["x-binance-decimal"]

    build(_spec_with(tmp_path, unmark), tmp_path / "unmarked")
    annotations = _annotations(tmp_path / "unmarked")
    assert (annotations["interest"], annotations["principal"], annotations["liability_qty"]) == (
        "Decimal",
        "str",
        "float",
    )


def test_optional_and_other_scalar_properties_are_checked_or_unset(tmp_path: Path) -> None:
    # docs-sync makes a field optional when Binance's example drops it: the amount stays exact, and a
    # boolean or plain number property Binance might add is checked too.
    def optional(schema: dict[str, Any]) -> None:
        schema["required"] = [
            name for name in schema["required"] if name not in ("asset", "interest", "liabilityQty")
        ]
        schema["properties"]["isolated"] = {"type": "boolean"}
        schema["properties"]["rate"] = {"type": "number"}

    build(_spec_with(tmp_path, optional), tmp_path / "optional")
    annotations = _annotations(tmp_path / "optional")
    assert (annotations["interest"], annotations["liability_qty"]) == ("Decimal | Unset", "Decimal | Unset")
    assert (annotations["asset"], annotations["isolated"], annotations["rate"]) == (
        "str | Unset",
        "bool | Unset",
        "float | Unset",
    )
    spec = importlib.util.spec_from_file_location(
        "optional_models",
        tmp_path / "optional" / "__init__.py",
        submodule_search_locations=[str(tmp_path / "optional")],
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["optional_models"] = package
    given = {**COIN, "principal": "1", "interest": "0.0010", "liabilityQty": Decimal("4.7100")}
    try:
        spec.loader.exec_module(package)
        from optional_models.models import LiabilityCoin as Optional  # type: ignore[import-not-found]
        from optional_models.types import UNSET  # type: ignore[import-not-found]

        present = Optional.from_dict({**given, "isolated": False, "rate": Decimal("0.5")})
        absent = Optional.from_dict({"liabilityAsset": "USDT", "principal": "1"})
        refused = {}
        for field, bad in (("asset", 1), ("isolated", 0), ("rate", True), ("rate", "0.5")):
            with pytest.raises(TypeError, match=field) as raised:
                Optional.from_dict({**given, field: bad})
            refused[field, repr(bad)] = str(raised.value)
    finally:
        for name in [name for name in sys.modules if name.startswith("optional_models")]:
            del sys.modules[name]
    assert (present.interest, present.liability_qty) == (Decimal("0.0010"), Decimal("4.7100"))
    assert (present.asset, present.isolated, present.rate) == ("ETH", False, 0.5)
    assert type(present.rate) is float
    assert present.to_dict()["interest"] == "0.0010"
    assert absent.interest is UNSET and absent.liability_qty is UNSET and absent.asset is UNSET
    assert absent.isolated is UNSET and absent.rate is UNSET
    assert "interest" not in absent.to_dict() and "liabilityQty" not in absent.to_dict()
    assert refused["rate", "True"] == "rate: True is not a JSON number"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda s: s["properties"]["interest"].pop("pattern"), "needs pattern"),
        (lambda s: s["properties"]["asset"].update({"type": "integer", "x-binance-decimal": True}), "type"),
        (lambda s: s["properties"]["asset"].update({"x-binance-decimal": "yes"}), "must be true"),
    ],
    ids=["no-pattern", "integer", "not-true"],
)
def test_a_decimal_the_generator_cannot_honour_stops_generation(
    tmp_path: Path, edit: Any, problem: str
) -> None:
    with pytest.raises(ExactRewriteError, match=problem):
        build(_spec_with(tmp_path, edit), tmp_path / "out")


def test_generated_code_of_another_shape_is_refused_not_skipped() -> None:
    # A model whose from_dict does not read the field the way openapi-python-client 0.29.1 writes it.
    source = textwrap.dedent(
        """
        from typing import Any
        class LiabilityCoin:
            interest: str
            def to_dict(self) -> dict[str, Any]:
                interest = self.interest
                return {"interest": interest}
            @classmethod
            def from_dict(cls, src_dict: Any) -> Any:
                d = dict(src_dict)
                interest = d.get("interest")
                return cls()
        """
    )
    with pytest.raises(ExactRewriteError, match="from_dict"):
        rewrite_model(
            source, "LiabilityCoin", [ExactField("LiabilityCoin", "interest", "string", decimal=True)]
        )


def test_the_pattern_in_the_spec_is_the_one_the_models_accept() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    properties = spec["components"]["schemas"]["LiabilityCoin"]["properties"]
    assert properties["interest"]["pattern"] == properties["principal"]["pattern"] == DECIMAL_PATTERN


_STRICT_CONSUMER = """
from decimal import Decimal
from binance_margin_api.models import LiabilityCoin

def total(coins: list[LiabilityCoin]) -> Decimal:
    return sum((coin.liability_qty + coin.interest + coin.principal for coin in coins), Decimal(0))
"""


def _strict(source: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict over `source` from its own directory (no project config), as a consumer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(source.parent / ".mypy"), str(source)],
        capture_output=True,
        text=True,
        cwd=source.parent,
        check=False,
    )


def test_strict_code_sees_decimal_fields(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text(_STRICT_CONSUMER, encoding="utf-8")
    wrong = tmp_path / "wrong.py"
    wrong.write_text(_STRICT_CONSUMER + "\nfloat_qty: float = LiabilityCoin.from_dict({}).liability_qty\n")
    result = _strict(good)
    assert result.returncode == 0, result.stdout
    result = _strict(wrong)
    assert result.returncode == 1
    assert 'expression has type "Decimal", variable has type "float"' in result.stdout
