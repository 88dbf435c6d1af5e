"""`python -m generator [--check]`, and the docs loop: `fetch-docs OUT_DIR`, `docs-check DOCS_DIR`,
`docs-sync DOCS_DIR [--write]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import _doc_facts
from ._generate import check, generate
from ._paths import GENERATED_PACKAGE, REPO_ROOT, SPEC_PATH
from ._spec import load_spec


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["docs-check"]:
        from .docs_check import main as docs_check_main

        return docs_check_main(args[1:])
    if args[:1] == ["docs-sync"]:
        from .docs_sync import main as docs_sync_main

        return docs_sync_main(args[1:])
    if args[:1] == ["fetch-docs"]:
        from .docs_fetch import main as fetch_docs_main

        return fetch_docs_main(args[1:])
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Regenerate generated_client/ and the facts marked in README.md and docs/ from "
        "spec/openapi.yaml (or check they are fresh). "
        "See also: python -m generator fetch-docs OUT_DIR | docs-check DOCS_DIR | docs-sync DOCS_DIR.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed output is stale")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI spec to read")
    parser.add_argument("--target", type=Path, default=GENERATED_PACKAGE, help="the package to write")
    options = parser.parse_args(args)
    if options.check:
        problems = check(options.spec, options.target) + _doc_facts.stale(load_spec(options.spec))
        for line in problems:
            print(f"generator --check: {line}", file=sys.stderr)
        if problems:
            print("generator --check: run `python -m generator` and commit the result", file=sys.stderr)
            return 1
        print(f"generator --check: {options.target.relative_to(REPO_ROOT)} matches {options.spec.name}")
        return 0
    generate(options.spec, options.target)
    print(f"generator: wrote {options.target} from {options.spec}")
    for document in _doc_facts.write(load_spec(options.spec)):
        print(f"generator: wrote the spec's facts into {document.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
