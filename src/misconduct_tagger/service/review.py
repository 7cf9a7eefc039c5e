"""The review queue and the corrections it produces.

A queue is a `tag` output or an `evaluate --disagreements` output. Each report is tagged again by the
running tagger (so the page shows full evidence and the correction records what this tagger said)
and the most uncertain come first. Every decision is appended to the corrections file in the
training format and flushed to disk at once, so a killed server loses nothing already decided, and
a restarted one skips what was decided.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DataFileError
from ..io.labelled import json_objects
from ..io.readers import ReadOptions, read_inputs
from ..results import TagResult
from ..tagger import Tagger


@dataclass(frozen=True)
class QueueItem:
    """One report to review, with what the tagger says of it and why it is this far up the queue."""

    id: str
    text: str
    style: str | None
    line: int  # line of the queue file, for messages
    result: TagResult
    uncertainty: float  # in [0, 1]: 1 where rules and model disagree, else how near a probability is to its threshold
    disagreement: tuple[str, ...]  # categories given by rules alone or the model alone, not both
    reason: str


@dataclass(frozen=True)
class QueueRecord:
    """A queue file's line, before tagging."""

    id: str
    text: str
    style: str | None
    line: int


def read_queue(path: Path) -> list[QueueRecord]:
    """The reports of a queue file. A `tag` output holds no text, only each record's `source`
    (file:line), so its text is read back from that input file; records that failed to tag are left out."""
    path = Path(path)
    records: list[QueueRecord] = []
    seen: set[str] = set()
    sources = _SourceTexts(path)
    for number, record in json_objects(path):
        if record.get("error"):
            continue  # a `tag` output's record that could not be tagged: nothing to review
        if not isinstance(record.get("id"), (str, int)):
            raise DataFileError(path, "missing id (a `tag` or `evaluate --disagreements` output has one)",
                                key="id", line=number)
        report_id = str(record["id"])
        if report_id in seen:
            raise DataFileError(path, f"duplicate id {report_id!r}", key="id", line=number)
        seen.add(report_id)
        text = record.get("text")
        if text is None and isinstance(record.get("source"), str):
            text = sources.text(record["source"], number)
        if not isinstance(text, str):
            raise DataFileError(path, "missing or non-text field", key="text", line=number)
        style = record.get("style")
        records.append(QueueRecord(report_id, text, style if isinstance(style, str) else None, number))
    return records


class _SourceTexts:
    """Texts of the input files a `tag` output names in its `source` fields, read once per file, with
    the `tag` command's default options. The paths come from the operator's queue file, never a request."""

    def __init__(self, queue: Path):
        self.queue = queue
        self.files: dict[str, dict[str, str]] = {}

    def text(self, source: str, line: int) -> str:
        name, _, position = source.rpartition(":")
        if not name or not position.isdigit():
            raise DataFileError(self.queue, f"source {source!r} is not file:line", key="source", line=line)
        if name not in self.files:
            candidates = [Path(name), self.queue.parent / name]
            found = next((p for p in candidates if p.is_file()), None)
            if found is None:
                raise DataFileError(self.queue, f"no text field, and the input file {name!r} of its source is "
                                    f"not found (run serve from the folder `tag` ran in)", key="source", line=line)
            self.files[name] = {r.source.rpartition(":")[2]: r.text for r in read_inputs([str(found)], ReadOptions())
                                if r.error is None}
        text = self.files[name].get(position)
        if text is None:
            raise DataFileError(self.queue, f"no text field, and {source!r} holds no report (was it tagged with "
                                "--text-field, --text-column or --per-file? give the queue a text field)",
                                key="source", line=line)
        return text


def build_queue(records: Sequence[QueueRecord], tagger: Tagger) -> list[QueueItem]:
    """Tag every report and order them most uncertain first (ties keep the file's order)."""
    analyses = tagger.analyse_many([r.text for r in records])
    hybrid = tagger.decide_many(analyses)
    by_rules = tagger.decide_many(analyses, "rules")
    has_model = tagger.classifier is not None
    by_model = tagger.decide_many(analyses, "model") if has_model else by_rules
    margins = _threshold_margins(tagger, analyses) if has_model else [None] * len(records)
    items = []
    for record, result, rules, model, margin in zip(records, hybrid, by_rules, by_model, margins):
        disagreement = tuple(sorted(set(rules.label_ids) ^ set(model.label_ids)))
        if disagreement:
            uncertainty, reason = 1.0, "rules and model disagree on " + ", ".join(disagreement)
        elif margin is not None:
            category, distance, probability, threshold = margin
            uncertainty = round(1.0 - distance, 4)
            reason = f"model probability {probability:.2f} for {category}, threshold {threshold:.2f}"
        else:
            uncertainty, reason = 0.0, "rules only"
        items.append(QueueItem(record.id, record.text, record.style, record.line, result, uncertainty,
                               disagreement, reason))
    order = sorted(range(len(items)), key=lambda i: (-items[i].uncertainty, i))
    return [items[i] for i in order]


