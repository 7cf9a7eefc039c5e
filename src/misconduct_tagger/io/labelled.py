"""Labelled report files (JSONL: id, text, labels, optional style, case and origin), as used for training and measuring."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFileError


@dataclass(frozen=True)
class LabelledReport:
    id: str
    text: str
    labels: frozenset[str]
    style: str | None = None
    case: str | None = None  # the real case a report retells: reports of one case stay in one fold
    origin: str | None = None  # where the report comes from (`real`, `written`): evaluations score each apart


def json_objects(path: Path) -> Iterator[tuple[int, dict]]:
    """Each non-blank line of a JSONL file as (line number, object); a bad line raises DataFileError."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(path, f"not valid JSON: {exc.msg}", line=number) from None
            if not isinstance(record, dict):
                raise DataFileError(path, "a record must be a JSON object", line=number)
            yield number, record


def _nonblank(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def read_labelled(path: Path | str, known_labels: set[str] | None = None) -> list[LabelledReport]:
    """All reports of a labelled JSONL file; a bad line raises an error naming the file, line and field."""
    path = Path(path)
    reports = []
    seen: set[str] = set()
    for number, record in json_objects(path):
        text, labels = record.get("text"), record.get("labels")
        if not isinstance(text, str):
            raise DataFileError(path, "missing or non-text field", key="text", line=number)
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise DataFileError(path, "labels must be a list of category ids", key="labels", line=number)
        if known_labels is not None:
            unknown = set(labels) - known_labels
            if unknown:
                raise DataFileError(path, f"unknown label(s) {', '.join(sorted(unknown))}", key="labels", line=number)
        report_id = str(record.get("id", f"{path.name}:{number}"))
        if report_id in seen:
            raise DataFileError(path, f"duplicate id {report_id!r}", key="id", line=number)
        seen.add(report_id)
        style = record.get("style")
        reports.append(LabelledReport(report_id, text, frozenset(labels), style if isinstance(style, str) else None,
                                      _nonblank(record.get("case")), _nonblank(record.get("origin"))))
    return reports


@dataclass(frozen=True)
class Override:
    """A report of a later file that replaced one of an earlier file with the same id."""

    id: str
    earlier: Path
    later: Path


def read_labelled_files(paths: Sequence[Path | str], known_labels: set[str] | None = None
                        ) -> tuple[list[LabelledReport], list[Override]]:
    """The reports of several labelled files, concatenated in order. A later file's report replaces an
    earlier one with the same id, where it stood: a reviewer's correction (`serve --corrections`) given
    after the file it corrects wins, and the caller can say which ids it overrode."""
    merged: dict[str, LabelledReport] = {}
    origin: dict[str, Path] = {}
    overrides: list[Override] = []
    for path in map(Path, paths):
        for report in read_labelled(path, known_labels):
            if report.id in merged:
                overrides.append(Override(report.id, origin[report.id], path))
            merged[report.id] = report  # a dict keeps the first insertion's place
            origin[report.id] = path
    return list(merged.values()), overrides
