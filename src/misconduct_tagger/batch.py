"""The batch job: stream records from report files, tag them (in worker processes if asked), and
write one output record per input record, in input order, losing none."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .io.readers import InputRecord
from .io.writers import OutputError, PartialWriter
from .results import TagResult
from .tagger import DEFAULT_BATCH_SIZE, Tagger


@dataclass
class Summary:
    read: int = 0  # records, good or bad; a file that could not be read counts in files_failed instead
    tagged: int = 0
    failed: int = 0
    skipped: int = 0  # already in the partial output of an earlier run
    files_failed: int = 0
    labels: Counter = field(default_factory=Counter)
    first_error: str | None = None


class StrictStop(Exception):
    """--strict: the run stopped at the first bad record, after writing the good records before it."""


def input_digest(record: InputRecord) -> str:
    """What identifies an input record's content, so a resumed run can tell that it changed."""
    content = json.dumps([record.source, record.id, record.text, record.error], ensure_ascii=False)
    return hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def output_record(record: InputRecord, result: TagResult | None) -> dict:
    if result is None:
        return {"id": record.id, "source": record.source, "labels": [], "scores": {}, "evidence": [],
                "error": record.error}
    return {
        "id": record.id,
        "source": record.source,
        "labels": result.label_ids,
        "scores": {label.id: label.score for label in result.labels},
        "evidence": result.evidence_records(),
        "error": None,
    }


def _paired(records: Iterable[InputRecord], tagger: Tagger, jobs: int,
            batch_size: int) -> Iterator[tuple[InputRecord, TagResult | None]]:
    """Each record with its result (None for a bad record), in input order, streaming."""
    waiting: deque[InputRecord] = deque()

    def texts() -> Iterator[str]:
        for record in records:
            waiting.append(record)
            if record.error is None:
                yield record.text

    for result in tagger.tag_many(texts(), n_jobs=jobs, batch_size=batch_size):
        while waiting[0].error is not None:
            yield waiting.popleft(), None
        yield waiting.popleft(), result
    while waiting:
        yield waiting.popleft(), None


def run(records: Iterable[InputRecord], output: Path, tagger: Tagger, *, jobs: int = 1, batch_size: int = DEFAULT_BATCH_SIZE,
        strict: bool = False, resume: bool = False, on_record: Callable[[], None] | None = None) -> Summary:
    """Tag every record into `output`. Raises KeyboardInterrupt/StrictStop with the partial file intact,
    and OutputError, before writing anything, when a resumed run's inputs are not the earlier run's."""
    writer = PartialWriter(output, tagger.versions, resume)
    summary = Summary()
    stopped: list[InputRecord] = []

    def todo() -> Iterator[InputRecord]:
        # Records already answered form a prefix of the input: each must come back unchanged, and
        # none may come before them that the earlier run did not see.
        pending = dict(writer.done)
        for record in records:
            if record.whole_file:
                summary.files_failed += 1
            else:
                summary.read += 1
            if pending:
                digest = pending.pop(record.source, None)
                if digest is None:
                    raise OutputError(f"cannot resume: {record.source} was not in the run that wrote "
                                      f"{writer.partial}, which answered other inputs; run without --resume")
                if digest != input_digest(record):
                    raise OutputError(f"cannot resume: {record.source} changed since the run that wrote "
                                      f"{writer.partial}; run without --resume")
                summary.skipped += 1
                continue
            if record.error is not None and strict:
                summary.first_error = record.error
                stopped.append(record)
                return
            yield record
        if pending:
            raise OutputError(f"cannot resume: {writer.partial} answers {len(pending)} records that the inputs do "
                              f"not hold now (first {next(iter(pending))}); run without --resume")

    try:
        for record, result in _paired(todo(), tagger, jobs, batch_size):
            writer.write(output_record(record, result), input_digest(record))
            if result is None:
                summary.failed += not record.whole_file
                summary.first_error = summary.first_error or record.error
            else:
                summary.tagged += 1
                summary.labels.update(result.label_ids)
            if on_record:
                on_record()
    except BaseException:
        writer.close()
        raise
    if stopped:
        writer.close()
        raise StrictStop(stopped[0].error)
    writer.finish()
    return summary
