"""Batch output: JSONL or CSV by extension, written through a `.partial` JSONL file that is flushed
record by record, so an interrupted run leaves a valid prefix that `--resume` continues, and renamed
into place only on success."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

CSV_COLUMNS = ("id", "source", "labels", "scores", "evidence", "error")


def partial_path(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def output_format(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"{output}: the output must end in .jsonl or .csv")


def completed_sources(partial: Path) -> set[str]:
    """Sources already written to a partial file; a last line cut short by a kill is dropped."""
    done: set[str] = set()
    if not partial.exists():
        return done
    keep = 0
    with partial.open("rb+") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                done.add(json.loads(raw)["source"])
            except (ValueError, KeyError):
                break
            keep += len(raw)
        handle.truncate(keep)
    return done


class PartialWriter:
    """Appends output records to the partial file, one flushed line each."""

    def __init__(self, output: Path, resume: bool):
        self.output = output
        self.partial = partial_path(output)
        self.format = output_format(output)
        self.done = completed_sources(self.partial) if resume else set()
        self.partial.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.partial.open("a" if resume else "w", encoding="utf-8")

    def write(self, record: dict) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def finish(self) -> None:
        """Move the complete output into place (converting to CSV when asked)."""
        self.close()
        if self.format == "jsonl":
            os.replace(self.partial, self.output)
            return
        staging = self.output.with_name(self.output.name + ".tmp")
        with self.partial.open(encoding="utf-8") as source, staging.open("w", encoding="utf-8", newline="") as target:
            writer = csv.writer(target)
            writer.writerow(CSV_COLUMNS)
            for line in source:
                record = json.loads(line)
                writer.writerow([
                    record["id"], record["source"], ";".join(record["labels"]),
                    json.dumps(record["scores"], ensure_ascii=False),
                    json.dumps(record["evidence"], ensure_ascii=False), record["error"] or "",
                ])
        os.replace(staging, self.output)
        self.partial.unlink()
