"""Text normalisation with an offset map back to the user's original text.

Rules and the model see one canonical form: NFKC (full-width letters and digits, compatibility
forms), simplified characters, Chinese full-width clause punctuation, whitespace runs folded to one
space and invisible control characters dropped. Every span found in that form is mapped back to the
original text through the offset map, so the library never reports an offset the user did not give.
"""

from __future__ import annotations

import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Half-width clause punctuation written the Chinese way, so "值班期间,回家" and "值班期间，回家" match alike.
_PUNCT = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


@dataclass(frozen=True, eq=False)
class NormalizedText:
    """The canonical form of `original`; character i of `text` came from `original[starts[i]:ends[i]]`."""

    original: str
    text: str
    starts: array
    ends: array

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the span of the original text it came from."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) is outside the normalised text of length {len(self.text)}")
        if start == end:
            position = self.starts[start] if start < len(self.text) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]

    def __len__(self) -> int:
        return len(self.text)

    def slice(self, start: int, end: int) -> "NormalizedText":
        """A piece of the normalised text whose offsets still map into the whole original."""
        return NormalizedText(self.original, self.text[start:end], self.starts[start:end], self.ends[start:end])


def _units(text: str):
    """Yield (start, end) of each base character with the combining marks that follow it."""
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        yield i, j
        i = j


def _is_dropped(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") and not char.isspace()


def normalize(original: str) -> NormalizedText:
    """Normalise `original`, keeping for every output character the original span it came from."""
    if not isinstance(original, str):
        raise TypeError(f"normalize() expects str, got {type(original).__name__}")
    folded = original.translate(_ONE_FOR_ONE)
    if _NOT_ONE_FOR_ONE not in folded and "  " not in original:
        # Most reports: every character folds to exactly one character, so the offset map is the identity.
        return _simplify(original, folded, array("q", range(len(original))), array("q", range(1, len(original) + 1)))
    return _normalize_by_unit(original)


_NOT_ONE_FOR_ONE = "\x00"
_FOLD_CACHE_LIMIT = 50_000


class _OneForOneFold(dict):
    """Character → its one-character folded form, or _NOT_ONE_FOR_ONE when it needs the full procedure
    (whitespace other than a space, combining marks, dropped characters, one-to-many foldings)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char == " ":
            folded = char
        elif char.isspace() or unicodedata.combining(char) or _is_dropped(char):
            folded = _NOT_ONE_FOR_ONE
        else:
            folded = unicodedata.normalize("NFKC", char).translate(_PUNCT)
            if len(folded) != 1 or folded.isspace() or _is_dropped(folded) or unicodedata.combining(folded):
                folded = _NOT_ONE_FOR_ONE
        if len(self) < _FOLD_CACHE_LIMIT:
            self[code] = folded
        return folded


_ONE_FOR_ONE = _OneForOneFold()


def _normalize_by_unit(original: str) -> NormalizedText:
    pieces: list[str] = []
    starts = array("q")
    ends = array("q")
    in_space = False
    for start, end in _units(original):
        unit = original[start:end]
        folded = unicodedata.normalize("NFKC", unit) if not unit.isascii() else unit
        folded = "".join(ch for ch in folded if not _is_dropped(ch))
        if not folded:
            continue
        if folded.isspace():
            if in_space:
                ends[-1] = end
            else:
                pieces.append(" ")
                starts.append(start)
                ends.append(end)
                in_space = True
            continue
        in_space = False
        for ch in folded.translate(_PUNCT):
            pieces.append(ch)
            starts.append(start)
            ends.append(end)
    return _simplify(original, "".join(pieces), starts, ends)


def _simplify(original: str, folded_text: str, starts: array, ends: array) -> NormalizedText:
    simplified = _converter().convert(folded_text)
    if len(simplified) != len(folded_text):
        # A phrase conversion changed the length: convert character by character instead, which
        # keeps one output character per input character.
        simplified = "".join(_one_for_one(ch) for ch in folded_text)
    return NormalizedText(original, simplified, starts, ends)


def _one_for_one(char: str) -> str:
    converted = _converter().convert(char)
    return converted if len(converted) == 1 else char


def normalize_text(text: str) -> str:
    """The canonical form alone, for patterns and dictionary words."""
    return normalize(text).text
