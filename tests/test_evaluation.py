import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from misconduct_tagger.cli import main
from misconduct_tagger.evaluation import NONE, Outcome, confusion, evaluate_outcomes, score
from misconduct_tagger.reporting import check_baseline
from misconduct_tagger.resources import rules_dir

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["a", "b", "c", "d"]
label_sets = st.lists(st.frozensets(st.sampled_from(LABELS)), min_size=1, max_size=30)


def indicator(sets):
    return np.array([[int(label in s) for label in LABELS] for s in sets])


@given(label_sets, st.data())
@settings(max_examples=200)
def test_metrics_agree_with_scikit_learn(gold, data):
    predicted = data.draw(st.lists(st.frozensets(st.sampled_from(LABELS)), min_size=len(gold), max_size=len(gold)))
    ours = score(gold, predicted, LABELS)
    y_true, y_pred = indicator(gold), indicator(predicted)
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    for i, label_score in enumerate(ours.per_label):
        assert label_score.precision == pytest.approx(p[i])
        assert label_score.recall == pytest.approx(r[i])
        assert label_score.f1 == pytest.approx(f[i])
        assert label_score.support == support[i]
    for average in ("micro", "macro"):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)
        assert getattr(ours, f"{average}_precision") == pytest.approx(p)
        assert getattr(ours, f"{average}_recall") == pytest.approx(r)
        assert getattr(ours, f"{average}_f1") == pytest.approx(f)
    assert ours.exact_match == pytest.approx(accuracy_score(y_true, y_pred))


def test_empty_false_positive_rate():
    scores = score([set(), set(), {"a"}, set()], [{"a"}, set(), {"a"}, {"b", "c"}], LABELS)
    assert scores.empty_false_positive_rate == pytest.approx(2 / 3)


def _outcome(gold, predicted, origin=None):
    return Outcome("x", "", None, frozenset(gold), frozenset(predicted), None, origin)


def test_confusion_pairs_missed_with_given_instead():
    table = confusion([_outcome({"a"}, {"b"}), _outcome({"a", "c"}, {"c"}), _outcome(set(), {"d"}),
                       _outcome({"a"}, {"b"})])
    assert table == {("a", "b"): 2, ("a", NONE): 1, (NONE, "d"): 1}


def test_reports_of_each_origin_are_scored_apart():
    outcomes = [_outcome({"a"}, {"a"}, "real"), _outcome(set(), {"b"}, "real"), _outcome({"a"}, {"b"}, "written"),
                _outcome({"c"}, {"c"})]
    by_origin = evaluate_outcomes("hybrid", outcomes, LABELS).by_origin
    assert set(by_origin) == {"real", "written", NONE}
    assert by_origin["real"].micro_f1 == pytest.approx(2 / 3) and by_origin["real"].empty_false_positive_rate == 1.0
    assert by_origin["written"].micro_f1 == 0.0 and by_origin[NONE].micro_f1 == 1.0
    assert [by_origin[o].n_reports for o in ("real", "written", NONE)] == [2, 1, 1]
    assert evaluate_outcomes("hybrid", outcomes[:2], LABELS).by_origin == {}


