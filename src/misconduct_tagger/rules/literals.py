"""Literal strings a regex cannot match without: a cheap test that lets the engine skip a regex
on texts that hold none of them (a substring search is far cheaper than running the regex)."""

from __future__ import annotations

import re._constants as C
import re._parser as P
from collections.abc import Iterable

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)


def _required(items) -> set[str] | None:
    """Strings one of which every match of a parsed sequence contains, or None if none is known."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        if op is None:
            break
        found = _alternatives(op, av)
        if found:
            candidates.append(found)
    if not candidates:
        return None
    # The candidate whose shortest string is longest triggers least often; of equals, the one with fewest strings.
    return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _alternatives(op, av) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _required(av[3])
    if op is C.BRANCH:
        options: set[str] = set()
        for branch in av[1]:
            found = _required(branch)
            if found is None:
                return None
            options |= found
        return options
    if op in _REPEATS and av[0] >= 1:
        return _required(av[2])
    if op is C.IN and all(o is C.LITERAL for o, _ in av):
        return {chr(v) for _, v in av}
    return None


def trigger_literals(patterns: Iterable[str]) -> frozenset[str] | None:
    """Literals one of which any match of any of the patterns contains; None when a pattern has none."""
    literals: set[str] = set()
    for pattern in patterns:
        found = _required(P.parse(pattern))
        if found is None:
            return None
        literals |= found
    return frozenset(literals)
