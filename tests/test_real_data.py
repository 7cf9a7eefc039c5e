"""The real-case corpus (data/real) keeps to its brief: every record's fields, label ids and length, one
record per case, no page of the measuring sets, and no near-duplicate text in it or in our other data."""

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = sorted((ROOT / "data" / "real").glob("*.jsonl"))
# Records read by their writer and a blind second reader, not yet adjudicated, so not yet trained on.
PENDING = sorted((ROOT / "data" / "real" / "pending").glob("*.jsonl"))


def _checker():
    spec = importlib.util.spec_from_file_location("check_real_data", ROOT / "scripts" / "check_real_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_real_data = _checker()


def test_the_corpus_is_there():
    assert REAL, "data/real holds no corpus file"
    assert sum(1 for path in REAL for line in path.read_text(encoding="utf-8").splitlines() if line.strip()) >= 100


def test_every_record_keeps_to_the_brief():
    assert check_real_data.check(REAL + PENDING) == []


def test_labels_are_the_adjudicated_reading():
    for path in REAL:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            record = json.loads(line)
            a, b, final = set(record["labels_a"]), set(record["labels_b"]), set(record["labels"])
            # Only disagreements are adjudicated: where the two readers agree, their labels stand.
            assert final == a or a != b, f"{path.name}:{number}"


@pytest.mark.parametrize("problem, record", [
    ("missing field 'case'", {"text": "某" * 80}),
    ("characters, not 60-400", {"text": "太短"}),
    ("label ids", {"labels": ["concealment", "bribery"]}),
    ("measuring-set page", {"source": "http://265266.com/caijingzixun/6s81hga97v.html"}),
])
def test_the_checker_finds_what_it_should(tmp_path, problem, record):
    if problem == "measuring-set page" and not check_real_data.MEASURING.is_file():
        pytest.skip("the measuring sources are not beside this checkout")
    good = {"id": "real-t-1", "text": "某县卫健局副局长张某接到发热病例报告后没有按时上报，拖延两天，县纪委监委给予其党内警告处分，并在全县通报。" * 2,
            "labels": ["concealment"], "labels_a": ["concealment"], "labels_b": ["concealment"],
            "style": "notice", "domain": "epidemic", "source": "https://example.org/x", "case": "测试-唯一-0000"}
    bad = {**good, **record}
    if problem.startswith("missing"):
        del bad["case"]
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = check_real_data.check([path])
    assert any(problem in p for p in problems), problems


def test_the_checker_finds_near_duplicates(tmp_path):
    text = "某县卫健局副局长张某接到发热病例报告后没有按时上报，拖延两天才报，影响流调，县纪委监委给予其党内警告处分。"
    base = {"labels": [], "labels_a": [], "labels_b": [], "style": "notice", "domain": "epidemic",
            "source": "https://example.org/x"}
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps({**base, "id": f"t{i}", "case": f"c{i}", "text": t}, ensure_ascii=False)
                              for i, t in enumerate([text, text.replace("两天", "三天")])) + "\n", encoding="utf-8")
    assert any("near-duplicate" in p for p in check_real_data.check([path]))


@pytest.mark.parametrize("retold, copied", [
    ("张某在值班期间离开岗位回家睡觉，群众打电话无人接听，后被给予警告处分。", False),
    ("值班期间张某擅自离岗回家休息；群众来电无人接听，后被给予警告处分。", True),
])
def test_the_checker_finds_runs_copied_from_the_page(tmp_path, retold, copied):
    """A run of 16 letters shared with the saved page counts even when the commas between them changed."""
    source = "https://example.org/page"
    page = "通报：值班期间，张某擅自离岗，回家休息，群众来电无人接听。"
    (tmp_path / (hashlib.sha1(source.encode("utf-8")).hexdigest() + ".txt")).write_text(page, encoding="utf-8")
    record = {"id": "real-t-1", "text": retold * 3, "labels": ["leaving_post"], "labels_a": ["leaving_post"],
              "labels_b": ["leaving_post"], "style": "notice", "domain": "epidemic", "source": source,
              "case": "测试-唯一-0001"}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = [p for p in check_real_data.check([path], tmp_path) if "runs of 16" in p]
    assert bool(problems) is copied, problems
