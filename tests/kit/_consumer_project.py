"""Run a test file as a consuming project would: its own directory and rootdir, the package as installed,
mypy --strict over the file, then pytest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _env() -> dict[str, str]:
    drop = ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "MYPYPATH")
    return {key: value for key, value in os.environ.items() if key not in drop}


def run_in_project(project: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """`python *argv` in `project`, with the environment a consumer has (nothing of this repository's)."""
    return subprocess.run(
        [sys.executable, *argv],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def run_pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in `project`, as its own rootdir, with plugin autoload as a consumer has it."""
    return run_in_project(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)


def run_consumer_tests(
    source: str,
    project: Path,
    *,
    mypy_cache: Path,
    pytest_args: tuple[str, ...] = (),
    pyproject: str | None = None,
) -> str:
    """Write `source` as test_consumer.py in `project`; assert mypy --strict and pytest pass; pytest's
    output."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "test_consumer.py").write_text(source, encoding="utf-8")
    if pyproject is not None:
        (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    else:
        (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    typed = run_in_project(
        project, "-m", "mypy", "--strict", "--cache-dir", str(mypy_cache), "test_consumer.py"
    )
    assert typed.returncode == 0, f"mypy --strict:\n{typed.stdout}{typed.stderr}"
    ran = run_pytest(project, *pytest_args, "test_consumer.py")
    assert ran.returncode == 0, f"pytest:\n{ran.stdout}{ran.stderr}"
    assert " passed" in ran.stdout and "skipped" not in ran.stdout, ran.stdout
    return ran.stdout
