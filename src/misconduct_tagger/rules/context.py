"""Assertion context after ConText: is a mention affirmed, alleged, negated or a directive?

Cue lists live in `rules/context.yaml`. A local cue covers the text after it (forward), before it
(backward) or both, up to the end of its clause or sentence, and stops at a terminator. Of the cues
covering a mention, negation wins over a directive, a directive over an allegation, an allegation
over an affirmation, and among cues of one assertion the nearest wins. Verdict cues (…反映问题不属实 / 属实) then reach back over the whole text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from ..datafile import read_yaml
from ..errors import DataFileError
from ..resources import rules_dir

ASSERTIONS = ("affirmed", "alleged", "negated", "directive")
# Of the cues covering a mention, the first assertion here wins; among equals, the nearest cue.
PRECEDENCE = {"negated": 0, "directive": 1, "alleged": 2, "affirmed": 3}
COUNTING = frozenset({"affirmed", "alleged"})
DIRECTIONS = ("forward", "backward", "both")
LOCAL_SCOPES = ("clause", "sentence")
DEFAULT = "default"


@dataclass(frozen=True)
class CueGroup:
    """Cues of one assertion, direction and scope; `terminators` end this group's scope only, on top of
    the file's own (a person taking up the story ends a ban, not an allegation)."""

    assertion: str
    direction: str
    scope: str
    regex: re.Pattern
    order: int
    terminators: re.Pattern | None = None


@dataclass(frozen=True)
class Verdict:
    assertion: str
    applies_to: frozenset[str]
    regex: re.Pattern


@dataclass(frozen=True)
class Cue:
    """A cue found in a text (normalised offsets)."""

    start: int
    end: int
    text: str
    group: CueGroup | Verdict


@dataclass(frozen=True)
class Assertion:
    """The assertion given to one mention and the cue that set it (None: no cue, affirmed by default)."""

    value: str
    cue: Cue | None = None


class Layout:
    """Clause, sentence and terminator positions of one normalised text, found once."""

    def __init__(self, text: str, context: "ContextRules"):
        self.text = text
        self.clause_ends = [m.start() for m in context.clause_end.finditer(text)]
        self.sentence_ends = [m.start() for m in context.sentence_end.finditer(text)]
        self.terminators = [m.start() for m in context.terminators.finditer(text)] if context.terminators else []
        self._bounds = {"sentence": self.sentence_ends, "clause": sorted(self.sentence_ends + self.clause_ends)}
        self._group_terminators: dict[int, list[int]] = {}

    @staticmethod
    def _any_in(positions: list[int], start: int, end: int) -> bool:
        i = bisect_left(positions, start)
        return i < len(positions) and positions[i] < end

    def open_between(self, start: int, end: int, group: CueGroup) -> bool:
        """True when nothing closes the group's scope in text[start:end]."""
        if self._any_in(self.sentence_ends, start, end) or self._any_in(self.terminators, start, end):
            return False
        if group.terminators is not None:
            if group.order not in self._group_terminators:
                self._group_terminators[group.order] = [m.start() for m in group.terminators.finditer(self.text)]
            if self._any_in(self._group_terminators[group.order], start, end):
                return False
        return group.scope != "clause" or not self._any_in(self.clause_ends, start, end)

    def unit_ends(self, scope: str) -> list[int]:
        """The sorted positions of the marks that close the text's clauses or sentences."""
        return self._bounds[scope]

    def unit(self, position: int, scope: str) -> tuple[int, int]:
        """The clause or sentence around a position, as (start, end)."""
        positions = self._bounds[scope]
        i = bisect_left(positions, position)
        start = positions[i - 1] + 1 if i > 0 else 0
        end = positions[i] if i < len(positions) else len(self.text)
        return start, end


