"""Train the classifier on a labelled file: prepare every report once, fit, cross-validate, save."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .evaluation import score
from .io.labelled import LabelledReport
from .model import ReportClassifier, save_model
from .model.gate import report_kind
from .tagger import Tagger


def data_fingerprint(paths: Path | Sequence[Path]) -> dict:
    """What the model card records of its training data: one file's name and SHA-256, or for several
    files their names joined by "+" and the SHA-256 of their bytes in order (for one file that is the
    file's own hash), with each file's own name and hash, so a changed correction file changes it."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    whole = hashlib.sha256()
    files = []
    for path in paths:
        own = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                whole.update(block)
                own.update(block)
        files.append({"path": path.name, "sha256": own.hexdigest()})
    if len(files) == 1:
        return files[0]
    return {"path": "+".join(f["path"] for f in files), "sha256": whole.hexdigest(), "files": files}


def kinds(reports: Sequence[LabelledReport]) -> list[str]:
    """What the report-level gate learns for each report: incident, directive, verification or neutral."""
    return [report_kind(r.labels, r.style) for r in reports]


def label_matrix(reports: Sequence[LabelledReport], labels: Sequence[str]) -> np.ndarray:
    return np.array([[int(label in r.labels) for label in labels] for r in reports], dtype=int)


def train(reports: Sequence[LabelledReport], output: Path | str, *, rules: Path | str | None = None, seed: int = 0,
          training_data: Path | Sequence[Path] | None = None, C: float = 0.5, cv: int = 5) -> dict:
    """Fit and save a model; returns its card. Same data, rules and seed give the same model.

    `training_data` names the file or files the reports came from, so the card records their hash."""
    rules_tagger = Tagger.load(rules=rules, mode="rules")
    labels = rules_tagger.taxonomy.ids
    prepared = [a.prepared for a in rules_tagger.analyse_many([r.text for r in reports])]
    Y = label_matrix(reports, labels)
    classifier = ReportClassifier(labels=labels, C=C, cv=cv, random_state=seed).fit(prepared, Y, kinds(reports))
    cv_scores = score([r.labels for r in reports],
                      [{labels[k] for k in np.flatnonzero(row)} for row in classifier.cv_predictions_], labels)
    metrics = {
        "cross_validation": {
            "folds": cv,
            "macro_f1": round(cv_scores.macro_f1, 4),
            "micro_f1": round(cv_scores.micro_f1, 4),
            "empty_false_positive_rate": round(cv_scores.empty_false_positive_rate, 4),
            "per_label_f1": {s.label: round(s.f1, 4) for s in cv_scores.per_label},
        },
        "n_reports": len(reports),
    }
    extra = {"seed": seed, "ruleset": rules_tagger.engine.ruleset.digest}
    if training_data is not None:
        extra["training_data"] = data_fingerprint(training_data)
    card_path = save_model(classifier, output, metrics=metrics, extra=extra)
    import json

    return json.loads(Path(card_path).read_text(encoding="utf-8"))


def cross_validate(reports: Sequence[LabelledReport], k: int = 5, *, rules: Path | str | None = None, seed: int = 0,
                   modes: Sequence[str] = ("rules", "model", "hybrid"), C: float = 0.5):
    """K-fold cross-validation of the model (and of the hybrid built on it) on a training file, grouped
    by case: retellings of one real case are never split between training and testing."""
    from sklearn.model_selection import GroupKFold

    from .evaluation import Outcome, evaluate_outcomes

    rules_tagger = Tagger.load(rules=rules, mode="rules")
    labels = rules_tagger.taxonomy.ids
    analyses = rules_tagger.analyse_many([r.text for r in reports])
    Y = label_matrix(reports, labels)
    report_kinds = kinds(reports)
    outcomes: dict[str, list] = {mode: [None] * len(reports) for mode in modes}
    groups = [r.case or r.id for r in reports]
    for train_index, test_index in GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(reports, groups=groups):
        classifier = ReportClassifier(labels=labels, C=C, random_state=seed).fit(
            [analyses[i].prepared for i in train_index], Y[train_index], [report_kinds[i] for i in train_index])
        fold_tagger = Tagger(rules_tagger.engine, classifier, {}, rules_tagger.taxonomy)
        for mode in modes:
            for i, result in zip(test_index, fold_tagger.decide_many([analyses[i] for i in test_index], mode)):
                outcomes[mode][i] = Outcome.of(reports[i], result)
    return {mode: evaluate_outcomes(mode, outcomes[mode], labels) for mode in modes}
