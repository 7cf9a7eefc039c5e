"""Assemble data/train.jsonl and the held-out data/test.jsonl from our data files.

train.jsonl = data/train-real.jsonl and data/dev.jsonl (all of them) + the real-case corpus, hand-written
              and generated reports not held out;
test.jsonl  = a seeded 15 % of the cases of each real-case file and 12 % of each hand-written and
              generated file (seeded per file, so adding a file leaves the other splits alone), never
              trained on. The real corpus is split by its `case` key, so no case is on both sides.
Usage: python scripts/build_datasets.py [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
HELD_OUT = 0.12
REAL_HELD_OUT = 0.15
FIELDS = ("id", "text", "labels", "style", "case", "origin")


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
    # dev.jsonl's ids are short (biz-1) and could meet ours: they get a prefix.
    dev = [{**record, "id": f"dev-{record['id']}"} for record in read(DATA / "dev.jsonl")]
    train = [{**record, "origin": "real"} for record in read(DATA / "train-real.jsonl") + dev]
    test: list[dict] = []
    for path in sorted((DATA / "real").glob("*.jsonl")):
        records = [{**record, "origin": "real"} for record in read(path)]
        cases = sorted({record["case"] for record in records})
        random.Random(f"{args.seed}:{path.name}").shuffle(cases)
        held_out = set(cases[:round(len(cases) * REAL_HELD_OUT)])
        for record in records:
            (test if record["case"] in held_out else train).append(record)
    sources = sorted((DATA / "handwritten").glob("*.jsonl")) + [DATA / "generated.jsonl"]
    for path in sources:
        records = [{**record, "origin": "written"} for record in read(path)]
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
