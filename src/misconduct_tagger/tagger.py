"""Tagger: load the rules and the model once, then tag texts one by one or in streams."""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path

import numpy as np

from . import __version__
from .decision import decide
from .model import Prepared, load_model
from .model.classifier import ReportClassifier
from .nlp import load_pipeline, make_doc
from .resources import models_dir, rules_dir
from .results import Evidence, TagResult
from .rules import RuleEngine, RuleHit
from .taxonomy import Taxonomy, default_taxonomy
from .text import NormalizedText, normalize

MODES = ("hybrid", "rules", "model")
DEFAULT_MAX_CHARS = 20_000
# Reports analysed stage by stage together; larger batches keep each stage's data in the CPU caches longer.
DEFAULT_BATCH_SIZE = 256
_SENTENCE_END = re.compile(r"[。！？!?\n]")


@dataclass(frozen=True)
class Analysis:
    """What the tagger knows of one report before deciding."""

    normalized: NormalizedText
    hits: tuple[RuleHit, ...]
    prepared: Prepared


def chunk_bounds(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut `text` into pieces of at most `max_chars`, at a sentence end where there is one."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    bounds = []
    start = 0
    while start < len(text):
        end = min(start + max_chars, len(text))
        if end < len(text):
            last = None
            for m in _SENTENCE_END.finditer(text, start + max_chars // 2, end):
                last = m.end()
            end = last or end
        bounds.append((start, end))
        start = end
    return bounds


class Tagger:
    """Tags reports with misconduct categories. Build with `Tagger.load()`."""

    def __init__(self, engine: RuleEngine, classifier: ReportClassifier | None = None, card: dict | None = None,
                 taxonomy: Taxonomy | None = None, mode: str = "hybrid", max_chars: int = DEFAULT_MAX_CHARS,
                 model_path: Path | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if mode != "rules" and classifier is None:
            raise ValueError(f"mode {mode!r} needs a model")
        if max_chars < 100:
            raise ValueError("max_chars must be at least 100")
        self.engine = engine
        self.classifier = classifier
        self.card = card or {}
        self.taxonomy = taxonomy or default_taxonomy()
        self.mode = mode
        self.max_chars = max_chars
        self.model_path = model_path
        self.nlp = load_pipeline()
        self.versions = {
            "library": __version__,
            "ruleset": engine.ruleset.digest,
            "model": (self.card.get("model_sha256") or "")[:16] or None,
        }

    @classmethod
    def load(cls, path: Path | str | None = None, *, rules: Path | str | None = None, mode: str = "hybrid",
             max_chars: int = DEFAULT_MAX_CHARS) -> "Tagger":
        """The shipped rules and model (or the model folder `path` and rules folder `rules`)."""
        taxonomy = default_taxonomy()
        engine = RuleEngine.load(rules if rules is not None else rules_dir(), load_pipeline().vocab)
        classifier, card, model_path = None, None, None
        if mode != "rules":
            model_path = Path(path) if path is not None else models_dir() / "default"
            classifier, card = load_model(model_path, taxonomy.ids)
            trained_with = card.get("ruleset")
            if trained_with and trained_with != engine.ruleset.digest:
                # Rule hits are model features: a model trained with other rules still runs, less well.
                warnings.warn(f"the model in {model_path} was trained with ruleset {trained_with}, these rules are "
                              f"{engine.ruleset.digest}; retrain it with `misconduct-tagger train`", stacklevel=2)
        return cls(engine, classifier, card, taxonomy, mode, max_chars, model_path)

    def analyse(self, text: str) -> Analysis:
        """Normalise, segment (in chunks for long texts) and match the rules."""
        return self.analyse_many([text])[0]

    def analyse_many(self, texts: Sequence[str]) -> list[Analysis]:
        """`analyse` for many texts, stage by stage: segmenting them one after another keeps pkuseg's
        model in the CPU caches, which interleaving rule matching between them evicts."""
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"tag() expects a str, got {type(text).__name__}: {text!r:.60}")
        normalized = [normalize(text) for text in texts]
        pieces = [(i, norm if (start, end) == (0, len(norm.text)) else norm.slice(start, end))
                  for i, norm in enumerate(normalized) for start, end in chunk_bounds(norm.text, self.max_chars)]
        docs = [make_doc(piece, self.nlp) for _, piece in pieces]
        hits: list[list[RuleHit]] = [[] for _ in texts]
        tokens: list[list[str]] = [[] for _ in texts]
        for (i, _), doc in zip(pieces, docs):
            hits[i].extend(self.engine.match(doc))
            tokens[i].extend(t.text for t in doc if not t.is_space)
        return [Analysis(norm, tuple(h), Prepared(norm.text, tuple(w), tuple(h), self._cues(norm.text, h)))
                for norm, h, w in zip(normalized, hits, tokens)]

    def _cues(self, text: str, hits: list[RuleHit]) -> tuple[str, ...]:
        context = self.engine.context
        local, verdicts = found = context.find_cues(text)
        document = context.document_assertion(text, [h.assertion for h in hits], found)
        return (*(f"{c.group.assertion}:{c.text}" for c in local),
                *(f"verdict-{c.group.assertion}:{c.text}" for c in verdicts), f"document:{document}")

    def tag(self, text: str) -> TagResult:
        """The labels of one report, each with its evidence and score."""
        return self.decide(self.analyse(text))

    def decide(self, analysis: Analysis, mode: str | None = None) -> TagResult:
        """Labels from an analysis; `mode` (hybrid, rules, model) defaults to the tagger's."""
        return self.decide_many([analysis], mode)[0]

    def decide_many(self, analyses: Sequence[Analysis], mode: str | None = None) -> list[TagResult]:
        """Labels for many analyses; the model scores them together, which is much faster than one by one."""
        mode = mode or self.mode
        if mode not in MODES or (mode != "rules" and self.classifier is None):
            raise ValueError(f"mode {mode!r} is not available for this tagger")
        features = probabilities = None
        gates: list = [None] * len(analyses)
        if mode != "rules" and analyses:
            features = self.classifier.transform([a.prepared for a in analyses])
            probabilities = self.classifier.proba_from_features(features)
            if mode == "hybrid":
                gates = self.classifier.gate_decisions(features, [a.prepared.cues for a in analyses])
        results = []
        for i, analysis in enumerate(analyses):
            text = analysis.normalized.original
            if not analysis.normalized.text.strip():
                results.append(TagResult(text, (), dict(self.versions), mode))
                continue
            row = features[i] if features is not None else None
            clauses = cache(partial(self._clauses, analysis))  # found once, for whichever labels need evidence
            labels = decide(
                self.taxonomy,
                () if mode == "model" else analysis.hits,
                probabilities[i] if probabilities is not None else None,
                self.classifier.thresholds_ if probabilities is not None else None,
                model_evidence=lambda index, spans, analysis=analysis, row=row, clauses=clauses:
                    self._model_evidence(analysis, row, index, clauses, spans),
                # The model alone knows nothing of assertions; the hybrid reads the report's own.
                default_assertion="affirmed" if mode == "model" else analysis.prepared.document_assertion,
                incident=gates[i] is None or gates[i].incident_probability >= self.classifier.gate_cut,
            )
            results.append(TagResult(text, tuple(labels), dict(self.versions), mode, gates[i]))
        return results

    def _clauses(self, analysis: Analysis):
        """The report's n-gram occurrences, the clause each starts in, and its clause layout."""
        columns, starts, _ = self.classifier.occurrences(analysis.prepared)
        layout = self.engine.context.layout(analysis.prepared.text)
        return columns, starts, np.searchsorted(layout.unit_ends("clause"), starts), layout

    def _model_evidence(self, analysis: Analysis, row, index: int, clauses, spans: bool, top: int = 5):
        """The features that pushed the label's score up most, and the clauses that carry it when `spans`
        is asked for (a clause is what an inspector can check; a lone n-gram is often a function word)."""
        contributions = self.classifier.contributions(row, index, top)
        features = tuple((c.feature, round(c.weight, 4)) for c in contributions)
        return (self._top_clauses(analysis, row, index, clauses()) if spans else []), features

    def _top_clauses(self, analysis: Analysis, row, index: int, traced, most: int = 2) -> list[Evidence]:
        columns, starts, clause_ids, layout = traced
        shares = self.classifier.occurrence_contributions(row, columns, index)
        if not len(shares):
            return []
        sums = np.bincount(clause_ids, weights=shares)
        norm = analysis.normalized
        evidence = []
        for k in np.argsort(-sums)[:most]:
            if sums[k] <= 0 or sums[k] < sums.max() / 2:
                break
            start, end = layout.unit(int(starts[np.argmax(clause_ids == k)]), "clause")
            while start < end and norm.text[start].isspace():
                start += 1
            while end > start and norm.text[end - 1].isspace():
                end -= 1
            start, end = norm.to_original(start, end)
            evidence.append(Evidence(start, end, norm.original[start:end], "model", weight=round(float(sums[k]), 4)))
        return evidence

    def model_clauses(self, analyses: Sequence[Analysis], category: str,
                      most: int = 2) -> list[tuple[float, list[Evidence]]]:
        """For each analysis, the model's probability for `category` and the clauses that carry most of its
        score (at most `most`, each with at least half the best one's share), as a model-given label shows them."""
        if self.classifier is None:
            raise ValueError("model_clauses needs a tagger with a model")
        index = self.taxonomy.ids.index(self.taxonomy[category].id)  # an unknown id is a KeyError naming it
        if not analyses:
            return []
        rows = self.classifier.transform([a.prepared for a in analyses])
        probabilities = self.classifier.proba_from_features(rows)[:, index]
        return [(float(probabilities[i]), self._top_clauses(a, rows[i], index, self._clauses(a), most))
                for i, a in enumerate(analyses)]

    def tag_many(self, texts: Iterable[str], n_jobs: int = 1, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[TagResult]:
        """Results in input order, streaming. With n_jobs > 1, batches go to worker processes.

        A bare string is refused (it would be tagged character by character), and so is an item that is
        not a string, by its index: the results before it have been yielded already."""
        if isinstance(texts, (str, bytes)):
            raise TypeError("tag_many() takes an iterable of texts, not a single text: "
                            "pass a list (tag_many([text])) or call tag(text)")
        return self._tag_stream(_checked_texts(texts), n_jobs, batch_size)

    def _tag_stream(self, texts: Iterator[str], n_jobs: int, batch_size: int) -> Iterator[TagResult]:
        if n_jobs == 1:
            for batch in _batches(texts, batch_size):
                yield from self.decide_many(self.analyse_many(batch))
            return
        from joblib import Parallel, delayed

        spec = (str(self.model_path) if self.model_path else None, str(self.engine.ruleset.directory),
                self.mode, self.max_chars)
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
        for batch in parallel(delayed(_tag_batch)(spec, chunk) for chunk in _batches(texts, batch_size)):
            yield from batch


def _checked_texts(texts: Iterable[str]) -> Iterator[str]:
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"tag_many(): item {index} is {type(text).__name__}, not str: {text!r:.60}")
        yield text


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@lru_cache(maxsize=4)
def shared_tagger(model: str | None = None, rules: str | None = None, mode: str = "hybrid",
                  max_chars: int = DEFAULT_MAX_CHARS) -> Tagger:
    """One Tagger per process and configuration, for workers and adapters that must not reload it."""
    return Tagger.load(model, rules=rules, mode=mode, max_chars=max_chars)


def freeze_loaded_objects() -> None:
    """Exempt everything loaded so far from the cyclic garbage collector. pkuseg's model holds sets of
    1.6 million strings that every full collection would otherwise walk; worth it in processes that
    load the tagger and then tag for long (the tag command, its workers), not a library's call to make."""
    gc.collect()
    gc.freeze()


@lru_cache(maxsize=4)
def _worker_tagger(spec: tuple) -> Tagger:
    tagger = shared_tagger(*spec)
    freeze_loaded_objects()
    return tagger


def _tag_batch(spec: tuple, texts: list[str]) -> list[TagResult]:
    """Runs in a worker process; the tagger is loaded once per process."""
    tagger = _worker_tagger(spec)
    return tagger.decide_many(tagger.analyse_many(texts))
