"""Every example runs as a user would run it, and prints what the library gives on the same texts."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from misconduct_tagger import Tagger
from misconduct_tagger.io.labelled import read_labelled
from misconduct_tagger.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REPORTS = [json.loads(line) for line in (EXAMPLES / "reports.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]


def run(*command: str) -> str:
    # The venv's scripts (misconduct-tagger) on PATH, as after `make install` and activating the venv.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def tagger():
    return Tagger.load()


@pytest.fixture(scope="module")
def expected(tagger):
    return {r["id"]: tagger.tag(r["text"]) for r in REPORTS}


def test_the_readme_lists_every_example():
    listed = set(re.findall(r"`([\w.]+\.(?:py|sh))`", (EXAMPLES / "README.md").read_text(encoding="utf-8")))
    assert listed == {p.name for p in EXAMPLES.iterdir() if p.suffix in (".py", ".sh")}


def test_app(tagger):
    text = "群众举报，某村会计把救灾大米分给自家亲戚。另据反映，该村值班人员脱岗。"
    payload = json.loads(run(sys.executable, "examples/app.py", text))
    result = tagger.tag(text)
    assert [label["id"] for label in payload["labels"]] == result.label_ids
    assert [label["score"] for label in payload["labels"]] == [label.score for label in result.labels]
    for label, given in zip(payload["labels"], result.labels):
        assert [(e["start"], e["end"], e["source"]) for e in label["evidence"]] == \
            [(e.start, e.end, e.source) for e in given.evidence]
        assert all(text[e["start"]:e["end"]] == e["text"] for e in label["evidence"])
    assert payload["versions"]["ruleset"] == tagger.versions["ruleset"]


def test_batch_files(expected):
    records = json_lines(run("bash", "examples/batch_files.sh"))
    assert [r["id"] for r in records] == [r["id"] for r in REPORTS]
    for record in records:
        assert record["labels"] == expected[record["id"]].label_ids and record["error"] is None


def test_spacy_pipeline(expected):
    docs = json_lines(run(sys.executable, "examples/spacy_pipeline.py"))
    assert [d["id"] for d in docs] == [r["id"] for r in REPORTS]
    for doc in docs:
        result = expected[doc["id"]]
        assert doc["cats"] == {label.id: label.score for label in result.labels}
        assert sorted((s["label"], s["rule"], s["assertion"]) for s in doc["spans"]) == \
            sorted((label.id, e.source, e.assertion) for label in result.labels for e in label.evidence)


def test_pandas_frame(expected):
    summary = json.loads(run(sys.executable, "examples/pandas_frame.py"))
    assert list(summary) == [r["id"] for r in REPORTS]
    for report_id, row in summary.items():
        result = expected[report_id]
        assert row["labels"] == sorted(result.label_ids)
        assert row["top_score"] == pytest.approx(max((label.score for label in result.labels), default=0.0))
        assert row["evidence"] == sum(len(label.evidence) for label in result.labels)


def test_spark_job(expected):
    rows = json_lines(run(sys.executable, "examples/spark_job.py"))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in REPORTS)
    for row in rows:
        result = expected[row["id"]]
        assert row["labels"] == result.label_ids
        assert row["scores"] == {label.id: label.score for label in result.labels}


def test_rule_author():
    output = run(sys.executable, "examples/rule_author.py")
    assert re.search(r"^\d+ passed, 0 failed: ", output, re.MULTILINE)
    assert "--compare-rules" in output
    # The added rule finds both designated-shop reports of the labelled file: extortion recall 1.
    support = sum("extortion" in r.labels for r in read_labelled(EXAMPLES / "labelled.jsonl"))
    row = re.search(rf"^extortion 吃拿卡要\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+{support}$", output, re.MULTILINE)
    assert row and float(row.group(2)) == 1.0


def test_the_labelled_file_uses_known_categories_and_covers_several():
    reports = read_labelled(EXAMPLES / "labelled.jsonl", set(default_taxonomy().ids))
    assert len(reports) >= 12
    assert len({label for r in reports for label in r.labels}) >= 8
    assert any(not r.labels for r in reports)
