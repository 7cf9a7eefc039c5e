"""A calibrated one-vs-rest linear model with per-label thresholds, saved as joblib + a hash-checked card.

A model file is code (joblib unpickles it): `load_model` refuses a file whose SHA-256 differs from the
one in `model.json`, a model for another label set, and one made with another scikit-learn release.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from .. import __version__
from ..errors import MisconductTaggerError
from .features import Prepared, build_features, feature_names, ngram_occurrences
from .gate import ReportGate

MODEL_FILE = "model.joblib"
CARD_FILE = "model.json"
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


class ModelError(MisconductTaggerError):
    """A model folder that cannot or must not be loaded."""


@dataclass(frozen=True)
class Contribution:
    feature: str
    weight: float


class ReportClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label classifier over prepared reports; `predict` applies the per-label thresholds.

    Fitted with the reports' kinds (see `gate.report_kind`), it also carries the report-level gate,
    which reads the same character n-grams; a report whose incident probability is below `gate_cut` is
    taken not to tell of an incident."""

    def __init__(self, labels: Sequence[str] = (), C: float = 0.5, char_ngrams: tuple[int, int] = (1, 3),
                 max_char_features: int = 60000, cv: int = 5, random_state: int = 0, gate_cut: float = 0.5):
        self.labels = labels
        self.C = C
        self.char_ngrams = char_ngrams
        self.max_char_features = max_char_features
        self.cv = cv
        self.random_state = random_state
        self.gate_cut = gate_cut

    def _new_model(self, Y: np.ndarray) -> OneVsRestClassifier:
        """Calibrated by internal 3-fold CV, or fewer folds when a label has fewer reports than that."""
        rarest = int(min(Y.sum(axis=0).min(), (1 - Y).sum(axis=0).min()))
        if rarest < 2:
            k = int(np.argmin(np.minimum(Y.sum(axis=0), (1 - Y).sum(axis=0))))
            raise ModelError(f"label {self.labels[k]!r} has {rarest} report(s) on one side; training needs at "
                             "least 2 reports with and 2 without every label")
        base = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        return OneVsRestClassifier(CalibratedClassifierCV(base, method="sigmoid", cv=min(3, rarest), ensemble=False))

    def _new_features(self):
        return build_features(self.labels, char_ngrams=tuple(self.char_ngrams), max_char_features=self.max_char_features)

    def fit(self, reports: Sequence[Prepared], Y: np.ndarray, kinds: Sequence[str] | None = None) -> "ReportClassifier":
        Y = np.asarray(Y, dtype=int)
        self.classes_ = np.array(list(self.labels), dtype=object)
        # Thresholds come from out-of-fold probabilities, so they are chosen on reports the model did not see.
        oof = np.zeros(Y.shape, dtype=float)
        folds = KFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        for train, held_out in folds.split(reports):
            features = self._new_features()
            X_train = features.fit_transform([reports[i] for i in train])
            model = self._new_model(Y[train]).fit(X_train, Y[train])
            oof[held_out] = model.predict_proba(features.transform([reports[i] for i in held_out]))
        self.thresholds_ = np.array([_best_threshold(Y[:, k], oof[:, k]) for k in range(Y.shape[1])])
        self.cv_predictions_ = (oof >= self.thresholds_).astype(int)
        self.features_ = self._new_features()
        X = self.features_.fit_transform(reports).tocsr()
        for _, transformer in self.features_.transformer_list:
            vectorizer = transformer.named_steps.get("tfidf") if hasattr(transformer, "named_steps") else None
            if vectorizer is not None:
                vectorizer.stop_words_ = None  # only needed for introspection, and large
        self.model_ = self._new_model(Y).fit(X, Y)
        self.feature_names_ = feature_names(self.features_)
        # The gate reads the character n-grams only: in grouped cross-validation, word n-grams and rule hits
        # let more directives and verdicts through as incidents (17 against 8 of 108 real directives).
        self.char_columns_ = len(self.features_.transformer_list[0][1].named_steps["tfidf"].vocabulary_)
        self.gate_ = None if kinds is None else ReportGate().fit(X[:, :self.char_columns_], [r.cues for r in reports], kinds)
        return self

    def gate_decisions(self, X, cues: Sequence[Sequence[str]]) -> list:
        """The gate's decision for each feature row (None for each when the model has no gate)."""
        gate = getattr(self, "gate_", None)
        return [None] * X.shape[0] if gate is None else gate.decisions(X[:, :self.char_columns_], cues, self.gate_cut)

    def transform(self, reports: Sequence[Prepared]):
        """The feature rows of reports, computed once for both scoring and explaining."""
        return self.features_.transform(reports).tocsr()

    def proba_from_features(self, X) -> np.ndarray:
        """The same as `model_.predict_proba(X)`, as one product with all labels' weights rather than
        fourteen validated calls, whose fixed cost dominated small batches."""
        weights, intercepts, calibrators = self._linear_parts()
        decisions = np.asarray(X @ weights) + intercepts
        return np.column_stack([calibrator.predict(decisions[:, k]) for k, calibrator in enumerate(calibrators)])

    def _linear_parts(self):
        parts = self.__dict__.get("_linear")
        if parts is None:
            calibrated = [estimator.calibrated_classifiers_[0] for estimator in self.model_.estimators_]
            parts = (np.column_stack([c.estimator.coef_.ravel() for c in calibrated]),
                     np.array([c.estimator.intercept_[0] for c in calibrated]),
                     [c.calibrators[0] for c in calibrated])
            self._linear = parts
        return parts

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_linear", None)
        return state

    def predict_proba(self, reports: Sequence[Prepared]) -> np.ndarray:
        return self.proba_from_features(self.transform(reports))

    def predict(self, reports: Sequence[Prepared]) -> np.ndarray:
        return (self.predict_proba(reports) >= self.thresholds_).astype(int)

    def coefficients(self, label_index: int) -> np.ndarray:
        calibrated = self.model_.estimators_[label_index]
        return calibrated.calibrated_classifiers_[0].estimator.coef_.ravel()

    def contributions(self, row, label_index: int, top: int = 5) -> list[Contribution]:
        """The features that pushed this label's score up most for one feature row (value × coefficient)."""
        coef = self.coefficients(label_index)
        values = row.data * coef[row.indices]
        order = np.argsort(-values)[:top]
        return [Contribution(str(self.feature_names_[row.indices[i]]), float(values[i])) for i in order if values[i] > 0]

    def occurrences(self, report: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(column, start, end) of every character and word n-gram occurrence in the report's text."""
        return ngram_occurrences(self.features_, report.text, report.tokens)

    def occurrence_contributions(self, row, columns: np.ndarray, label_index: int) -> np.ndarray:
        """Each occurrence's share of the label's decision value: its feature's value × weight, split evenly
        among that feature's occurrences. Summed, they give the n-gram part of the decision value exactly,
        so a clause's sum says how much of the score it carries."""
        if not len(columns):
            return np.zeros(0)
        distinct, inverse, counts = np.unique(columns, return_inverse=True, return_counts=True)
        values = np.asarray(row[:, distinct].todense()).ravel() * self.coefficients(label_index)[distinct]
        return (values / counts)[inverse]


def _best_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    """The grid threshold with the best F1 for one label (the higher one on a tie)."""
    best, best_f1 = 0.5, -1.0
    for threshold in THRESHOLD_GRID:
        predicted = scores >= threshold
        tp = int(np.sum(predicted & (truth == 1)))
        fp = int(np.sum(predicted & (truth == 0)))
        fn = int(np.sum(~predicted & (truth == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = float(threshold), f1
    return best


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _versions() -> dict:
    import spacy

    return {
        "misconduct_tagger": __version__,
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
        "spacy": spacy.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
    }


def save_model(classifier: ReportClassifier, directory: Path | str, *, training_data: Path | None = None,
               metrics: dict | None = None, extra: dict | None = None) -> Path:
    """Write `model.joblib` and its card `model.json` (labels, thresholds, versions, hashes, metrics)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    joblib.dump(classifier, model_path, compress=3)
    card = {
        "labels": list(classifier.labels),
        "thresholds": {label: float(t) for label, t in zip(classifier.labels, classifier.thresholds_)},
        "params": classifier.get_params(),
        "versions": _versions(),
        "model_sha256": _sha256(model_path),
        "training_data": None if training_data is None else {
            "path": Path(training_data).name, "sha256": _sha256(Path(training_data))},
        "metrics": metrics or {},
        **(extra or {}),
    }
    card_path = directory / CARD_FILE
    card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return card_path


def read_card(directory: Path | str) -> dict:
    card_path = Path(directory) / CARD_FILE
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{card_path}: model card not found") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{card_path}: not valid JSON: {exc.msg} (line {exc.lineno})") from None


def load_model(directory: Path | str, labels: Sequence[str]) -> tuple[ReportClassifier, dict]:
    """Check the card, then unpickle: refuse a changed file, another label set or another scikit-learn."""
    directory = Path(directory)
    if directory.is_file():
        raise ModelError(f"{directory} is a file: pass the model folder that holds {MODEL_FILE} and {CARD_FILE}"
                         f" ({directory.parent})")
    card = read_card(directory)
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{model_path}: model file not found")
    actual = _sha256(model_path)
    if actual != card.get("model_sha256"):
        raise ModelError(f"{model_path}: SHA-256 {actual[:12]}… differs from model.json's "
                         f"{str(card.get('model_sha256'))[:12]}…; refusing to unpickle a changed model file")
    if list(card.get("labels", [])) != list(labels):
        raise ModelError(f"{directory / CARD_FILE}: model labels {card.get('labels')} differ from the taxonomy's {list(labels)}")
    trained_with = str(card.get("versions", {}).get("scikit_learn", "?"))
    if trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(f"{directory / CARD_FILE}: trained with scikit-learn {trained_with}, this is "
                         f"{sklearn.__version__}; retrain with `misconduct-tagger train`")
    classifier = joblib.load(model_path)
    if not isinstance(classifier, ReportClassifier):
        raise ModelError(f"{model_path}: not a misconduct-tagger model")
    return classifier, card