def test_baseline_check_names_what_fell():
    current = {"modes": {"hybrid": {"macro_f1": 0.80, "per_label": {"a": {"f1": 0.9}, "b": {"f1": 0.5}}}}}
    baseline = {"modes": {"hybrid": {"macro_f1": 0.81, "per_label": {"a": {"f1": 0.91}, "b": {"f1": 0.6}}}}}
    assert check_baseline(current, baseline, "hybrid", 0.02) == ["b: F1 fell from 0.600 to 0.500"]
    assert len(check_baseline(current, baseline, "hybrid", 0.0)) == 3
    assert "missing" in check_baseline(current, {"modes": {}}, "hybrid", 0.02)[0]


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    lines = (ROOT / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()[::3]
    path = tmp_path_factory.mktemp("eval") / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_writes_json_html_and_disagreements(small_data, tmp_path, capsys):
    out_json, out_html, queue = tmp_path / "e.json", tmp_path / "e.html", tmp_path / "d.jsonl"
    assert main(["evaluate", str(small_data), "--mode", "all", "--json", str(out_json), "--html", str(out_html),
                 "--disagreements", str(queue)]) == 0
    printed = capsys.readouterr().out
    assert "rules P" in printed and "hybrid P" in printed and "macro F1" in printed
    report = json.loads(out_json.read_text(encoding="utf-8"))
    origins = [json.loads(line)["origin"] for line in small_data.read_text(encoding="utf-8").splitlines()]
    for mode in ("rules", "hybrid"):
        by_origin = report["modes"][mode]["by_origin"]
        assert {o: v["reports"] for o, v in by_origin.items()} == {o: origins.count(o) for o in set(origins)}
        assert f"{mode}, real reports only ({origins.count('real')}): micro F1 {by_origin['real']['micro_f1']:.3f}" in printed
    assert set(report["modes"]) == {"rules", "model", "hybrid"}
    hybrid = report["modes"]["hybrid"]
    assert set(hybrid["per_label"]) >= {"concealment", "extortion"}
    for error in hybrid["errors"]:
        assert error["gold"] != error["predicted"]
        for e in error["evidence"]:
            assert error["text"][e["start"]:e["end"]] == e["text"]
    page = out_html.read_text(encoding="utf-8")
    assert "<h2>By origin</h2>" in page
    assert page.startswith("<!DOCTYPE html>") and "<mark" in page and "http" not in page.lower().replace("http-equiv", "")
    for line in queue.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert record["only_rules"] or record["only_model"]


def test_compare_rules_shows_the_effect_of_a_rule_change(small_data, tmp_path, capsys):
    old = tmp_path / "old_rules"
    shutil.copytree(rules_dir(), old)
    (old / "leaving_post.yaml").unlink()  # the old ruleset had no leaving_post rules
    import yaml

    (old / "leaving_post.yaml").write_text(yaml.safe_dump({"category": "leaving_post", "rules": [{
        "id": "leaving_post.placeholder", "kind": "phrase", "patterns": ["绝不会出现的短语"], "weight": 0.9,
        "examples": {"match": ["绝不会出现的短语"] * 2, "no_match": ["无", "无关"]}}]}, allow_unicode=True), encoding="utf-8")
    assert main(["evaluate", str(small_data), "--mode", "rules", "--compare-rules", str(old)]) == 0
    printed = capsys.readouterr().out
    assert "reports change labels" in printed and "leaving_post" in printed


def test_cross_validation_on_a_training_file(tmp_path, capsys):
    path = tmp_path / "train-sample.jsonl"
    path.write_text("\n".join((ROOT / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()[::5]) + "\n",
                    encoding="utf-8")
    assert main(["evaluate", str(path), "--cv", "2", "--mode", "all"]) == 0
    out = capsys.readouterr().out
    assert "2-fold cross-validation" in out and "hybrid P" in out


def test_too_little_data_to_train_is_a_clear_error(small_data, capsys):
    tiny = small_data.with_name("tiny.jsonl")
    tiny.write_text("\n".join(small_data.read_text(encoding="utf-8").splitlines()[:12]) + "\n", encoding="utf-8")
    assert main(["evaluate", str(tiny), "--cv", "2"]) == 2
    assert "training needs at least 2 reports" in capsys.readouterr().err


def test_regression_gate_on_the_held_out_split(capsys):
    """CI's gate: the shipped tagger on data/test.jsonl against the committed baseline."""
    assert main(["evaluate", str(ROOT / "data" / "test.jsonl"), "--baseline", str(ROOT / "data" / "baseline.json")]) == 0


def test_regression_gate_fails_on_a_drop(tmp_path, small_data):
    baseline = {"modes": {"hybrid": {"macro_f1": 1.0, "per_label": {"concealment": {"f1": 1.0}}}}}
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline), encoding="utf-8")
    assert main(["evaluate", str(small_data), "--baseline", str(path)]) == 1
