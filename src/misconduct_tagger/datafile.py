"""Reading the YAML data files under `rules/`, with errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import DataFileError


def read_yaml(path: Path) -> object:
    """The parsed content of a YAML file; a missing, undecodable or malformed file raises DataFileError."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataFileError(path, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", line=line) from None
