"""Rules as data: load and validate rule files, assign assertions, match a Doc."""

from .context import ASSERTIONS, COUNTING, ContextRules, load_context
from .engine import RuleEngine, RuleHit
from .schema import Example, Rule, RuleSet, RuleSetError, load_ruleset

__all__ = [
    "ASSERTIONS",
    "COUNTING",
    "ContextRules",
    "Example",
    "Rule",
    "RuleEngine",
    "RuleHit",
    "RuleSet",
    "RuleSetError",
    "load_context",
    "load_ruleset",
]
