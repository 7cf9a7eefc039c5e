"""Batch output: JSONL or CSV by extension, written through a `.partial` JSONL file that is flushed
record by record, so an interrupted run leaves a valid prefix that `--resume` continues, and moved
into place only on success.

The partial file starts with a header naming the tagger versions that wrote it, and each of its
records carries a digest of the input record it answers. `--resume` continues only when the versions
are the same and every input record already answered still has the same digest; the header and
digests are dropped from the final output."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MisconductTaggerError

CSV_COLUMNS = ("id", "source", "labels", "scores", "evidence", "error")
HEADER_KEY = "misconduct_tagger_partial"
DIGEST_KEY = "input_digest"


class OutputError(MisconductTaggerError):
    """The output cannot be written, would overwrite an input, or cannot be resumed."""


def partial_path(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def output_format(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise OutputError(f"{output}: the output must end in .jsonl or .csv")


def check_output(output: Path, inputs: set[Path]) -> None:
    """Refuse, before anything is read, an output that is one of the inputs or cannot be written."""
    output_format(output)
    for path in (output, partial_path(output)):
        if path.resolve() in inputs:
            raise OutputError(f"{path} is one of the inputs; refusing to overwrite it (choose another output)")
    partial = partial_path(output)
    existed = partial.exists()
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.open("a", encoding="utf-8").close()
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    if not existed:
        partial.unlink()


@dataclass
class PartialState:
    """What an earlier run left: its header and, for every input record answered, its digest."""

    header: dict | None = None
    done: dict[str, str] = field(default_factory=dict)


def read_partial(partial: Path) -> PartialState:
    """The state of a partial file; a last line cut short by a kill is dropped from the file."""
    state = PartialState()
    if not partial.exists():
        return state
    keep = 0
    with partial.open("rb+") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
                if state.header is None and keep == 0 and HEADER_KEY in record:
                    state.header = record
                else:
                    state.done[record["source"]] = record.get(DIGEST_KEY, "")
            except (ValueError, KeyError, TypeError):
                break
            keep += len(raw)
        handle.truncate(keep)
    return state


class PartialWriter:
    """Appends output records to the partial file, one flushed line each."""

    def __init__(self, output: Path, versions: dict, resume: bool):
        self.output = output
        self.partial = partial_path(output)
        self.format = output_format(output)
        header = {HEADER_KEY: 1, "versions": versions}
        state = read_partial(self.partial) if resume else PartialState()
        if state.done or state.header:
            if state.header is None:
                raise OutputError(f"cannot resume: {self.partial} has no header, so what it answers is unknown; "
                                  "delete it or run without --resume")
            if state.header.get("versions") != versions:
                raise OutputError(f"cannot resume: {self.partial} was written by another model or ruleset "
                                  f"({state.header.get('versions')}, now {versions}); run without --resume")
        self.done = state.done
        self.partial.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.partial.open("a" if state.header else "w", encoding="utf-8")
        if not state.header:
            self._write(header)

    def _write(self, record: dict) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()

    def write(self, record: dict, digest: str) -> None:
        self._write({**record, DIGEST_KEY: digest})

    def close(self) -> None:
        self._handle.close()

    def finish(self) -> None:
        """Move the complete output into place, without the header and digests (as CSV when asked)."""
        self.close()
        staging = self.output.with_name(self.output.name + ".tmp")
        with self.partial.open(encoding="utf-8") as source, staging.open("w", encoding="utf-8", newline="") as target:
            writer = csv.writer(target) if self.format == "csv" else None
            if writer:
                writer.writerow(CSV_COLUMNS)
            for line in source:
                record = json.loads(line)
                if HEADER_KEY in record:
                    continue
                record.pop(DIGEST_KEY, None)
                if writer is None:
                    target.write(json.dumps(record, ensure_ascii=False) + "\n")
                    continue
                writer.writerow([
                    record["id"], record["source"], ";".join(record["labels"]),
                    json.dumps(record["scores"], ensure_ascii=False),
                    json.dumps(record["evidence"], ensure_ascii=False), record["error"] or "",
                ])
        os.replace(staging, self.output)
        self.partial.unlink()
