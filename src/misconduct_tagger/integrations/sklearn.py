"""`MisconductClassifier`: the tagger as a scikit-learn estimator over raw report texts.

Use it where scikit-learn's model selection is wanted: `cross_validate`, `GridSearchCV` over `C` or
`mode`, pipelines. `X` is a sequence of str (list, 1-d array, pandas Series); `y` is the label-indicator
matrix, one column per category in taxonomy order (`classes_`); `indicator_matrix` makes it from
lists of category ids. Multi-label targets make the default `score` subset accuracy: pass
`scoring="f1_micro"` or `"f1_macro"` to model selection.

Which of `sklearn.utils.estimator_checks` apply: the checks that never feed data pass as they are
(`check_estimator_cloneable`, `check_estimator_tags_renamed`, `check_valid_tag_types`,
`check_estimator_repr`, `check_no_attributes_set_in_init`, `check_parameters_default_constructible`,
`check_get_params_invariance`, `check_set_params`, `check_do_not_raise_errors_in_init_or_set_params`,
`check_mixin_order`), and so does `check_estimators_unfitted`, because `predict` and `predict_proba`
check fitting before they look at `X`. Every other check fits random numeric matrices, which are
not reports; the tests assert their contracts on texts instead (fit returns self and leaves the
parameters alone, no public attribute appears in fit, pickling, output shapes, sample order).
`check_param_validation` is left out: it needs scikit-learn's private parameter-validation machinery.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..model import ReportClassifier
from ..resources import rules_dir
from ..rules.schema import ruleset_digest
from ..tagger import MODES, Analysis, Tagger
from ..taxonomy import default_taxonomy


def indicator_matrix(label_lists: Iterable[Iterable[str]]) -> np.ndarray:
    """The (n_reports, n_categories) 0/1 matrix of lists of category ids, columns in taxonomy order."""
    ids = default_taxonomy().ids
    index = {label: k for k, label in enumerate(ids)}
    rows = []
    for labels in label_lists:
        if isinstance(labels, str):
            raise TypeError(f"each item must be a list of category ids, not the string {labels!r}")
        row = np.zeros(len(ids), dtype=int)
        for label in labels:
            if label not in index:
                raise ValueError(f"unknown category {label!r}; known: {', '.join(ids)}")
            row[index[label]] = 1
        rows.append(row)
    return np.array(rows, dtype=int).reshape(len(rows), len(ids))


@dataclass(frozen=True)
class _Rules:
    """A rules folder and the digest of its content: the key under which its work is cached."""

    directory: str
    digest: str

    @classmethod
    def of(cls, rules: str | Path | None) -> "_Rules":
        directory = Path(rules).resolve() if rules is not None else rules_dir()
        return cls(str(directory), ruleset_digest(directory))


@lru_cache(maxsize=4)
def _rules_tagger(rules: _Rules) -> Tagger:
    return Tagger.load(rules=rules.directory, mode="rules")


@lru_cache(maxsize=10_000)
def _analysis(rules: _Rules, text: str) -> Analysis:
    """Model selection fits and predicts on the same texts again and again, and segmenting and rule
    matching cost more than fitting: each text is analysed once per ruleset."""
    return _rules_tagger(rules).analyse(text)


def _texts(X) -> list[str]:
    texts = list(X)
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"X must hold report texts (str); item {position} is {type(text).__name__}: {text!r:.60}")
    return texts


class MisconductClassifier(ClassifierMixin, BaseEstimator):
    """Trains the report classifier on texts and predicts with the rules + model decision of `mode`.

    `rules` is the rules folder whose hits are features and evidence (None: the shipped rules);
    `C`, `cv` (folds for the per-label thresholds) and `random_state` are the classifier's.
    ClassifierMixin comes before BaseEstimator, as scikit-learn's `check_mixin_order` requires.
    """

    def __init__(self, rules: str | Path | None = None, mode: str = "hybrid", C: float = 0.5, cv: int = 5,
                 random_state: int = 0):
        self.rules = rules
        self.mode = mode
        self.C = C
        self.cv = cv
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.two_d_labels = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags

    def _fitted_rules(self) -> _Rules:
        """The rules, refusing rules that changed since fit: their hits are model features."""
        check_is_fitted(self)
        rules = _Rules.of(self.rules)
        if rules.digest != self.ruleset_:
            raise ValueError(f"the rules changed since fit (ruleset {self.ruleset_} then, {rules.digest} now): fit again")
        return rules

    def fit(self, X: Sequence[str], y) -> "MisconductClassifier":
        """Fit on texts `X` and the label-indicator matrix `y` (see `indicator_matrix`)."""
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        rules = _Rules.of(self.rules)
        labels = _rules_tagger(rules).taxonomy.ids
        prepared = [_analysis(rules, text).prepared for text in _texts(X)]
        Y = np.asarray(y)
        if Y.shape != (len(prepared), len(labels)):
            raise ValueError(f"y must be a label-indicator matrix of shape ({len(prepared)}, {len(labels)}), "
                             f"one column per category in taxonomy order; got shape {Y.shape}")
        if not np.isin(Y, (0, 1)).all():
            raise ValueError("y must hold only 0 and 1")
        self.classifier_ = ReportClassifier(labels=labels, C=self.C, cv=self.cv,
                                            random_state=self.random_state).fit(prepared, Y.astype(int))
        self.ruleset_ = rules.digest
        self.classes_ = np.array(labels, dtype=object)
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """The classifier's calibrated probability per report and category (before rules)."""
        rules = self._fitted_rules()
        return self.classifier_.predict_proba([_analysis(rules, text).prepared for text in _texts(X)])

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The label-indicator matrix of the decision of `mode` (rules, model or their hybrid)."""
        rules = self._fitted_rules()
        rules_tagger = _rules_tagger(rules)
        tagger = Tagger(rules_tagger.engine, self.classifier_, {}, rules_tagger.taxonomy)
        index = {label: k for k, label in enumerate(self.classes_)}
        texts = _texts(X)
        predicted = np.zeros((len(texts), len(self.classes_)), dtype=int)
        for row, result in enumerate(tagger.decide_many([_analysis(rules, text) for text in texts], self.mode)):
            for label in result.label_ids:
                predicted[row, index[label]] = 1
        return predicted
