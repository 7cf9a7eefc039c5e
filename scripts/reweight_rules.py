"""Set each rule's weight to the precision it earns on real reports, and say what changed.

A rule's weight is the precision we expect of it, and a counting hit of a rule weighing 0.7 or more
labels on its own; rules written from a few studied reports overrate themselves on reports nobody read.
The new weight is the rule's precision on the real reports of a labelled file (records whose `origin`
is "real"), shrunk toward its old weight as if the old weight had been seen on PRIOR reports:
(correct + PRIOR * old) / (hits + PRIOR). Rules with fewer than --min-hits counting hits keep their
weight. Only the `weight:` line of each changed rule is rewritten, so comments and layout stay.

Usage: python scripts/reweight_rules.py data/train.jsonl [--rules-dir rules] [--min-hits 5] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from misconduct_tagger.rules import RuleEngine
from misconduct_tagger.rules.stats import rule_stats
from misconduct_tagger.nlp import load_pipeline, make_docs

ROOT = Path(__file__).resolve().parents[1]
PRIOR = 4.0
MAX_WEIGHT = 0.98


def new_weight(correct: int, hits: int, old: float) -> float:
    return round(min(MAX_WEIGHT, (correct + PRIOR * old) / (hits + PRIOR)), 2)


def rewrite_weight(path: Path, rule_id: str, weight: float) -> None:
    """Replace the `weight:` line inside the rule's block (from its `- id:` to the next rule)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if re.match(rf"\s*- id:\s*{re.escape(rule_id)}\s*$", line))
    for i in range(start + 1, len(lines)):
        if re.match(r"\s*- id:", lines[i]):
            break
        if match := re.match(r"(\s*weight:\s*)[0-9.]+(.*)$", lines[i].rstrip("\n")):
            lines[i] = f"{match.group(1)}{weight}{match.group(2)}\n"
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise ValueError(f"{path}: rule {rule_id} has no weight line")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--rules-dir", type=Path, default=ROOT / "rules")
    parser.add_argument("--min-hits", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    real = [r for r in records if r.get("origin") == "real"]
    engine = RuleEngine.load(args.rules_dir, load_pipeline().vocab)
    hits = [engine.match(doc) for doc in make_docs(r["text"] for r in real)]
    stats = rule_stats(engine.rules, hits, [frozenset(r["labels"]) for r in real], [r["id"] for r in real])
    sources = {rule.id: rule.source for rule in engine.rules}
    print(f"{len(real)} real reports of {args.data}")
    print(f"{'rule':44} {'hits':>5} {'prec':>5} {'old':>5} {'new':>5}")
    for s in sorted(stats, key=lambda s: s.rule_id):
        if s.reports < args.min_hits:
            continue
        weight = new_weight(s.correct, s.reports, s.weight)
        if weight == s.weight:
            continue
        print(f"{s.rule_id:44} {s.reports:5d} {s.precision:5.2f} {s.weight:5.2f} {weight:5.2f}")
        if not args.dry_run:
            rewrite_weight(sources[s.rule_id], s.rule_id, weight)


if __name__ == "__main__":
    main()
