"""Features: character n-grams of the normalised text, word n-grams of the pkuseg tokens, and rule hits.

A report is prepared once (normalised, segmented, matched) and every feature reads what it needs from
that, so nothing is computed twice and the fitted model holds no reference to the pipeline or rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from ..rules.context import ASSERTIONS
from ..rules.engine import RuleHit


@dataclass(frozen=True)
class Prepared:
    """What the model reads of one report. `cues` name the assertion cues found in it, as
    `assertion:cue text` (`verdict-assertion:…` for verdicts), and `document:assertion` for the whole."""

    text: str
    tokens: tuple[str, ...]
    hits: tuple[RuleHit, ...]
    cues: tuple[str, ...] = ()

    @property
    def document_assertion(self) -> str:
        return next((c.partition(":")[2] for c in self.cues if c.startswith("document:")), "affirmed")


def _texts(reports: Sequence[Prepared]) -> list[str]:
    return [r.text for r in reports]


def _words(reports: Sequence[Prepared]) -> list[list[str]]:
    return [list(r.tokens) for r in reports]


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _word_ngrams(tokens: list[str]) -> list[str]:
    """Words and word pairs; punctuation tokens only separate."""
    words = [t for t in tokens if _is_word(t)]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


class RuleHitFeatures(TransformerMixin, BaseEstimator):
    """One column per category × assertion: the highest weight of a rule hit with that pair, else 0."""

    def __init__(self, categories: Sequence[str] = ()):
        self.categories = categories

    def fit(self, reports, y=None):
        self.columns_ = [(c, a) for c in self.categories for a in ASSERTIONS]
        self.index_ = {pair: i for i, pair in enumerate(self.columns_)}
        return self

    def transform(self, reports):
        matrix = np.zeros((len(reports), len(self.columns_)))
        for row, report in enumerate(reports):
            for hit in report.hits:
                column = self.index_.get((hit.category, hit.assertion))
                if column is not None:
                    matrix[row, column] = max(matrix[row, column], hit.weight)
        return sparse.csr_matrix(matrix)

    def get_feature_names_out(self, input_features=None):
        return np.array([f"rule:{c}:{a}" for c, a in self.columns_], dtype=object)


def build_features(categories: Sequence[str], char_ngrams: tuple[int, int] = (1, 3), max_char_features: int = 60000,
                   max_word_features: int = 20000) -> FeatureUnion:
    """The feature union the classifier is trained on."""
    chars = Pipeline([
        ("select", FunctionTransformer(_texts)),
        ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=char_ngrams, min_df=2, sublinear_tf=True,
                                  max_features=max_char_features, lowercase=True)),
    ])
    words = Pipeline([
        ("select", FunctionTransformer(_words)),
        ("tfidf", TfidfVectorizer(analyzer=_word_ngrams, min_df=2, sublinear_tf=True, max_features=max_word_features,
                                  lowercase=False)),
    ])
    return FeatureUnion([("char", chars), ("word", words), ("rules", RuleHitFeatures(categories))])


def feature_names(union: FeatureUnion) -> np.ndarray:
    """Names of the union's columns, `kind:value`, e.g. `char:脱岗`, `word:值班 期间`, `rule:delay:affirmed`."""
    names: list[str] = []
    for kind, transformer in union.transformer_list:
        if isinstance(transformer, Pipeline):
            names.extend(f"{kind}:{name}" for name in transformer.named_steps["tfidf"].get_feature_names_out())
        else:
            names.extend(transformer.get_feature_names_out())
    return np.array(names, dtype=object)


def ngram_occurrences(union: FeatureUnion, text: str, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every occurrence in `text` of a fitted character or word n-gram, as (column, start, end) arrays.

    A linear score over these columns can then be traced back to the clauses the n-grams stand in.
    `tokens` are the report's tokens in text order (`Prepared.tokens`)."""
    (_, chars), (_, words) = union.transformer_list[:2]
    char_tfidf, word_tfidf = chars.named_steps["tfidf"], words.named_steps["tfidf"]
    columns: list[int] = []
    starts: list[int] = []
    lengths: list[int] = []
    lowered = text.lower()
    vocabulary = char_tfidf.vocabulary_
    low, high = char_tfidf.ngram_range
    for n in range(low, high + 1):
        for start in range(len(lowered) - n + 1):
            column = vocabulary.get(lowered[start:start + n])
            if column is not None:
                columns.append(column)
                starts.append(start)
                lengths.append(n)
    offset = len(vocabulary)
    vocabulary = word_tfidf.vocabulary_
    words: list[tuple[str, int]] = []
    position = 0
    for token in tokens:
        found = text.find(token, position)
        if found < 0:
            continue
        position = found + len(token)
        if _is_word(token):
            words.append((token, found))
    pairs = [(f"{a} {b}", start, b_start + len(b) - start) for (a, start), (b, b_start) in zip(words, words[1:])]
    for gram, start, length in [(w, s, len(w)) for w, s in words] + pairs:
        column = vocabulary.get(gram)
        if column is not None:
            columns.append(offset + column)
            starts.append(start)
            lengths.append(length)
    start_array = np.array(starts, dtype=int)
    return np.array(columns, dtype=int), start_array, start_array + np.array(lengths, dtype=int)
