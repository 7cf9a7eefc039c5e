"""Multi-label metrics over category ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True)
class Scores:
    per_label: tuple[LabelScore, ...]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    exact_match: float
    empty_false_positive_rate: float  # share of gold no-label reports given any label
    n_reports: int


def _safe(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return _safe(2 * p * r, p + r)


def score(gold: Sequence[set[str]], predicted: Sequence[set[str]], labels: Sequence[str]) -> Scores:
    """Per-label and averaged scores; labels with no support and no prediction score 0 (as scikit-learn's zero_division=0)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predicted")
    per_label = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted) if label in g and label not in p)
        precision, recall = _safe(tp, tp + fp), _safe(tp, tp + fn)
        per_label.append(LabelScore(label, precision, recall, _f1(precision, recall), tp + fn, tp, fp, fn))
    tp = sum(s.tp for s in per_label)
    fp = sum(s.fp for s in per_label)
    fn = sum(s.fn for s in per_label)
    micro_p, micro_r = _safe(tp, tp + fp), _safe(tp, tp + fn)
    n = len(per_label)
    empties = [p for g, p in zip(gold, predicted) if not g]
    return Scores(
        per_label=tuple(per_label),
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=_f1(micro_p, micro_r),
        macro_precision=_safe(sum(s.precision for s in per_label), n),
        macro_recall=_safe(sum(s.recall for s in per_label), n),
        macro_f1=_safe(sum(s.f1 for s in per_label), n),
        exact_match=_safe(sum(1 for g, p in zip(gold, predicted) if set(g) & set(labels) == set(p) & set(labels)), len(gold)),
        empty_false_positive_rate=_safe(sum(1 for p in empties if p), len(empties)),
        n_reports=len(gold),
    )
