"""The report-level gate: does a report tell of an incident at all, or is it a directive, a check that
cleared an allegation, or a neutral or commending account?

Category words fill directives (严禁瞒报…) and verdicts (反映问题不属实) as densely as case notices, so
the gate reads the whole report: the classifier's own character n-grams plus the assertion cues the
context rules find (严禁, 不属实, 经查…), and is trained on the `style` every labelled report carries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from ..results import GateDecision

INCIDENT = "incident"
KINDS = (INCIDENT, "directive", "verification", "neutral")


def report_kind(labels: Sequence[str], style: str | None) -> str:
    """The gate's target for a labelled report: any label makes it an incident; a report with none is
    a directive or a verification by its style, and neutral otherwise (commendations included)."""
    if labels:
        return INCIDENT
    return style if style in ("directive", "verification") else "neutral"


def _items(items: list[str]) -> list[str]:
    """The cues of a report are its tokens already (a module function, so the fitted gate pickles)."""
    return items


class ReportGate(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression over character n-grams and assertion-cue counts."""

    def __init__(self, C: float = 4.0, max_iter: int = 3000):
        self.C = C
        self.max_iter = max_iter

    def _cue_matrix(self, cues: Sequence[Sequence[str]]):
        return self.cues_.transform([list(c) for c in cues]).astype(float).log1p()

    def fit(self, X, cues: Sequence[Sequence[str]], kinds: Sequence[str]) -> "ReportGate":
        self.cues_ = CountVectorizer(analyzer=_items, min_df=2).fit([list(c) for c in cues])
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight="balanced")
        self.model_.fit(sparse.hstack([X, self._cue_matrix(cues)]).tocsr(), list(kinds))
        self.classes_ = self.model_.classes_
        self.incident_column_ = int(np.flatnonzero(self.classes_ == INCIDENT)[0])
        return self

    def predict_proba(self, X, cues: Sequence[Sequence[str]]) -> np.ndarray:
        return self.model_.predict_proba(sparse.hstack([X, self._cue_matrix(cues)]).tocsr())

    def decisions(self, X, cues: Sequence[Sequence[str]], cut: float, top: int = 3) -> list[GateDecision]:
        """One decision per report, with the cues of the report that pushed most toward its kind.

        The kind is "incident" exactly when the incident probability reaches `cut`, the line the labels
        are decided by; below it, the likeliest of the other kinds, so the kind shown is the one acted on.
        """
        probabilities = self.predict_proba(X, cues)
        vocabulary = self.cues_.vocabulary_
        coefficients = self.model_.coef_
        incident = self.incident_column_
        others = probabilities.copy()
        others[:, incident] = -1.0
        chosen = np.where(probabilities[:, incident] >= cut, incident, others.argmax(axis=1))
        decisions = []
        for row, k, report_cues in zip(probabilities, chosen, cues):
            weighed = sorted({c for c in report_cues if c in vocabulary},
                             key=lambda c: -coefficients[k, X.shape[1] + vocabulary[c]])
            reasons = tuple(c for c in weighed if coefficients[k, X.shape[1] + vocabulary[c]] > 0)[:top]
            decisions.append(GateDecision(str(self.classes_[k]), float(row[incident]), reasons))
        return decisions
