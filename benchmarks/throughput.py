"""Throughput, memory and start-up of batch tagging, on one corpus: generated reports (about 96
characters), or with --real the real-case corpus's reports of 150-300 characters.

Prints characters per second for pkuseg segmentation alone, rules only, model only and the full
tagger with 1 and 2 jobs, run as the tag command runs them (loaded objects frozen out of the garbage
collector's reach, results streamed rather than kept); peak RSS of `misconduct-tagger tag` over 1,000 and 50,000 reports; and
the time to load the tagger in a fresh process.

Usage: python benchmarks/throughput.py [--reports 2000] [--real] [--rss-sizes 1000 50000]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus(n: int, seed: int = 0, real: bool = False) -> list[str]:
    """n reports drawn from the generated training data (or the real-case corpus's reports of 150-300
    characters), each given a distinct serial clause."""
    paths = sorted((ROOT / "data" / "real").glob("*.jsonl")) if real else [ROOT / "data" / "generated.jsonl"]
    texts = [json.loads(line)["text"] for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    if real:
        texts = [text for text in texts if 150 <= len(text) <= 300]
    rng = random.Random(seed)
    return [f"{rng.choice(texts)}（编号{i}）" for i in range(n)]


def rate(name: str, texts: list[str], run, repeat: int) -> float:
    """The best of `repeat` runs: on a shared machine the slower runs measure the neighbours."""
    chars = sum(map(len, texts))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(texts)
        times.append(time.perf_counter() - start)
    best = min(times)
    print(f"{name:34} {chars / best:10.0f} chars/s  ({len(texts)} reports, best {best:.2f} s, "
          f"worst {max(times):.2f} s of {repeat})", flush=True)
    return chars / best


def peak_rss(n: int, workdir: Path, real: bool) -> float:
    """Peak resident memory (MiB) of the tag command over n reports, measured from a parent process."""
    source = workdir / f"corpus-{n}.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i, text in enumerate(corpus(n, seed=n, real=real)):
            handle.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    command = [sys.executable, "-c", probe, sys.executable, "-m", "misconduct_tagger.cli", "tag", str(source),
               "-o", str(workdir / f"out-{n}.jsonl"), "--quiet"]
    start = time.perf_counter()
    kib = int(subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()[-1])
    print(f"peak RSS, {n:6d} reports              {kib / 1024:8.0f} MiB  ({time.perf_counter() - start:.0f} s)", flush=True)
    return kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000, help="reports in the throughput corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per throughput figure; the best counts")
    parser.add_argument("--real", action="store_true", help="real-case reports of 150-300 characters")
    parser.add_argument("--rss-sizes", type=int, nargs="*", default=[1000, 50000])
    args = parser.parse_args()

    startup = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); from misconduct_tagger import Tagger; "
                               "Tagger.load().tag('启动'); print(time.perf_counter() - t)"],
        check=True, capture_output=True, text=True)
    print(f"start-up (import + load + first tag)   {float(startup.stdout):8.2f} s", flush=True)

    from misconduct_tagger import Tagger
    from misconduct_tagger.nlp import load_pipeline
    from misconduct_tagger.tagger import freeze_loaded_objects

    texts = corpus(args.reports, real=args.real)
    nlp = load_pipeline()
    hybrid, rules_only, model_only = Tagger.load(), Tagger.load(mode="rules"), Tagger.load(mode="model")
    hybrid.tag(texts[0])
    freeze_loaded_objects()
    drain = collections.deque(maxlen=0).extend
    segment = rate("pkuseg segmentation alone", texts, lambda ts: drain(nlp.make_doc(t) for t in ts), args.repeat)
    rate("rules only", texts, lambda ts: drain(rules_only.tag_many(ts)), args.repeat)
    rate("model only", texts, lambda ts: drain(model_only.tag_many(ts)), args.repeat)
    one = rate("full tagger, 1 job", texts, lambda ts: drain(hybrid.tag_many(ts)), args.repeat)
    drain(hybrid.tag_many(texts[:512], n_jobs=2))  # start the workers and load their taggers
    two = rate("full tagger, 2 jobs", texts, lambda ts: drain(hybrid.tag_many(ts, n_jobs=2)), args.repeat)
    print(f"full 1 job / segmentation alone: {one / segment:.2f}x (goal >= 0.7; >= 0.6 on real reports); "
          f"2 jobs / 1 job: {two / one:.2f}x (goal >= 1.7)")

    if args.rss_sizes:
        with tempfile.TemporaryDirectory() as tmp:
            sizes = [peak_rss(n, Path(tmp), args.real) for n in args.rss_sizes]
        if len(sizes) >= 2:
            print(f"peak RSS {args.rss_sizes[-1]} / {args.rss_sizes[0]} reports: {sizes[-1] / sizes[0]:.2f}x (goal <= 1.10)")


if __name__ == "__main__":
    main()
