"""Check the real-case corpus (data/real/*.jsonl) against its brief in data/real/README.md.

Every record: the fields, known label ids, 60-400 characters, a source page that is not one of the
measuring set's, a `case` key no other record has, and no near-duplicate text (character 8-gram
Jaccard above 0.5) in the corpus or in the other data files we wrote. With --sources DIR, also no run
of 16 characters shared with the page excerpts a writer saved there (DIR/<sha1 of the address>.txt),
counted with punctuation and spaces left out of both.

Usage: python scripts/check_real_data.py [FILE ...] [--sources DIR]   (default: every data/real file)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real"
MEASURING = ROOT.parent / "shared" / "data" / "measuring-sources.txt"
OTHERS = [ROOT / "data" / "train-real.jsonl", ROOT / "data" / "dev.jsonl", ROOT / "data" / "generated.jsonl",
          *sorted((ROOT / "data" / "handwritten").glob("*.jsonl"))]
REQUIRED = ("id", "text", "labels", "labels_a", "labels_b", "style", "domain", "source", "case")
STYLES = {"notice", "inspection", "report", "complaint", "verification", "directive", "commendation", "neutral"}
DOMAINS = {"epidemic", "business", "formalism", "disaster", "welfare", "safety", "ecology",
           "education_health", "enforcement", "rural_assets"}
MIN_CHARS, MAX_CHARS = 60, 400
GRAM, NEAR = 8, 0.5
RUN = 16


def label_ids() -> set[str]:
    taxonomy = yaml.safe_load((ROOT / "rules" / "taxonomy.yaml").read_text(encoding="utf-8"))
    return {category["id"] for category in taxonomy["categories"]}


def address_key(url: str) -> str:
    """The address without scheme and trailing slash, so http/https reprints of a page compare equal."""
    return url.strip().split("://", 1)[-1].rstrip("/")


def measuring_sources() -> set[str]:
    if not MEASURING.is_file():
        return set()
    lines = MEASURING.read_text(encoding="utf-8").splitlines()
    return {address_key(line) for line in lines if line.strip() and not line.startswith("#")}


def read_records(path: Path) -> list[tuple[str, dict | None, str | None]]:
    """(where, record, error) for every non-blank line; a line that is not a JSON object has an error."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{_rel(path)}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((where, None, f"not JSON: {exc}"))
            continue
        rows.append((where, record, None) if isinstance(record, dict) else (where, None, "not a JSON object"))
    return rows


def grams(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace())
    return {text[i:i + GRAM] for i in range(len(text) - GRAM + 1)}


def record_problems(record: dict, labels: set[str], banned: set[str]) -> list[str]:
    problems = [f"missing field {key!r}" for key in REQUIRED if key not in record]
    text = record.get("text")
    if not isinstance(text, str):
        problems.append("'text' is not a string")
    elif not MIN_CHARS <= len(text) <= MAX_CHARS:
        problems.append(f"'text' has {len(text)} characters, not {MIN_CHARS}-{MAX_CHARS}")
    for key in ("labels", "labels_a", "labels_b"):
        value = record.get(key)
        if key in record and (not isinstance(value, list) or set(value) - labels or len(set(value)) != len(value)):
            problems.append(f"{key!r} must be a list of distinct label ids, got {value!r}")
    if "style" in record and record["style"] not in STYLES:
        problems.append(f"unknown style {record['style']!r}")
    if "domain" in record and record["domain"] not in DOMAINS:
        problems.append(f"unknown domain {record['domain']!r}")
    source = record.get("source")
    if "source" in record and (not isinstance(source, str) or "://" not in source):
        problems.append(f"'source' is not a page address: {source!r}")
    elif isinstance(source, str) and address_key(source) in banned:
        problems.append(f"source {source} is a measuring-set page")
    if "case" in record and not (isinstance(record["case"], str) and record["case"].strip()):
        problems.append("'case' is empty")
    return problems


