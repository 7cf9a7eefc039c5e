"""The batch job: stream records from report files, tag them (in worker processes if asked), and
write one output record per input record, in input order, losing none."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .io.readers import InputRecord
from .io.writers import PartialWriter
from .results import TagResult
from .tagger import DEFAULT_BATCH_SIZE, Tagger


@dataclass
class Summary:
    read: int = 0
    tagged: int = 0
    failed: int = 0
    skipped: int = 0  # already in the partial output of an earlier run
    labels: Counter = field(default_factory=Counter)
    first_error: str | None = None


class StrictStop(Exception):
    """--strict: the run stops at the first bad record."""


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
    """Tag every record into `output`. Raises KeyboardInterrupt/StrictStop with the partial file intact."""
    writer = PartialWriter(output, resume)
    summary = Summary()

    def todo() -> Iterator[InputRecord]:
        for record in records:
            summary.read += 1
            if record.source in writer.done:
                summary.skipped += 1
                continue
            if record.error is not None and strict:
                summary.failed += 1
                summary.first_error = record.error
                raise StrictStop(record.error)
            yield record

    try:
        for record, result in _paired(todo(), tagger, jobs, batch_size):
            writer.write(output_record(record, result))
            if result is None:
                summary.failed += 1
                summary.first_error = summary.first_error or record.error
            else:
                summary.tagged += 1
                summary.labels.update(result.label_ids)
            if on_record:
                on_record()
    except BaseException:
        writer.close()
        raise
    writer.finish()
    return summary
