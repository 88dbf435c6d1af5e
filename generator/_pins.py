"""The exact tool versions generation depends on: other versions produce other bytes."""

from __future__ import annotations

from importlib import metadata

PINS = {"openapi-python-client": "0.29.1", "ruff": "0.14.4"}


def check_pins() -> None:
    """Refuse to generate with unpinned tools (the output would differ from CI's)."""
    wrong = []
    for name, wanted in PINS.items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            wrong.append(f"{name} {found} (need =={wanted})")
    if wrong:
        hint = " ".join(f"{n}=={v}" for n, v in PINS.items())
        raise SystemExit(f"generator: wrong tool versions: {', '.join(wrong)}; pip install {hint}")
