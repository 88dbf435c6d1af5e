"""bench/size.py counts code lines the way BENCHMARKS.md says: no blanks, comments or docstrings."""

from __future__ import annotations

import importlib.util
import sys
import textwrap

from generator._paths import REPO_ROOT

# Loaded from its file: bench/ is a directory of scripts, not a package on the path.
_SPEC = importlib.util.spec_from_file_location("bench_size", REPO_ROOT / "bench" / "size.py")
assert _SPEC is not None and _SPEC.loader is not None
size = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = size  # dataclasses look their module up
_SPEC.loader.exec_module(size)

SOURCE = textwrap.dedent(
    '''\
    """A module docstring
    over two lines."""

    # a comment
    import os  # a trailing comment counts as code


    def f(
        x: int,
    ) -> int:
        """One line."""
        text = """a string that is
    not a docstring"""
        return x + len(text) + len(os.sep)
    '''
)


def test_code_lines_leave_out_blanks_comments_and_docstrings_only() -> None:
    # import, def over three lines, the two-line string, return
    assert size.code_lines(SOURCE) == 1 + 3 + 2 + 1


def test_the_size_target_is_met_only_when_both_counts_shrink() -> None:
    baseline = size.Size(files=3, lines=100, code_lines=60)
    assert "NOT MET" in size.table(size.Size(3, 99, 60), baseline)[1][0]
    assert "NOT MET" in size.table(size.Size(3, 120, 59), baseline)[1][0]
    assert size.table(size.Size(4, 99, 59), baseline)[1][0].endswith(": MET")
    assert size.table(size.Size(3, 99, 59), "no git")[1] == []


def test_a_commit_is_measured_from_git() -> None:
    # HEAD is in every clone, shallow or not (the baseline may not be in a shallow one).
    committed = size.at("HEAD")
    assert isinstance(committed, size.Size), committed
    assert committed.files > 0 and 0 < committed.code_lines < committed.lines
    assert isinstance(size.at("0" * 40), str)
