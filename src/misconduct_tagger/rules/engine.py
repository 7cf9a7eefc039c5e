"""Compile every rule once, match them over one Doc, and return hits with spans and assertions.

Phrase rules run through one spaCy PhraseMatcher over a Doc of single characters, and regex rules
over the normalised characters, so a change of segmentation cannot change what they match; token
rules run through a spaCy Matcher over the pkuseg words.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..resources import rules_dir
from .context import COUNTING, ContextRules, Layout, load_context
from .literals import trigger_literals
from .schema import Rule, RuleSet, Window, load_ruleset


@dataclass(frozen=True)
class RuleHit:
    """One rule match. `start`/`end` index the user's original text; `text` is that slice."""

    rule_id: str
    category: str
    start: int
    end: int
    text: str
    pattern: str
    weight: float
    assertion: str
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None

    @property
    def counts(self) -> bool:
        """Affirmed and alleged mentions count towards a label; negated and directive ones do not."""
        return self.assertion in COUNTING

    def to_dict(self) -> dict:
        return asdict(self)


def _char_doc(vocab: Vocab, text: str) -> Doc:
    return Doc(vocab, words=list(text), spaces=[False] * len(text))


def _window_regex(window: Window | None) -> re.Pattern | None:
    if window is None:
        return None
    return re.compile("|".join(f"(?:{p})" for p in window.patterns))


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    near: re.Pattern | None
    unless: re.Pattern | None


class RuleEngine:
    """All rules of a ruleset, compiled for one vocabulary."""

    def __init__(self, ruleset: RuleSet, context: ContextRules, vocab: Vocab):
        self.ruleset = ruleset
        self.context = context
        self.vocab = vocab
        self._rules = {r.id: _Compiled(r, _window_regex(r.near), _window_regex(r.unless)) for r in ruleset}
        self._phrases = PhraseMatcher(vocab, attr="ORTH")
        self._tokens = Matcher(vocab)
        # One compiled alternation per regex rule; the named group that matched tells which pattern.
        # A regex runs only on texts holding one of the literals every match of it must contain;
        # literals are indexed by first character, so a text is searched only for those it could hold.
        self._regexes: list[tuple[Rule, re.Pattern]] = []
        self._always: list[int] = []
        self._literals_by_first: dict[str, dict[str, list[int]]] = {}
        for rule in ruleset:
            if rule.kind == "phrase":
                self._phrases.add(rule.id, [_char_doc(vocab, p) for p in rule.patterns])
            elif rule.kind == "tokens":
                self._tokens.add(rule.id, list(rule.patterns))
            else:
                joined = re.compile("|".join(f"(?P<p{i}>{p})" for i, p in enumerate(rule.patterns)))
                triggers = trigger_literals(rule.patterns)
                if triggers is None:
                    self._always.append(len(self._regexes))
                for literal in triggers or ():
                    self._literals_by_first.setdefault(literal[0], {}).setdefault(literal, []).append(len(self._regexes))
                self._regexes.append((rule, joined))

    @classmethod
    def load(cls, directory: Path | str | None = None, vocab: Vocab | None = None) -> "RuleEngine":
        """The rules of a folder (default: the shipped ones) with that folder's `context.yaml`."""
        directory = Path(directory) if directory is not None else rules_dir()
        context_path = directory / "context.yaml"
        context = load_context(context_path if context_path.exists() else None)
        if vocab is None:
            from ..nlp import load_pipeline

            vocab = load_pipeline().vocab
        return cls(load_ruleset(directory), context, vocab)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.ruleset.rules

    def _raw_matches(self, doc: Doc, text: str) -> list[tuple[Rule, int, int, str]]:
        """(rule, start, end, pattern) in normalised offsets, before windows and context."""
        found: list[tuple[Rule, int, int, str]] = []
        if len(self._phrases):
            chars = _char_doc(self.vocab, text)
            for match_id, start, end in self._phrases(chars):
                rule = self._rules[self.vocab.strings[match_id]].rule
                found.append((rule, start, end, text[start:end]))
        if len(self._tokens):
            for match_id, start, end in self._tokens(doc):
                span = doc[start:end]
                rule = self._rules[self.vocab.strings[match_id]].rule
                found.append((rule, span.start_char, span.end_char, "tokens"))
        for index in self._triggered(text):
            rule, regex = self._regexes[index]
            for m in regex.finditer(text):
                if m.end() > m.start():
                    # The pattern's own group encloses any groups inside it, so it closes last.
                    found.append((rule, m.start(), m.end(), rule.patterns[int(m.lastgroup[1:])]))
        return found

    def _triggered(self, text: str) -> list[int]:
        """Indices of the regex rules worth running on `text`, in rule order."""
        active = set(self._always)
        for first in self._literals_by_first.keys() & set(text):
            for literal, indices in self._literals_by_first[first].items():
                if literal in text:
                    active.update(indices)
        return sorted(active)

    @staticmethod
    def _in_window(regex: re.Pattern, text: str, start: int, end: int, within, layout: Layout) -> bool:
        if isinstance(within, int):
            lo, hi = max(0, start - within), min(len(text), end + within)
        else:
            lo, hi = layout.unit(start, within)[0], layout.unit(max(start, end - 1), within)[1]
        return regex.search(text, lo, hi) is not None

    def match(self, doc: Doc) -> list[RuleHit]:
        """Every hit of every rule on `doc`, sorted by position, with its assertion."""
        normalized = doc._.normalized
        # `doc.text` rebuilds the string token by token; the normalised text is the same string.
        text = normalized.text if normalized else doc.text
        layout = self.context.layout(text)
        kept: list[tuple[Rule, int, int, str]] = []
        seen: set[tuple[str, int, int]] = set()
        for rule, start, end, pattern in self._raw_matches(doc, text):
            key = (rule.id, start, end)
            if key in seen:
                continue
            seen.add(key)
            compiled = self._rules[rule.id]
            if compiled.near and not self._in_window(compiled.near, text, start, end, rule.near.within, layout):
                continue
            if compiled.unless and self._in_window(compiled.unless, text, start, end, rule.unless.within, layout):
                continue
            kept.append((rule, start, end, pattern))
        kept.sort(key=lambda k: (k[1], k[2], k[0].id))
        assertions = self.context.assign(text, [(s, e) for _, s, e, _ in kept], layout)
        hits = []
        for (rule, start, end, pattern), assertion in zip(kept, assertions):
            o_start, o_end = normalized.to_original(start, end) if normalized else (start, end)
            cue = assertion.cue
            cue_span = normalized.to_original(cue.start, cue.end) if (cue and normalized) else (
                (cue.start, cue.end) if cue else (None, None))
            original = normalized.original if normalized else text
            hits.append(RuleHit(
                rule_id=rule.id,
                category=rule.category,
                start=o_start,
                end=o_end,
                text=original[o_start:o_end],
                pattern=pattern,
                weight=rule.weight,
                assertion=assertion.value,
                cue=original[cue_span[0]:cue_span[1]] if cue else None,
                cue_start=cue_span[0],
                cue_end=cue_span[1],
            ))
        return hits
