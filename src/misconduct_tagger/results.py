"""The results the library returns: plain dataclasses, JSON-ready through `to_dict()`.

Every offset indexes the text the user passed in.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Evidence:
    """A span of the original text behind a label: `text == original[start:end]`."""

    start: int
    end: int
    text: str
    source: str  # a rule id, or "model"
    assertion: str | None = None
    cue: str | None = None
    pattern: str | None = None
    weight: float | None = None


@dataclass(frozen=True)
class ModelExplanation:
    """How the classifier scored one category."""

    probability: float
    threshold: float
    top_features: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class LabelResult:
    """One category given to a report.

    `score` is the combined confidence in [0, 1]: the noisy-OR of the model's calibrated probability
    and the weights (expected precisions) of the affirmed or alleged rule hits. `policy` names the
    rule of the decision that gave the label.
    """

    id: str
    name: str
    score: float
    assertion: str
    policy: str
    evidence: tuple[Evidence, ...] = ()
    model: ModelExplanation | None = None


@dataclass(frozen=True)
class GateDecision:
    """What the report-level gate made of a report: its kind (incident, directive, verification or
    neutral), the probability that it tells of an incident, and the cues found in it that weigh most
    toward that kind."""

    kind: str
    incident_probability: float
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagResult:
    """All labels of one report, with the versions that produced them and, in hybrid mode with a model
    that has one, what the report-level gate decided (`gate.kind`, `gate.incident_probability`, the
    cues behind it)."""

    text: str
    labels: tuple[LabelResult, ...] = ()
    versions: dict = field(default_factory=dict)
    mode: str = "hybrid"
    gate: GateDecision | None = None

    @property
    def label_ids(self) -> list[str]:
        return [label.id for label in self.labels]

    def scores(self, categories: Sequence[str]) -> dict[str, float]:
        """Every category's score: the label's, 0.0 for a category not given."""
        given = {label.id: label.score for label in self.labels}
        return {category: given.get(category, 0.0) for category in categories}

    def evidence_records(self, labels: Collection[str] | None = None) -> list[dict]:
        """The evidence of every label (or of `labels`) as flat records, as batch output and tables show it."""
        return [
            {"label": label.id, "start": e.start, "end": e.end, "text": e.text, "source": e.source,
             "assertion": e.assertion, "cue": e.cue}
            for label in self.labels if labels is None or label.id in labels
            for e in label.evidence
        ]

    def to_dict(self) -> dict:
        """The result as JSON-ready data. Lone surrogates (undecodable bytes a reader let through) become
        U+FFFD in every text, so the dict always encodes as UTF-8; one character for one, so offsets hold."""
        return _without_surrogates(asdict(self))


def _without_surrogates(value):
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _without_surrogates(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_surrogates(item) for item in value)
    return value
