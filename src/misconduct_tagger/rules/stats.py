"""Labeling-function analysis of rules against labelled data, in the manner of Snorkel's LF summary.

Per rule: the reports it labels (a counting hit), coverage, precision against the gold labels, overlaps
(reports where another rule of the same category also fires) and conflicts (reports where a hit of
this rule overlaps, in the text, a counting hit of another category).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .engine import RuleHit
from .schema import Rule


@dataclass(frozen=True)
class RuleStats:
    rule_id: str
    category: str
    weight: float
    reports: int
    coverage: float
    correct: int
    precision: float
    overlaps: float
    conflicts: float
    wrong_ids: tuple[str, ...]


def rule_stats(rules: Sequence[Rule], hits_per_report: Sequence[list[RuleHit]], gold: Sequence[frozenset[str]],
               ids: Sequence[str]) -> list[RuleStats]:
    reports_of: dict[str, set[int]] = defaultdict(set)
    overlap_of: dict[str, set[int]] = defaultdict(set)
    conflict_of: dict[str, set[int]] = defaultdict(set)
    for index, hits in enumerate(hits_per_report):
        counting = [h for h in hits if h.counts]
        for hit in counting:
            reports_of[hit.rule_id].add(index)
            for other in counting:
                if other.rule_id == hit.rule_id:
                    continue
                if other.category == hit.category:
                    overlap_of[hit.rule_id].add(index)
                elif other.start < hit.end and hit.start < other.end:
                    conflict_of[hit.rule_id].add(index)
    n = len(hits_per_report)
    result = []
    for rule in rules:
        fired = reports_of.get(rule.id, set())
        correct = sum(1 for i in fired if rule.category in gold[i])
        result.append(RuleStats(
            rule_id=rule.id,
            category=rule.category,
            weight=rule.weight,
            reports=len(fired),
            coverage=len(fired) / n if n else 0.0,
            correct=correct,
            precision=correct / len(fired) if fired else 0.0,
            overlaps=len(overlap_of.get(rule.id, ())) / len(fired) if fired else 0.0,
            conflicts=len(conflict_of.get(rule.id, ())) / len(fired) if fired else 0.0,
            wrong_ids=tuple(sorted(ids[i] for i in fired if rule.category not in gold[i])),
        ))
    return result
