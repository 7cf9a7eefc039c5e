"""Exceptions that name where the problem is, so a user can fix the file rather than read a traceback."""

from __future__ import annotations

from pathlib import Path


class MisconductTaggerError(Exception):
    """Base class of every error this library raises on purpose."""


class DataFileError(MisconductTaggerError, ValueError):
    """A shipped or user-supplied data file (taxonomy, rules, cues, model card) is malformed."""

    def __init__(self, path: Path | str, message: str, *, key: str | None = None, line: int | None = None):
        self.path = Path(path)
        self.key = key
        self.line = line
        self.message = message
        where = str(self.path)
        if line is not None:
            where += f":{line}"
        if key:
            where += f" [{key}]"
        super().__init__(f"{where}: {message}")