def _threshold_margins(tagger: Tagger, analyses) -> list[tuple[str, float, float, float]]:
    """For each report, the category whose model probability is closest to its threshold: (category,
    distance, probability, threshold). The distance is measured as a share of the way from the threshold
    to 0 or to 1, so that a probability of 0.00 is far from a threshold of 0.20, not 0.20 away."""
    classifier = tagger.classifier
    probabilities = classifier.proba_from_features(classifier.transform([a.prepared for a in analyses]))
    margins = []
    for row in probabilities:
        best = None
        for category, p, t in zip(tagger.taxonomy.ids, map(float, row), map(float, classifier.thresholds_)):
            room = t if p < t else 1.0 - t
            distance = min(1.0, abs(p - t) / room) if room > 0 else 1.0
            if not math.isfinite(distance):
                distance = 1.0
            if best is None or distance < best[1]:
                best = (category, distance, p, t)
        margins.append(best)
    return margins


class CorrectionLog:
    """The corrections file: one JSON line a decision, appended, flushed and fsync'd before the
    request is answered."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.decided: dict[str, list[str]] = self._recover()
        self._handle = self.path.open("a", encoding="utf-8")

    def _recover(self) -> dict[str, list[str]]:
        """The decisions already in the file; a last line cut short by a kill is dropped."""
        decided: dict[str, list[str]] = {}
        if not self.path.exists():
            return decided
        keep = 0
        with self.path.open("rb+") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    break
                if raw.strip():
                    try:
                        record = json.loads(raw)
                        decided[str(record["id"])] = list(record["labels"])
                    except (ValueError, KeyError, TypeError):
                        raise DataFileError(self.path, "not a corrections record (id, text, labels)",
                                            line=number) from None
                keep += len(raw)
            handle.truncate(keep)
        return decided

    def append(self, record: dict) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.decided[str(record["id"])] = list(record["labels"])

    def close(self) -> None:
        self._handle.close()


class AlreadyDecided(Exception):
    """A report already has a decision in the corrections file: the first one stands, so the
    file never holds two records with one id (which training would refuse)."""


class ReviewSession:
    """A queue being reviewed into a corrections file; safe to call from several request threads."""

    def __init__(self, items: Sequence[QueueItem], log: CorrectionLog, known_labels: Iterable[str]):
        self.items = list(items)
        self.log = log
        self.known = tuple(known_labels)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, queue: Path, corrections: Path, tagger: Tagger) -> "ReviewSession":
        return cls(build_queue(read_queue(queue), tagger), CorrectionLog(corrections), tagger.taxonomy.ids)

    @property
    def decided_count(self) -> int:
        return sum(1 for item in self.items if item.id in self.log.decided)

    def first_open(self) -> int | None:
        """The position of the most uncertain report not decided yet."""
        return next((i for i, item in enumerate(self.items) if item.id not in self.log.decided), None)

    def decision(self, position: int) -> list[str] | None:
        return self.log.decided.get(self.items[position].id)

    def decide(self, position: int, labels: Sequence[str], reviewer: str | None) -> dict:
        """Append the reviewer's labels for the report at `position`; returns the record written."""
        item = self.items[position]
        unknown = sorted(set(labels) - set(self.known))
        if unknown:
            raise ValueError(f"unknown category id(s): {', '.join(unknown)}")
        ordered = [label for label in self.known if label in set(labels)]
        record = {"id": item.id, "text": item.text, "labels": ordered}
        if item.style:
            record["style"] = item.style
        if reviewer:
            record["reviewed_by"] = reviewer
        record.update({
            "reviewed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "tagger_labels": item.result.label_ids,
            "versions": item.result.versions,
        })
        with self._lock:
            if item.id in self.log.decided:
                raise AlreadyDecided(item.id)
            self.log.append(record)
        return record
