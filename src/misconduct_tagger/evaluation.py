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


NONE = "—"  # stands for "no label" in the confusion table


@dataclass(frozen=True)
class Outcome:
    """One report as the tagger saw it in one mode."""

    id: str
    text: str
    style: str | None
    gold: frozenset[str]
    predicted: frozenset[str]
    result: object  # TagResult
    origin: str | None = None

    @classmethod
    def of(cls, report, result) -> "Outcome":
        """The outcome of a labelled report and the tagger's result for it."""
        return cls(report.id, report.text, report.style, report.labels, frozenset(result.label_ids), result,
                   report.origin)

    @property
    def correct(self) -> bool:
        return self.gold == self.predicted


@dataclass(frozen=True)
class ModeEvaluation:
    mode: str
    scores: Scores
    confusion: dict[tuple[str, str], int]  # (gold label missed or NONE, label given instead or NONE) -> reports
    empty_by_style: dict[str, tuple[int, int]]  # style -> (no-label reports given a label, no-label reports)
    by_origin: dict[str, Scores]  # origin -> scores of its reports alone; empty when all share one origin
    outcomes: tuple[Outcome, ...]

    @property
    def errors(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.correct)


def confusion(outcomes: Sequence[Outcome]) -> dict[tuple[str, str], int]:
    """Which label was predicted instead of which: every missed gold label pairs with every wrongly
    given label of the same report; a miss with nothing given instead pairs with NONE, and so does a
    wrong label where nothing was missed."""
    table: dict[tuple[str, str], int] = {}
    for o in outcomes:
        missed, extra = sorted(o.gold - o.predicted), sorted(o.predicted - o.gold)
        pairs = [(m, e) for m in missed for e in extra] or [(m, NONE) for m in missed] + [(NONE, e) for e in extra]
        for pair in pairs:
            table[pair] = table.get(pair, 0) + 1
    return table


def evaluate_outcomes(mode: str, outcomes: Sequence[Outcome], labels: Sequence[str]) -> ModeEvaluation:
    scores = score([o.gold for o in outcomes], [o.predicted for o in outcomes], labels)
    by_style: dict[str, list[int]] = {}
    for o in outcomes:
        if not o.gold:
            counts = by_style.setdefault(o.style or NONE, [0, 0])
            counts[0] += bool(o.predicted)
            counts[1] += 1
    origins: dict[str, list[Outcome]] = {}
    for o in outcomes:
        origins.setdefault(o.origin or NONE, []).append(o)
    return ModeEvaluation(
        mode=mode,
        scores=scores,
        confusion=confusion(outcomes),
        empty_by_style={style: (given, n) for style, (given, n) in sorted(by_style.items())},
        # Real and written reports score apart: a set the writers made easy must not hide the real figure.
        by_origin={origin: score([o.gold for o in group], [o.predicted for o in group], labels)
                   for origin, group in sorted(origins.items())} if len(origins) > 1 else {},
        outcomes=tuple(outcomes),
    )


def run_modes(tagger, reports, modes: Sequence[str], analyses=None) -> dict[str, ModeEvaluation]:
    """Tag every report once (analysis), decide in each mode, and evaluate each."""
    analyses = analyses if analyses is not None else [tagger.analyse(r.text) for r in reports]
    labels = tagger.taxonomy.ids
    evaluations = {}
    for mode in modes:
        outcomes = [Outcome.of(report, result) for report, result in zip(reports, tagger.decide_many(analyses, mode))]
        evaluations[mode] = evaluate_outcomes(mode, outcomes, labels)
    return evaluations
