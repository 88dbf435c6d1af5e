"""The generator: fresh output, byte-identical runs, and a check that fails after a spec edit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from generator._generate import build, check, differences
from generator._paths import GENERATED_PACKAGE, REPO_ROOT, SPEC_PATH


def test_committed_client_is_fresh() -> None:
    assert check() == []


def test_check_command_passes_on_main() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_generation_is_byte_identical_across_runs(tmp_path: Path) -> None:
    build(SPEC_PATH, tmp_path / "one")
    build(SPEC_PATH, tmp_path / "two")
    assert differences(tmp_path / "one", tmp_path / "two") == []
    assert not list((tmp_path / "one").rglob(".ruff_cache"))


def _edited_spec(tmp_path: Path, edit: str) -> Path:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    operation = spec["paths"]["/fapi/v1/marginType"]["post"]
    if edit == "weight":
        operation["x-binance-weight"]["value"] = 5
    else:  # a new documented parameter
        operation["parameters"].append({"name": "positionSide", "in": "query", "schema": {"type": "string"}})
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "named"),
    [("weight", "differs: spec_metadata.py"), ("parameter", "differs: api/futures/change_margin_type.py")],
)
def test_check_fails_after_a_spec_edit_naming_the_files(tmp_path: Path, edit: str, named: str) -> None:
    spec = _edited_spec(tmp_path, edit)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--check", "--spec", str(spec)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert named in result.stderr


def test_check_names_new_and_missing_files(tmp_path: Path) -> None:
    copy = tmp_path / GENERATED_PACKAGE.name
    shutil.copytree(GENERATED_PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "stray.py").write_text("x = 1\n", encoding="utf-8")
    (copy / "types.py").unlink()
    problems = check(SPEC_PATH, copy)
    assert "not generated from the spec: stray.py" in problems
    assert "missing: types.py" in problems


def test_package_version_tracks_the_spec_version() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == spec["info"]["version"]


def test_spec_is_a_valid_openapi_document() -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    document, _ = read_from_filename(str(SPEC_PATH))
    validate(document)  # raises on an invalid spec


def test_every_extension_used_is_in_the_vocabulary() -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    vocabulary = set(spec["info"]["x-binance-extension-vocabulary"])
    used = {word.rstrip(":") for word in text.split() if word.startswith("x-binance-") and word.endswith(":")}
    assert used <= vocabulary, used - vocabulary


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]},
        {"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "array", "items": {"$ref": "#/x/B"}}]},
        {"type": "object"},
    ],
    ids=["two-models", "array-of-another-model", "no-model"],
)
def test_a_response_that_is_no_documented_shape_is_refused_by_name(schema: dict[str, object]) -> None:
    from generator._metadata import _response_shape

    response = {"content": {"application/json": {"schema": schema}}}
    with pytest.raises(ValueError, match="GET /x: the 200 response must be a \\$ref model"):
        _response_shape({}, "GET /x", response)


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ({"kind": "UID"}, "weight kind UID with rate_limit 'sapi-ip': it counts by IP"),
        ({"rate_limit": "sapi-nope"}, "weight kind IP with rate_limit 'sapi-nope': no such rate limit"),
    ],
    ids=["kind-disagrees-with-its-bucket", "unknown-bucket"],
)
def test_a_weight_whose_kind_and_bucket_disagree_is_refused(edit: dict[str, str], says: str) -> None:
    from generator._metadata import render_metadata
    from generator._spec import load_spec

    spec = load_spec(SPEC_PATH)
    spec["paths"]["/sapi/v1/margin/exchange-small-liability"]["get"]["x-binance-weight"].update(edit)
    with pytest.raises(ValueError, match=f"GET /sapi/v1/margin/exchange-small-liability: {says}"):
        render_metadata(spec)
