"""The results the library returns: plain dataclasses, JSON-ready through `to_dict()`.

Every offset indexes the text the user passed in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
class TagResult:
    """All labels of one report, with the versions that produced them."""

    text: str
    labels: tuple[LabelResult, ...] = ()
    versions: dict = field(default_factory=dict)
    mode: str = "hybrid"

    @property
    def label_ids(self) -> list[str]:
        return [label.id for label in self.labels]

    def to_dict(self) -> dict:
        return asdict(self)
