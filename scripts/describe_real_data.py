"""Print the figures of the real-case corpus's data card: counts per label, domain and style, and how
far the two blind readers agreed (micro-F1, per-label F1 and Cohen's kappa between labels_a and labels_b).

Usage: python scripts/describe_real_data.py   (reads data/real/*.jsonl; prints Markdown tables)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    records = [json.loads(line) for path in sorted((ROOT / "data" / "real").glob("*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    taxonomy = yaml.safe_load((ROOT / "rules" / "taxonomy.yaml").read_text(encoding="utf-8"))
    names = {c["id"]: c["name"] for c in taxonomy["categories"]}
    print(f"{len(records)} reports, {sum(1 for r in records if not r['labels'])} with no label, "
          f"{sum(1 for r in records if len(r['labels']) > 1)} with several; "
          f"{sum(len(r['text']) for r in records) / len(records):.0f} characters on average\n")

    labels = Counter(label for r in records for label in r["labels"])
    print("| label | reports | readers agree (F1) | Cohen's kappa |\n|---|---|---|---|")
    total = Counter()
    for label in names:
        a = [label in r["labels_a"] for r in records]
        b = [label in r["labels_b"] for r in records]
        tp, fp, fn = (sum(x and y for x, y in zip(a, b)), sum(y and not x for x, y in zip(a, b)),
                      sum(x and not y for x, y in zip(a, b)))
        total.update(tp=tp, fp=fp, fn=fn)
        print(f"| {label} {names[label]} | {labels[label]} | {f1(tp, fp, fn):.2f} | {kappa(a, b):.2f} |")
    exact = sum(set(r["labels_a"]) == set(r["labels_b"]) for r in records) / len(records)
    print(f"\nReaders' micro-F1 {f1(total['tp'], total['fp'], total['fn']):.3f}; "
          f"the same label set on {exact:.1%} of reports; "
          f"adjudicated: {sum(set(r['labels_a']) != set(r['labels_b']) for r in records)} reports.\n")

    for field in ("domain", "style"):
        counts = Counter(r[field] for r in records)
        print(f"| {field} | reports |\n|---|---|")
        for value, count in counts.most_common():
            print(f"| {value} | {count} |")
        print()
    complaints = sum(r["style"] == "complaint" for r in records) / len(records)
    print(f"First-person complaints: {complaints:.1%} of reports; "
          f"{len({r['source'] for r in records})} source pages; {len({r['case'] for r in records})} cases.")


if __name__ == "__main__":
    main()