class ContextRules:
    """Compiled cue lists; `assign` gives each mention of a text its assertion."""

    def __init__(self, groups: list[CueGroup], verdicts: list[Verdict], clause_end: str, sentence_end: str,
                 terminators: list[str], source: Path | None = None):
        self.groups = groups
        self.verdicts = verdicts
        self.clause_end = re.compile(clause_end)
        self.sentence_end = re.compile(sentence_end)
        self.terminators = re.compile("|".join(f"(?:{t})" for t in terminators)) if terminators else None
        self.source = source

    def layout(self, text: str) -> Layout:
        return Layout(text, self)

    def find_cues(self, text: str) -> tuple[list[Cue], list[Cue]]:
        local = [Cue(m.start(), m.end(), m.group(), g) for g in self.groups for m in g.regex.finditer(text)]
        verdicts = [Cue(m.start(), m.end(), m.group(), v) for v in self.verdicts for m in v.regex.finditer(text)]
        return local, verdicts

    def assign(self, text: str, spans: list[tuple[int, int]], layout: Layout | None = None) -> list[Assertion]:
        """The assertion of each (start, end) mention of `text` (normalised offsets)."""
        if not spans:
            return []
        layout = layout or self.layout(text)
        local, verdicts = self.find_cues(text)
        local.sort(key=lambda c: c.start)
        verdicts.sort(key=lambda c: c.start)
        local_starts = [c.start for c in local]
        verdict_starts = [c.start for c in verdicts]
        result = []
        for start, end in spans:
            # Only cues of the mention's own sentence can cover it.
            lo = bisect_left(local_starts, layout.unit(start, "sentence")[0])
            hi = bisect_left(local_starts, layout.unit(max(start, end - 1), "sentence")[1] + 1)
            first_verdict = bisect_left(verdict_starts, end)
            result.append(self._assign_one(start, end, local[lo:hi], verdicts, first_verdict, layout))
        return result

    def _assign_one(self, start: int, end: int, local: list[Cue], verdicts: list[Cue], first_verdict: int,
                    layout: Layout) -> Assertion:
        best: tuple[int, int, int, Cue] | None = None
        for cue in local:
            group = cue.group
            if cue.end <= start and group.direction in ("forward", "both"):
                distance = start - cue.end
                covered = layout.open_between(cue.end, start, group)
            elif cue.start >= end and group.direction in ("backward", "both"):
                distance = cue.start - end
                covered = layout.open_between(end, cue.start, group)
            else:
                continue
            rank = (PRECEDENCE[group.assertion], distance, group.order)
            if covered and (best is None or rank < best[:3]):
                best = (*rank, cue)
        current = Assertion(best[3].group.assertion, best[3]) if best else None
        key = current.value if current else DEFAULT
        for i in range(first_verdict, len(verdicts)):
            verdict = verdicts[i]
            if key in verdict.group.applies_to:
                return Assertion(verdict.group.assertion, verdict)
        return current or Assertion("affirmed")


    def document_assertion(self, text: str, assertions: list[str],
                           cues: tuple[list[Cue], list[Cue]] | None = None) -> str:
        """The assertion of the report as a whole, for labels no rule hit supports.

        The last verdict decides when there is one (…不属实 → negated, …属实 → affirmed); a report whose
        every mention is a directive is a directive; one that speaks of an allegation is alleged.
        `cues` are the text's cues when the caller has found them already.
        """
        local, verdicts = cues if cues is not None else self.find_cues(text)
        if verdicts:
            return max(verdicts, key=lambda c: c.start).group.assertion
        if assertions and all(a == "directive" for a in assertions):
            return "directive"
        return "alleged" if any(c.group.assertion == "alleged" for c in local) else "affirmed"


def _compile(path: Path, key: str, patterns: object) -> re.Pattern:
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise DataFileError(path, "must be a non-empty list of regexes", key=key)
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error as exc:
        raise DataFileError(path, f"invalid regex: {exc}", key=key) from None


def load_context(path: Path | str | None = None) -> ContextRules:
    """Read `context.yaml`; a malformed file raises DataFileError naming the key."""
    path = Path(path) if path is not None else rules_dir() / "context.yaml"
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(path, "expected a mapping")
    groups = []
    for i, entry in enumerate(data.get("cues") or []):
        key = f"cues[{i}]"
        if not isinstance(entry, dict):
            raise DataFileError(path, "a cue group must be a mapping", key=key)
        if entry.get("assertion") not in ASSERTIONS:
            raise DataFileError(path, f"assertion must be one of {', '.join(ASSERTIONS)}", key=f"{key}.assertion")
        if entry.get("direction") not in DIRECTIONS:
            raise DataFileError(path, f"direction must be one of {', '.join(DIRECTIONS)}", key=f"{key}.direction")
        if entry.get("scope") not in LOCAL_SCOPES:
            raise DataFileError(path, f"scope must be one of {', '.join(LOCAL_SCOPES)}", key=f"{key}.scope")
        regex = _compile(path, f"{key}.patterns", entry.get("patterns"))
        own = _compile(path, f"{key}.terminators", entry["terminators"]) if "terminators" in entry else None
        groups.append(CueGroup(entry["assertion"], entry["direction"], entry["scope"], regex, i, own))
    verdicts = []
    for i, entry in enumerate(data.get("verdicts") or []):
        key = f"verdicts[{i}]"
        if not isinstance(entry, dict) or entry.get("assertion") not in ASSERTIONS:
            raise DataFileError(path, f"a verdict needs an assertion among {', '.join(ASSERTIONS)}", key=key)
        applies = entry.get("applies_to")
        if not isinstance(applies, list) or not set(applies) <= set(ASSERTIONS) | {DEFAULT}:
            raise DataFileError(path, f"applies_to must list assertions or '{DEFAULT}'", key=f"{key}.applies_to")
        verdicts.append(Verdict(entry["assertion"], frozenset(applies), _compile(path, f"{key}.patterns", entry.get("patterns"))))
    for key in ("clause_end", "sentence_end"):
        if not isinstance(data.get(key), str):
            raise DataFileError(path, "must be a regex string", key=key)
    terminators = data.get("terminators") or []
    return ContextRules(groups, verdicts, data["clause_end"], data["sentence_end"], terminators, path)
