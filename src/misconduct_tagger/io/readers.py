"""Report files for batch tagging: JSONL, CSV/TSV, TXT (a report a line or a report a file),
directories of those, and standard input. Records stream one by one; a bad record becomes an
`InputRecord` with `error` set, naming its file and line, and reading goes on."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .encoding import SAMPLE, binary_content, detect_encoding

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "txt"}
# Headers that name the report text in exported spreadsheets, tried in order when no column is given.
TEXT_COLUMNS = ("text", "内容", "正文", "文本", "反映内容", "问题描述")
STDIN = "-"


@dataclass(frozen=True)
class InputRecord:
    """One report to tag, or the reason it cannot be tagged. `source` is "file:line" and unique.

    `whole_file` marks an error that concerns a whole file (binary content, no text column, unreadable):
    it stands for all the records that file may hold, which were not read."""

    id: str
    source: str
    text: str | None = None
    error: str | None = None
    whole_file: bool = False


def _file_error(name: str, message: str) -> InputRecord:
    return InputRecord(name, f"{name}:0", error=f"{name}: {message}", whole_file=True)


@dataclass(frozen=True)
class ReadOptions:
    text_field: str = "text"
    id_field: str = "id"
    text_column: str | None = None  # None: the first of TEXT_COLUMNS the header has
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
            # Without its line ending, so an unterminated string is reported as such, at its own column.
            record = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield InputRecord(source, source, error=f"{source}: not valid JSON: {exc.msg}: column {exc.colno}")
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


def _text_column(header: list[str], options: ReadOptions) -> str | None:
    if options.text_column is not None:
        return options.text_column if options.text_column in header else None
    return next((name for name in TEXT_COLUMNS if name in header), None)


def _delimited(handle, name: str, options: ReadOptions, note: Callable[[str], None],
               delimiter: str) -> Iterator[InputRecord]:
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    column = _text_column(header, options)
    if column is None:
        wanted = repr(options.text_column) if options.text_column else " or ".join(map(repr, TEXT_COLUMNS))
        yield _file_error(name, f"no column {wanted}; its columns are {', '.join(map(repr, header))}: "
                                "name the text column with --text-column")
        return
    if options.text_column is None and column != TEXT_COLUMNS[0]:
        note(f"{name}: reading the report text from column {column!r}")
    text_at = header.index(column)
    id_at = header.index(options.id_column) if options.id_column in header else None
    for row in reader:
        source = f"{name}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        record_id = row[id_at] if id_at is not None and id_at < len(row) and row[id_at] else source
        if any(_undecodable(cell) for cell in row):
            yield InputRecord(record_id, source, error=f"{source}: bytes that are not {handle.encoding}")
        elif text_at >= len(row):
            yield InputRecord(record_id, source, error=f"{source}: row has no {column!r} cell")
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


def _ignore(message: str) -> None:
    pass


def _parse(raw: io.BufferedReader, name: str, fmt: str, options: ReadOptions,
           note: Callable[[str], None]) -> Iterator[InputRecord]:
    head = raw.peek(SAMPLE)[:SAMPLE]
    if reason := binary_content(head):
        yield _file_error(name, f"binary content ({reason}), not a {fmt.upper()} report file")
        return
    encoding = options.encoding or detect_encoding(head)
    with _open_text(raw, encoding) as handle:
        if fmt == "jsonl":
            yield from _jsonl(handle, name, options)
        elif fmt in ("csv", "tsv"):
            yield from _delimited(handle, name, options, note, "," if fmt == "csv" else "\t")
        else:
            yield from _txt(handle, name, options)


def read_file(path: Path, options: ReadOptions, note: Callable[[str], None] = _ignore,
              name: str | None = None) -> Iterator[InputRecord]:
    """The records of one file; `name` (default: the path) is how sources and errors name it."""
    name = name or str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        yield _file_error(name, f"unsupported file type {path.suffix!r} (use .jsonl, .csv, .tsv or .txt)")
        return
    try:
        with path.open("rb", buffering=SAMPLE) as raw:
            yield from _parse(raw, name, fmt, options, note)
    except OSError as exc:
        yield _file_error(name, f"cannot read: {exc.strerror or exc}")
    except LookupError:
        yield _file_error(name, f"unknown encoding {options.encoding!r}")


def read_stdin(options: ReadOptions, stream: io.BufferedIOBase | None = None,
               note: Callable[[str], None] = _ignore) -> Iterator[InputRecord]:
    raw = io.BufferedReader(stream or sys.stdin.buffer, buffer_size=SAMPLE)
    fmt = options.stdin_format or ("jsonl" if raw.peek(SAMPLE)[:SAMPLE].lstrip().startswith(b"{") else "txt")
    yield from _parse(raw, "<stdin>", fmt, options, note)


@dataclass(frozen=True)
class InputFile:
    """One input to read: `path` is None for standard input and for a name that does not exist."""

    name: str
    path: Path | None


@dataclass(frozen=True)
class InputPlan:
    """The inputs of a run, each file once: folders walked in sorted order, repeats dropped."""

    files: tuple[InputFile, ...]
    repeats: tuple[str, ...]  # one sentence per input dropped because an earlier one reads the same file

    def paths(self) -> set[Path]:
        return {f.path for f in self.files if f.path is not None}


def plan_inputs(inputs: Sequence[str]) -> InputPlan:
    files: list[InputFile] = []
    repeats: list[str] = []
    seen: dict[Path, str] = {}

    def add(name: str, path: Path) -> None:
        resolved = path.resolve()
        if resolved in seen:
            repeats.append(f"{name} is the same file as {seen[resolved]}: read once")
            return
        seen[resolved] = name
        files.append(InputFile(name, resolved))

    for name in inputs:
        path = Path(name)
        if name == STDIN:
            files.append(InputFile(name, None))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS):
                add(str(child), child)
        elif path.exists():
            add(name, path)
        else:
            files.append(InputFile(name, None))
    return InputPlan(tuple(files), tuple(repeats))


def read_inputs(inputs: Sequence[str] | InputPlan, options: ReadOptions,
                note: Callable[[str], None] = _ignore) -> Iterator[InputRecord]:
    """Every record of every input, in order, each file once; `note` hears what the reader decided
    on the user's behalf (a repeated input skipped, a text column guessed)."""
    plan = inputs if isinstance(inputs, InputPlan) else plan_inputs(inputs)
    for message in plan.repeats:
        note(message)
    for item in plan.files:
        if item.name == STDIN:
            yield from read_stdin(options, note=note)
        elif item.path is None:
            yield _file_error(item.name, "no such file or folder")
        else:
            yield from read_file(item.path, options, note, item.name)
