"""Report files for batch tagging: JSONL, CSV/TSV, TXT (a report a line or a report a file),
directories of those, and standard input. Records stream one by one; a bad record becomes an
`InputRecord` with `error` set, naming its file and line, and reading goes on."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .encoding import SAMPLE, detect_encoding, file_encoding

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "txt"}


@dataclass(frozen=True)
class InputRecord:
    """One report to tag, or the reason it cannot be tagged. `source` is "file:line" and unique."""

    id: str
    source: str
    text: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    text_field: str = "text"
    id_field: str = "id"
    text_column: str = "text"
    id_column: str | None = "id"
    per_file: bool = False
    encoding: str | None = None
    stdin_format: str | None = None  # jsonl, csv, tsv or txt; guessed from the first byte when None


def _undecodable(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _open_text(raw: io.BufferedIOBase, encoding: str) -> io.TextIOWrapper:
    # Undecodable bytes become lone surrogates, so one bad line is reported and the rest is read.
    return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")


def _jsonl(handle, name: str, options: ReadOptions) -> Iterator[InputRecord]:
    for number, line in enumerate(handle, start=1):
        source = f"{name}:{number}"
        if not line.strip():
            continue
        if _undecodable(line):
            yield InputRecord(source, source, error=f"{source}: bytes that are not {handle.encoding}")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputRecord(source, source, error=f"{source}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield InputRecord(source, source, error=f"{source}: a record must be a JSON object")
            continue
        raw_id = record.get(options.id_field)
        record_id = str(raw_id) if raw_id is not None and not isinstance(raw_id, (dict, list)) else source
        text = record.get(options.text_field)
        if text is None:
            yield InputRecord(record_id, source, error=f"{source}: missing field {options.text_field!r}")
        elif not isinstance(text, str):
            yield InputRecord(record_id, source,
                              error=f"{source}: field {options.text_field!r} is {type(text).__name__}, not text")
        else:
            yield InputRecord(record_id, source, text)


def _delimited(handle, name: str, options: ReadOptions, delimiter: str) -> Iterator[InputRecord]:
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    if options.text_column not in header:
        yield InputRecord(f"{name}:1", f"{name}:1",
                          error=f"{name}:1: no column {options.text_column!r} (columns: {', '.join(header)})")
        return
    text_at = header.index(options.text_column)
    id_at = header.index(options.id_column) if options.id_column in header else None
    for row in reader:
        source = f"{name}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        record_id = row[id_at] if id_at is not None and id_at < len(row) and row[id_at] else source
        if any(_undecodable(cell) for cell in row):
            yield InputRecord(record_id, source, error=f"{source}: bytes that are not {handle.encoding}")
        elif text_at >= len(row):
            yield InputRecord(record_id, source, error=f"{source}: row has no {options.text_column!r} cell")
        else:
            yield InputRecord(record_id, source, row[text_at])


def _txt(handle, name: str, options: ReadOptions) -> Iterator[InputRecord]:
    if options.per_file:
        text = handle.read()
        source = f"{name}:1"
        if _undecodable(text):
            yield InputRecord(name, source, error=f"{name}: bytes that are not {handle.encoding}")
        elif text.strip():
            yield InputRecord(name, source, text)
        return
    for number, line in enumerate(handle, start=1):
        source = f"{name}:{number}"
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if _undecodable(line):
            yield InputRecord(source, source, error=f"{source}: bytes that are not {handle.encoding}")
        else:
            yield InputRecord(source, source, line)


def _parse(handle, name: str, fmt: str, options: ReadOptions) -> Iterator[InputRecord]:
    if fmt == "jsonl":
        return _jsonl(handle, name, options)
    if fmt in ("csv", "tsv"):
        return _delimited(handle, name, options, "," if fmt == "csv" else "\t")
    return _txt(handle, name, options)


def read_file(path: Path, options: ReadOptions) -> Iterator[InputRecord]:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        yield InputRecord(str(path), f"{path}:0",
                          error=f"{path}: unsupported file type {path.suffix!r} (use .jsonl, .csv, .tsv or .txt)")
        return
    try:
        encoding = options.encoding or file_encoding(path)
        with path.open("rb") as raw, _open_text(raw, encoding) as handle:
            yield from _parse(handle, str(path), fmt, options)
    except OSError as exc:
        yield InputRecord(str(path), f"{path}:0", error=f"{path}: cannot read: {exc.strerror or exc}")
    except LookupError:
        yield InputRecord(str(path), f"{path}:0", error=f"{path}: unknown encoding {options.encoding!r}")


def read_stdin(options: ReadOptions, stream: io.BufferedIOBase | None = None) -> Iterator[InputRecord]:
    raw = io.BufferedReader(stream or sys.stdin.buffer, buffer_size=SAMPLE)
    head = raw.peek(SAMPLE)[:SAMPLE]
    encoding = options.encoding or detect_encoding(head)
    fmt = options.stdin_format or ("jsonl" if head.lstrip().startswith(b"{") else "txt")
    with _open_text(raw, encoding) as handle:
        yield from _parse(handle, "<stdin>", fmt, options)


def read_inputs(inputs: list[str], options: ReadOptions) -> Iterator[InputRecord]:
    """Every record of every input, in order; directories are walked in sorted order."""
    for name in inputs:
        if name == "-":
            yield from read_stdin(options)
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS):
                yield from read_file(child, options)
        elif path.exists():
            yield from read_file(path, options)
        else:
            yield InputRecord(name, f"{name}:0", error=f"{name}: no such file or folder")
