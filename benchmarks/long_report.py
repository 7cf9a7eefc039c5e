"""Time to tag one report as it grows to 1 MB: the tagger should be linear in the length.

Usage: python benchmarks/long_report.py [--sizes 10000 100000 1000000]
Prints characters, seconds, characters per second and seconds per 100k characters.
"""

from __future__ import annotations

import argparse
import random
import time

from misconduct_tagger import Tagger

SENTENCES = [
    "某镇防疫卡口值班人员在值守期间私自回家休息，电话联系不上。",
    "该镇今年共有常住人口一万二千人，耕地面积三万亩。",
    "群众反映某村干部把救灾物资分给自家亲戚。",
    "县纪委监委对相关责任人给予党内警告处分。",
    "严禁瞒报谎报疫情信息，不得擅离职守。",
    "街道要求各社区每天重复填报同一张台账。",
]


def report(size: int, rng: random.Random) -> str:
    parts, length = [], 0
    while length < size:
        sentence = rng.choice(SENTENCES)
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    tagger = Tagger.load()
    tagger.tag(SENTENCES[0])  # warm up
    rng = random.Random(0)
    print(f"{'chars':>10} {'seconds':>9} {'chars/s':>10} {'s per 100k':>11} {'labels':>7}")
    for size in args.sizes:
        text = report(size, rng)
        start = time.perf_counter()
        result = tagger.tag(text)
        elapsed = time.perf_counter() - start
        print(f"{len(text):10d} {elapsed:9.2f} {len(text) / elapsed:10.0f} {elapsed / len(text) * 1e5:11.2f} "
              f"{len(result.labels):7d}")


if __name__ == "__main__":
    main()
