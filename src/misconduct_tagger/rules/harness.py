"""Run every rule's own examples, in the spirit of Semgrep's rule tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..nlp import make_doc
from .engine import RuleEngine, RuleHit
from .schema import Example, Rule


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    kind: str
    example: Example
    passed: bool  # for a todo example: the recorded gap is closed and it could be promoted
    hits: tuple[RuleHit, ...]

    @property
    def todo(self) -> bool:
        return self.kind.startswith("todo_")

    def explain(self) -> str:
        """What matched or did not: span, assertion, cue."""
        if not self.hits:
            return "no hit"
        return "; ".join(
            f"[{h.start}:{h.end}] {h.text!r} {h.assertion}" + (f" (cue {h.cue!r})" if h.cue else "")
            for h in self.hits
        )


@dataclass
class RuleReport:
    rule: Rule
    results: list[ExampleResult] = field(default_factory=list)

    @property
    def failures(self) -> list[ExampleResult]:
        return [r for r in self.results if not r.passed and not r.todo]

    @property
    def todos(self) -> list[ExampleResult]:
        return [r for r in self.results if r.todo]

    @property
    def passed(self) -> bool:
        return not self.failures


def _passes(kind: str, example: Example, hits: list[RuleHit]) -> bool:
    if kind in ("match", "todo_match"):
        if example.assertion:
            return any(h.assertion == example.assertion for h in hits)
        return any(h.counts for h in hits)
    return not any(h.counts for h in hits)


def check_rule(engine: RuleEngine, rule: Rule) -> RuleReport:
    report = RuleReport(rule)
    for kind, examples in rule.examples.items():
        for example in examples:
            hits = [h for h in engine.match(make_doc(example.text)) if h.rule_id == rule.id]
            passed = _passes(kind, example, hits)
            report.results.append(ExampleResult(rule.id, kind, example, passed, tuple(hits)))
    return report


def check_rules(engine: RuleEngine) -> list[RuleReport]:
    """One report per rule, in ruleset order."""
    return [check_rule(engine, rule) for rule in engine.rules]
