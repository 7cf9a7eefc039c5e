import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from misconduct_tagger import Tagger
from misconduct_tagger.io.labelled import read_labelled
from misconduct_tagger.model import ModelError, load_model
from misconduct_tagger.resources import models_dir
from misconduct_tagger.taxonomy import default_taxonomy
from misconduct_tagger.training import train

ROOT = Path(__file__).resolve().parents[1]
LABELS = default_taxonomy().ids


@pytest.fixture
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(models_dir() / "default", target)
    return target


def test_committed_model_card(model_copy):
    card = json.loads((model_copy / "model.json").read_text(encoding="utf-8"))
    assert card["labels"] == list(LABELS)
    assert set(card["thresholds"]) == set(LABELS)
    assert card["training_data"]["sha256"] and card["versions"]["scikit_learn"]
    assert (model_copy / "model.joblib").stat().st_size < 20 * 1024 * 1024
    classifier, _ = load_model(model_copy, LABELS)
    assert list(classifier.classes_) == list(LABELS)


def test_a_changed_model_file_is_refused_before_unpickling(model_copy):
    with (model_copy / "model.joblib").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(model_copy, LABELS)


def test_another_label_set_is_refused(model_copy):
    with pytest.raises(ModelError, match="labels"):
        load_model(model_copy, LABELS[:-1])


def test_another_scikit_learn_is_refused(model_copy):
    card_path = model_copy / "model.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["versions"]["scikit_learn"] = "0.20.0"
    card_path.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="scikit-learn 0.20.0"):
        load_model(model_copy, LABELS)


def test_missing_card_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="model card not found"):
        load_model(tmp_path, LABELS)


def test_train_end_to_end_on_a_small_sample_is_reproducible(tmp_path):
    reports = read_labelled(ROOT / "data" / "train.jsonl")
    sample = reports[::12]
    sample_file = tmp_path / "sample.jsonl"
    sample_file.write_text("".join(
        json.dumps({"id": r.id, "text": r.text, "labels": sorted(r.labels)}, ensure_ascii=False) + "\n" for r in sample),
        encoding="utf-8")
    first = train(sample, tmp_path / "a", seed=3, cv=3, training_data=sample_file)
    second = train(sample, tmp_path / "b", seed=3, cv=3, training_data=sample_file)
    assert first["model_sha256"] == second["model_sha256"]
    assert first["thresholds"] == second["thresholds"]
    assert first["metrics"]["n_reports"] == len(sample)
    classifier, _ = load_model(tmp_path / "a", LABELS)
    assert classifier.thresholds_.shape == (len(LABELS),)


def test_a_model_trained_with_other_rules_warns(tmp_path):
    import warnings

    from misconduct_tagger import Tagger
    from misconduct_tagger.resources import rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Tagger.load()  # the shipped model was trained with the shipped rules
    with (rules / "delay.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# changed\n")
    with pytest.warns(UserWarning, match="retrain"):
        Tagger.load(rules=rules)


def test_one_product_gives_the_probabilities_of_the_calibrated_estimators():
    tagger = Tagger.load()
    reports = read_labelled(ROOT / "data" / "test.jsonl")[:40]
    X = tagger.classifier.transform([a.prepared for a in tagger.analyse_many([r.text for r in reports])])
    fast = tagger.classifier.proba_from_features(X)
    np.testing.assert_allclose(fast, tagger.classifier.model_.predict_proba(X), rtol=0, atol=1e-12)
    assert "_linear" not in pickle.loads(pickle.dumps(tagger.classifier)).__dict__


def test_occurrence_shares_add_up_to_the_n_gram_part_of_the_score(loaded_tagger):
    """The clause evidence rests on this: the shares traced to n-gram occurrences are the score, split."""
    classifier = loaded_tagger.classifier
    reports = read_labelled(ROOT / "data" / "test.jsonl")[:30]
    analyses = loaded_tagger.analyse_many([r.text for r in reports])
    X = classifier.transform([a.prepared for a in analyses])
    n_grams = X.shape[1] - len(LABELS) * 4  # the rule-hit columns come last
    for analysis, row in zip(analyses, X):
        columns, starts, ends = classifier.occurrences(analysis.prepared)
        assert set(columns) == set(row.indices[row.indices < n_grams])
        for column, start, end in zip(columns[:50], starts[:50], ends[:50]):
            name = classifier.feature_names_[column].partition(":")[2]
            assert analysis.prepared.text[start:end].lower().startswith(name.split(" ")[0])
        for label in (0, 5, 13):
            shares = classifier.occurrence_contributions(row, columns, label)
            expected = row[:, :n_grams] @ classifier.coefficients(label)[:n_grams]
            assert shares.sum() == pytest.approx(float(expected[0]), abs=1e-9)
