import copy
import itertools
import json
import pickle
import shutil
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils import estimator_checks

from misconduct_tagger import Tagger
from misconduct_tagger.integrations.sklearn import MisconductClassifier, indicator_matrix
from misconduct_tagger.resources import rules_dir
from misconduct_tagger.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
PER_LABEL = 18  # the classifier calibrates on inner folds: each label needs a few positives in each
HELD_OUT = ["经查，某镇网格员值班期间私自回家睡觉，电话联系不上。", "群众举报，某村会计把救灾大米分给自家亲戚。",
            "某县召开防汛工作会议，部署汛期值班工作。", "严禁瞒报谎报疫情信息。", ""]

API_CHECKS = [
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_tags_renamed,
    estimator_checks.check_valid_tag_types,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
    estimator_checks.check_mixin_order,
    estimator_checks.check_estimators_unfitted,
]


@pytest.fixture(scope="module")
def sample():
    """About 200 reports of data/train.jsonl, PER_LABEL for each category and none, interleaved so
    that contiguous folds (what scikit-learn uses for multi-label targets) hold every category."""
    records = [json.loads(line) for line in (ROOT / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    groups = [[r for r in records if label in r["labels"]][:PER_LABEL] for label in default_taxonomy().ids]
    groups.append([r for r in records if not r["labels"]][:PER_LABEL])
    picked: dict[str, dict] = {}
    for record in itertools.chain.from_iterable(itertools.zip_longest(*groups)):
        if record is not None:
            picked.setdefault(record["id"], record)
    X = np.array([r["text"] for r in picked.values()], dtype=object)
    return X, indicator_matrix(r["labels"] for r in picked.values())


@pytest.fixture(scope="module")
def fitted(sample):
    X, Y = sample
    return MisconductClassifier(cv=4).fit(X, Y)


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda check: check.__name__)
def test_scikit_learn_api_checks_that_apply_to_text_input(check):
    check(MisconductClassifier.__name__, MisconductClassifier())


def test_fit_returns_self_leaves_parameters_alone_and_adds_only_learned_attributes(sample):
    X, Y = sample
    estimator = MisconductClassifier(C=0.3, cv=4, random_state=1)
    params = joblib.hash(estimator.get_params())
    before = set(vars(estimator))
    assert estimator.fit(X, Y) is estimator
    assert joblib.hash(estimator.get_params()) == params
    added = set(vars(estimator)) - before
    assert added and all(name.endswith("_") and not name.startswith("_") for name in added)


def test_predictions_have_the_multilabel_shape(fitted):
    assert list(fitted.classes_) == list(default_taxonomy().ids)
    predicted = fitted.predict(HELD_OUT)
    assert predicted.shape == (len(HELD_OUT), 14) and set(np.unique(predicted)) <= {0, 1}
    probabilities = fitted.predict_proba(HELD_OUT)
    assert probabilities.shape == (len(HELD_OUT), 14) and ((0 <= probabilities) & (probabilities <= 1)).all()
    assert predicted[4].sum() == 0  # an empty text gets no label
    assert predicted[0, list(fitted.classes_).index("leaving_post")] == 1


def test_modes_decide_like_the_tagger(fitted, sample):
    X, _ = sample
    texts = list(X) + HELD_OUT
    rules_tagger = Tagger.load(mode="rules")
    by_rules = copy.deepcopy(fitted).set_params(mode="rules").predict(texts)
    assert (by_rules == indicator_matrix(rules_tagger.tag(text).label_ids for text in texts)).all()
    by_model = copy.deepcopy(fitted).set_params(mode="model").predict(texts)
    assert (by_model == (fitted.predict_proba(texts) >= fitted.classifier_.thresholds_)).all()
    hybrid = fitted.predict(texts)
    assert (hybrid >= by_rules).all()  # a rule hit of enough weight labels whatever the model says
    assert (hybrid != by_rules).any() and (hybrid != by_model).any()


def test_predictions_do_not_depend_on_sample_order_or_a_pickle_round_trip(fitted, sample):
    X, _ = sample
    texts = X[:30]
    order = np.random.default_rng(0).permutation(len(texts))
    assert (fitted.predict(texts[order]) == fitted.predict(texts)[order]).all()
    restored = pickle.loads(pickle.dumps(fitted))
    assert (restored.predict(texts) == fitted.predict(texts)).all()
    assert np.allclose(restored.predict_proba(texts), fitted.predict_proba(texts))


def test_bad_input_is_refused_with_a_clear_error(sample, fitted):
    X, Y = sample
    with pytest.raises(ValueError, match="label-indicator matrix of shape"):
        MisconductClassifier().fit(X, Y[:, :3])
    with pytest.raises(ValueError, match="only 0 and 1"):
        MisconductClassifier().fit(X, Y * 2)
    with pytest.raises(TypeError, match="item 1 is float"):
        fitted.predict(["某村会计挪用救灾款。", 3.5])
    with pytest.raises(ValueError, match="mode must be one of"):
        MisconductClassifier(mode="vote").fit(X, Y)
    with pytest.raises(ValueError, match="unknown category 'bribery'"):
        indicator_matrix([["extortion"], ["bribery"]])
    assert indicator_matrix([]).shape == (0, 14)


def test_rules_that_changed_since_fit_are_refused(fitted, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    estimator = copy.deepcopy(fitted).set_params(rules=rules)
    assert estimator.predict(HELD_OUT).shape == (len(HELD_OUT), 14)  # the same rules, elsewhere: fine
    path = rules / "extortion.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rules changed since fit"):
        estimator.predict(HELD_OUT)


def test_cross_validate(sample):
    X, Y = sample
    scores = cross_validate(MisconductClassifier(cv=4), X, Y, cv=3, scoring=["f1_micro", "f1_macro"],
                            error_score="raise")
    assert len(scores["test_f1_micro"]) == 3
    assert (scores["test_f1_micro"] > 0.3).all() and (scores["test_f1_macro"] > 0.2).all()


def test_grid_search(sample):
    X, Y = sample
    search = GridSearchCV(MisconductClassifier(cv=4), {"mode": ["rules", "hybrid"]}, cv=2, scoring="f1_micro",
                          error_score="raise").fit(X, Y)
    assert [p["mode"] for p in search.cv_results_["params"]] == ["rules", "hybrid"]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["mode"] in ("rules", "hybrid")
    assert search.predict(HELD_OUT).shape == (len(HELD_OUT), 14)
    assert clone(search.best_estimator_).get_params() == search.best_estimator_.get_params()