def near_duplicates(texts: dict[str, str], against: dict[str, str]) -> list[tuple[str, str, float]]:
    """Pairs (a, b, jaccard) above NEAR: a from `texts`, b from `texts` (a < b) or from `against`."""
    sets = {key: grams(text) for key, text in {**against, **texts}.items()}
    index: dict[str, list[str]] = defaultdict(list)
    for key, gram_set in sets.items():
        for gram in gram_set:
            index[gram].append(key)
    pairs = []
    for a in texts:
        shared: dict[str, int] = defaultdict(int)
        for gram in sets[a]:
            for b in index[gram]:
                if b != a and (b in against or b > a):
                    shared[b] += 1
        for b, count in shared.items():
            jaccard = count / (len(sets[a]) + len(sets[b]) - count)
            if jaccard > NEAR:
                pairs.append((a, b, round(jaccard, 2)))
    return pairs


def _letters(text: str) -> str:
    """Text without spaces and punctuation, so a copied run cannot hide behind a changed comma."""
    return "".join(ch for ch in text if ch.isalnum())


def copied_runs(text: str, source_text: str) -> list[str]:
    text, source_text = _letters(text), _letters(source_text)
    runs = {source_text[i:i + RUN] for i in range(len(source_text) - RUN + 1)}
    return sorted({text[i:i + RUN] for i in range(len(text) - RUN + 1)} & runs)


def check(paths: list[Path], sources: Path | None = None) -> list[str]:
    """Every problem found, each naming the file and line."""
    labels, banned = label_ids(), measuring_sources()
    problems: list[str] = []
    corpus = {path: read_records(path) for path in sorted(REAL.glob("*.jsonl"))}
    for path in paths:
        corpus.setdefault(path, read_records(path))
    checked = {path.resolve() for path in paths}
    checked_rel = {str(_rel(path)) for path in paths}
    texts: dict[str, str] = {}
    cases: dict[str, str] = {}
    ids: dict[str, str] = {}
    for path, rows in corpus.items():
        mine = path.resolve() in checked
        for where, record, error in rows:
            if error:
                problems += [f"{where}: {error}"] if mine else []
                continue
            if mine:
                problems += [f"{where}: {problem}" for problem in record_problems(record, labels, banned)]
            if isinstance(record.get("text"), str):
                texts[where] = record["text"]
            for key, seen in (("case", cases), ("id", ids)):
                value = record.get(key)
                if isinstance(value, str):
                    value = value.strip()
                    if value in seen and (mine or seen[value].rsplit(":", 1)[0] in checked_rel):
                        problems.append(f"{where}: {key} {value!r} already at {seen[value]}")
                    seen.setdefault(value, where)
            if mine and sources is not None and isinstance(record.get("source"), str):
                excerpt = sources / (hashlib.sha1(record["source"].encode("utf-8")).hexdigest() + ".txt")
                if not excerpt.is_file():
                    problems.append(f"{where}: no saved excerpt for {record['source']} in {sources}")
                elif copied := copied_runs(texts.get(where, ""), excerpt.read_text(encoding="utf-8")):
                    problems.append(f"{where}: shares {len(copied)} runs of {RUN} characters with its page, "
                                    f"e.g. {copied[0]!r}")
    others = {}
    for path in OTHERS:
        for where, record, _ in read_records(path):
            if record and isinstance(record.get("text"), str):
                others[where] = record["text"]
    mine_where = {where for where in texts if where.rsplit(":", 1)[0] in checked_rel}
    for a, b, jaccard in near_duplicates({k: v for k, v in texts.items() if k in mine_where},
                                         {**others, **{k: v for k, v in texts.items() if k not in mine_where}}):
        problems.append(f"{a}: near-duplicate of {b} (8-gram Jaccard {jaccard})")
    return problems


def _rel(path: Path) -> Path:
    path = path.resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--sources", type=Path, help="folder of saved page excerpts, one file per address")
    args = parser.parse_args()
    paths = [path.resolve() for path in args.files] or sorted(REAL.glob("*.jsonl"))
    problems = check(paths, args.sources)
    for problem in problems:
        print(problem)
    total = sum(len(read_records(path)) for path in paths)
    print(f"{total} records in {len(paths)} files; {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
