"""Assemble data/train.jsonl and the held-out data/test.jsonl from our data files.

train.jsonl = data/train-real.jsonl (all of it) + the hand-written and generated reports not held out;
test.jsonl  = a seeded 12 % of each hand-written and generated file (seeded per file), never trained on.
Usage: python scripts/build_datasets.py [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
HELD_OUT = 0.12
FIELDS = ("id", "text", "labels", "style")


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            slim = {key: record[key] for key in FIELDS if key in record}
            handle.write(json.dumps(slim, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    train = read(DATA / "train-real.jsonl")
    test: list[dict] = []
    sources = sorted((DATA / "handwritten").glob("*.jsonl")) + [DATA / "generated.jsonl"]
    for path in sources:
        records = read(path)
        # One generator per file, so adding a file leaves the other files' splits as they were.
        random.Random(f"{args.seed}:{path.name}").shuffle(records)
        cut = round(len(records) * HELD_OUT)
        test.extend(records[:cut])
        train.extend(records[cut:])
    train.sort(key=lambda r: r["id"])
    test.sort(key=lambda r: r["id"])
    write(DATA / "train.jsonl", train)
    write(DATA / "test.jsonl", test)
    print(f"train.jsonl: {len(train)} reports; test.jsonl: {len(test)} reports")


if __name__ == "__main__":
    main()
