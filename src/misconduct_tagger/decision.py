"""Rules and model → labels, scores and evidence.

Policy, for each category:
- `rule`: an affirmed or alleged rule hit of weight >= RULE_LABEL_MIN_WEIGHT gives the label;
- `model`: otherwise the model's probability reaching its threshold gives it, unless every mention
  of the category in the text is negated or directive (the text names it only to deny or forbid it)
  or the report as a whole is (a directive, or an allegation a verdict found untrue);
- `rule+model`: both agree.
A report the gate judges not to tell of an incident (a directive, a cleared allegation, a neutral or
commending account) gets only the labels of affirmed hits of absolute rules (weight >= ABSOLUTE_RULE_WEIGHT,
the precision measured on real reports).
The score is the noisy-OR of the model probability and the weights of the counting rule hits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .results import Evidence, LabelResult, ModelExplanation
from .rules.context import COUNTING
from .rules.engine import RuleHit
from .taxonomy import Taxonomy

# A counting hit of a rule at least this precise gives its label on its own.
RULE_LABEL_MIN_WEIGHT = 0.7
# An affirmed hit of a rule at least this precise labels even a report the gate takes for no incident.
ABSOLUTE_RULE_WEIGHT = 0.95


def rule_labels(hits: Iterable[RuleHit], min_weight: float = RULE_LABEL_MIN_WEIGHT) -> set[str]:
    """The categories that rules alone give: affirmed or alleged hits of weight >= min_weight."""
    return {h.category for h in hits if h.counts and h.weight >= min_weight}


def rule_state(hits: Sequence[RuleHit], category: str, min_weight: float = RULE_LABEL_MIN_WEIGHT) -> tuple[bool, bool]:
    """(a rule gives the label, the category is mentioned only negated or as a directive)."""
    mine = [h for h in hits if h.category == category]
    counting = [h for h in mine if h.counts]
    return any(h.weight >= min_weight for h in counting), bool(mine) and not counting


def model_may_label(blocked: bool, default_assertion: str) -> bool:
    """The model may add a label unless the text only denies or forbids the category, or the report
    as a whole is a directive or an allegation found untrue."""
    return not blocked and default_assertion in COUNTING


def _evidence(hit: RuleHit) -> Evidence:
    return Evidence(hit.start, hit.end, hit.text, hit.rule_id, hit.assertion, hit.cue, hit.pattern, hit.weight)


def _noisy_or(values: Iterable[float]) -> float:
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - value
    return 1.0 - remaining


def decide(
    taxonomy: Taxonomy,
    hits: Sequence[RuleHit],
    probabilities: Sequence[float] | None = None,
    thresholds: Sequence[float] | None = None,
    model_evidence=None,
    default_assertion: str = "affirmed",
    min_rule_weight: float = RULE_LABEL_MIN_WEIGHT,
    incident: bool = True,
) -> list[LabelResult]:
    """Labels for one report. Without probabilities this is rules-only tagging.

    `model_evidence(label_index, spans)` returns (evidence spans, top features) for a label the model
    scored; it finds spans only when `spans` is true, for a label the model alone gives;
    `default_assertion` is the report's own assertion, given to a label no counting rule hit supports;
    `incident` is False when the gate judged that the report tells of no incident.
    """
    labels = []
    for index, category in enumerate(taxonomy):
        counting = [h for h in hits if h.category == category.id and h.counts]
        by_rule, blocked = rule_state(hits, category.id, min_rule_weight)
        if not incident:
            by_rule = any(h.assertion == "affirmed" and h.weight >= ABSOLUTE_RULE_WEIGHT for h in counting)
        probability = None if probabilities is None else float(probabilities[index])
        by_model = (incident and probability is not None and probability >= thresholds[index]
                    and model_may_label(blocked, default_assertion))
        if not (by_rule or by_model):
            continue
        evidence = [_evidence(h) for h in counting]
        explanation = None
        if probability is not None:
            spans, features = model_evidence(index, by_model and not by_rule) if model_evidence else ((), ())
            explanation = ModelExplanation(probability, float(thresholds[index]), tuple(features))
            evidence.extend(spans)
        weights = [h.weight for h in counting] + ([probability] if probability is not None else [])
        if counting:
            assertion = "affirmed" if any(h.assertion == "affirmed" for h in counting) else "alleged"
        else:
            assertion = default_assertion
        policy = "rule+model" if by_rule and by_model else ("rule" if by_rule else "model")
        labels.append(LabelResult(
            id=category.id,
            name=category.name,
            score=round(_noisy_or(weights), 4),
            assertion=assertion,
            policy=policy,
            evidence=tuple(sorted(evidence, key=lambda e: (e.start, e.end))),
            model=explanation,
        ))
    return labels
