"""Where the shipped rules and models live: inside the wheel, or beside `src/` in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE / "_shipped"
_CHECKOUT = _PACKAGE.parent.parent


def _locate(name: str) -> Path:
    for base in (_SHIPPED, _CHECKOUT):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the shipped '{name}' folder in {_SHIPPED} or {_CHECKOUT}")


def rules_dir() -> Path:
    """The ruleset shipped with the library."""
    return _locate("rules")


def models_dir() -> Path:
    """The folder holding the shipped trained models."""
    return _locate("models")
