"""Nothing we wrote may copy the measuring set: no rule example or report we wrote shares a long run of
characters with ../shared/data/dev.jsonl."""

import json
from pathlib import Path

import pytest
import yaml

from misconduct_tagger.resources import rules_dir

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "dev.jsonl"
RUN = 16  # characters; shorter runs are stock phrases (“某市纪委监委通报：某区某街道”)

pytestmark = pytest.mark.skipif(not DEV.is_file(), reason="the measuring set is not beside this checkout")


def _runs(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace())
    return {text[i:i + RUN] for i in range(len(text) - RUN + 1)}


@pytest.fixture(scope="module")
def dev_runs():
    runs: set[str] = set()
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            runs |= _runs(json.loads(line)["text"])
    return runs


def _examples():
    for path in sorted(rules_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rule in (data or {}).get("rules") or []:
            for items in (rule.get("examples") or {}).values():
                for item in items or []:
                    yield f"{path.name} {rule.get('id')}", item["text"] if isinstance(item, dict) else item


def test_rule_examples_do_not_copy_the_measuring_set(dev_runs):
    copied = [(where, text) for where, text in _examples() if _runs(text) & dev_runs]
    assert copied == []


def test_training_data_does_not_copy_the_measuring_set(dev_runs):
    copied = []
    # train-real.jsonl (and so train.jsonl) holds the shared reports retold from other public cases,
    # which may share stock phrases with the measuring set; what we wrote ourselves must not.
    for path in sorted((ROOT / "data" / "handwritten").glob("*.jsonl")) + [ROOT / "data" / "generated.jsonl"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and _runs(json.loads(line)["text"]) & dev_runs:
                copied.append(f"{path.name}:{number}")
    assert copied == []
