"""Does more real data still pay? Model-only and hybrid figures with 25, 50 and 100 % of the real-case
corpus's training cases added to the rest of data/train.jsonl, in grouped cross-validation (by case),
and, with --models DIR, a model trained at each fraction and saved to DIR/real-NNN for the sealed scorer.

The fractions are nested (a larger one holds the smaller), so every run is also scored on one fixed set:
the real reports of the smallest run (train-real, dev and the smallest fraction's corpus cases), each
predicted by a model that did not see it.

Usage: python scripts/learning_curve.py [--fractions 0.25 0.5 1.0] [--folds 5] [--models DIR]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from misconduct_tagger.io.labelled import read_labelled
from misconduct_tagger.taxonomy import default_taxonomy
from misconduct_tagger.training import cross_validate, train

ROOT = Path(__file__).resolve().parents[1]


def subset(reports, fraction: float, seed: int):
    """All reports that are not from the real-case corpus, and `fraction` of its cases."""
    corpus_cases = sorted({r.case for r in reports if r.id.startswith("real-")})
    random.Random(seed).shuffle(corpus_cases)
    kept = set(corpus_cases[:round(len(corpus_cases) * fraction)])
    return [r for r in reports if not r.id.startswith("real-") or r.case in kept]


def figures(evaluation, only=None) -> str:
    outcomes = [o for o in evaluation.outcomes if only is None or only(o)]
    from misconduct_tagger.evaluation import evaluate_outcomes

    scores = evaluate_outcomes(evaluation.mode, outcomes, default_taxonomy().ids).scores
    macro = [s.f1 for s in scores.per_label if s.support >= 5]
    return f"micro {scores.micro_f1:.3f} macro(>=5) {sum(macro) / len(macro):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "train.jsonl")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", type=Path, help="also train a model at each fraction into this folder")
    args = parser.parse_args()
    reports = read_labelled(args.data, set(default_taxonomy().ids))
    lines = args.data.read_text(encoding="utf-8").splitlines()
    real_ids = {record["id"] for record in map(json.loads, filter(str.strip, lines)) if record.get("origin") == "real"}
    fixed = {r.id for r in subset(reports, min(args.fractions), args.seed) if r.id in real_ids}
    for fraction in sorted(args.fractions):
        chosen = subset(reports, fraction, args.seed)
        corpus = sum(r.id.startswith("real-") for r in chosen)
        evaluations = cross_validate(chosen, args.folds, seed=args.seed, modes=("model", "hybrid"))
        for mode, evaluation in evaluations.items():
            print(f"{fraction:4.0%} of the real corpus ({corpus} reports, {len(chosen)} in all) {mode:6}: "
                  f"all {figures(evaluation)}; its real-corpus reports "
                  f"{figures(evaluation, lambda o: o.id.startswith('real-'))}; the fixed real set "
                  f"({len(fixed)}) {figures(evaluation, lambda o: o.id in fixed)}", flush=True)
        if args.models:
            train(chosen, args.models / f"real-{round(fraction * 100):03d}", seed=args.seed)


if __name__ == "__main__":
    main()
