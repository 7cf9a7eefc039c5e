"""From rule hits (and, later, model scores) to labels."""

from __future__ import annotations

from collections.abc import Iterable

from .rules.engine import RuleHit

# A counting hit of a rule at least this precise gives its label on its own.
RULE_LABEL_MIN_WEIGHT = 0.7


def rule_labels(hits: Iterable[RuleHit], min_weight: float = RULE_LABEL_MIN_WEIGHT) -> set[str]:
    """The categories that rules alone give: affirmed or alleged hits of weight >= min_weight."""
    return {h.category for h in hits if h.counts and h.weight >= min_weight}
