"""The `misconduct_tagger` spaCy pipeline component: `nlp.add_pipe("misconduct_tagger")`.

It sets `doc.cats` (a score per category id, 0.0 for the categories not given), `doc.spans[spans_key]`
(one span per piece of evidence, labelled with the category id, its `id_` the rule id or `model`) and
`doc._.misconduct` (the whole result as `TagResult.to_dict()`). Each evidence span also answers
`span._.misconduct_assertion`, `span._.misconduct_rule` and `span._.misconduct_evidence`.

spaCy imports this module, through the `spacy_factories` entry point, whenever it builds any
pipeline, so it imports nothing heavy at module level: the Tagger is loaded when a component is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from ..results import TagResult

FACTORY = "misconduct_tagger"
DEFAULT_SPANS_KEY = "misconduct"


def _evidence_of(span: Span) -> dict | None:
    """The evidence record behind an evidence span, found again from the doc's result.

    Span extension values are stored per character range, and two pieces of evidence (two rules, or
    two categories) can cover the same range, so the value is looked up by label and rule id too.
    """
    result = span.doc._.misconduct
    if result is None:
        return None
    for label in result["labels"]:
        if label["id"] != span.label_:
            continue
        for evidence in label["evidence"]:
            if evidence["source"] != span.id_:
                continue
            found = span.doc.char_span(evidence["start"], evidence["end"], alignment_mode="expand")
            if found is not None and (found.start, found.end) == (span.start, span.end):
                return evidence
    return None


def _evidence_field(name: str):
    def getter(span: Span):
        evidence = _evidence_of(span)
        return None if evidence is None else evidence[name]

    return getter


if not Doc.has_extension("misconduct"):
    Doc.set_extension("misconduct", default=None)
for _name, _getter in (("misconduct_evidence", _evidence_of),
                       ("misconduct_assertion", _evidence_field("assertion")),
                       ("misconduct_rule", _evidence_field("source"))):
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=_getter)


class MisconductTaggerComponent:
    """Tags `doc.text` with a Tagger loaded once, when the component is made."""

    def __init__(self, nlp: Language, name: str, model: str | None, rules: str | None, mode: str, spans_key: str):
        from ..tagger import Tagger

        self.name = name
        self.spans_key = spans_key
        self.tagger = Tagger.load(model, rules=rules, mode=mode)

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.tagger.tag(doc.text))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for docs in minibatch(stream, batch_size):
            results = self.tagger.tag_many(doc.text for doc in docs)
            for doc, result in zip(docs, results, strict=True):
                yield self.set_annotations(doc, result)

    def set_annotations(self, doc: Doc, result: TagResult) -> Doc:
        """Scores into `doc.cats`, evidence into `doc.spans`, the full result into `doc._.misconduct`."""
        doc.cats = result.scores(self.tagger.taxonomy.ids)
        spans = []
        for label in result.labels:
            for evidence in label.evidence:
                span = doc.char_span(evidence.start, evidence.end, label=label.id, span_id=evidence.source,
                                     alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        doc.spans[self.spans_key] = spans
        doc._.misconduct = result.to_dict()
        return doc


@Language.factory(
    FACTORY,
    default_config={"model": None, "rules": None, "mode": "hybrid", "spans_key": DEFAULT_SPANS_KEY},
    assigns=["doc.cats", "doc.spans", "doc._.misconduct"],
)
def make_component(nlp: Language, name: str, model: str | None, rules: str | None, mode: str,
                   spans_key: str) -> MisconductTaggerComponent:
    """`model` and `rules` are folders (None: the shipped ones); keep them absolute so a pipeline
    saved with `nlp.to_disk` finds them again wherever it is loaded."""
    return MisconductTaggerComponent(nlp, name, model, rules, mode, spans_key)


def load_nlp(model: str | Path | None = None, rules: str | Path | None = None, mode: str = "hybrid",
             dictionary: Path | None = None) -> Language:
    """A zh pipeline segmenting like the Tagger (pkuseg + the domain dictionary), then tagging.

    The segmenter is a fresh one, not the Tagger's cached pipeline, so adding components to it
    changes nothing inside the Tagger.
    """
    from ..nlp import build_pipeline

    nlp = build_pipeline(dictionary)
    nlp.add_pipe(FACTORY, config={"model": None if model is None else str(Path(model).resolve()),
                                  "rules": None if rules is None else str(Path(rules).resolve()), "mode": mode})
    return nlp
