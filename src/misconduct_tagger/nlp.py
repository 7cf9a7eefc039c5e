"""The spaCy `zh` pipeline that segments with pkuseg's default model and the domain dictionary.

The pkuseg model (about 180 MB) ships inside the `pkuseg` package; it is found on disk, never
downloaded, and loaded once per process and dictionary.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import MisconductTaggerError
from .resources import rules_dir
from .text import NormalizedText, normalize, normalize_text

MODEL_ENV = "MISCONDUCT_TAGGER_PKUSEG_MODEL"

if not Doc.has_extension("normalized"):
    # The normalised text a Doc was built from, with its map back to the user's original text.
    Doc.set_extension("normalized", default=None)


def pkuseg_model_dir() -> Path:
    """The folder of pkuseg's default model: $MISCONDUCT_TAGGER_PKUSEG_MODEL or the `pkuseg` package's own."""
    override = os.environ.get(MODEL_ENV)
    if override:
        path = Path(override)
    else:
        spec = importlib.util.find_spec("pkuseg")
        if spec is None or spec.origin is None:
            raise MisconductTaggerError(
                "the pkuseg model is not installed: run `make install`, or set "
                f"{MODEL_ENV} to a folder holding features.pkl and weights.npz"
            )
        path = Path(spec.origin).parent / "models" / "default"
    if not (path / "weights.npz").is_file():
        raise MisconductTaggerError(f"{path} holds no pkuseg model (weights.npz is missing)")
    return path


def default_dictionary_path() -> Path:
    return rules_dir() / "dictionary.txt"


def read_dictionary(path: Path | str) -> list[str]:
    """Words of a user dictionary file: one a line, `#` starts a comment; normalised like the text."""
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(normalize_text(word))
    return words


def build_pipeline(dictionary: Path | None = None) -> Language:
    """A new blank zh pipeline segmenting with pkuseg and the given (default: shipped) user dictionary."""
    dictionary = Path(dictionary) if dictionary is not None else default_dictionary_path()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    # spacy-pkuseg prints a notice when it falls back from msgpack to pickled features; keep stderr clean.
    with contextlib.redirect_stderr(io.StringIO()):
        nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_model_dir()), pkuseg_user_dict="default")
    nlp.tokenizer.pkuseg_update_user_dict(read_dictionary(dictionary))
    return nlp


@lru_cache(maxsize=4)
def load_pipeline(dictionary: Path | None = None) -> Language:
    """The process's shared segmenting pipeline for a dictionary, built once (it takes a few seconds)."""
    return build_pipeline(dictionary)


def make_doc(text: str | NormalizedText, nlp: Language | None = None) -> Doc:
    """Normalise `text` and segment it; `doc._.normalized` maps token offsets back to the original."""
    normalized = text if isinstance(text, NormalizedText) else normalize(text)
    nlp = nlp if nlp is not None else load_pipeline()
    doc = nlp.make_doc(normalized.text)
    doc._.normalized = normalized
    return doc


def make_docs(texts, nlp: Language | None = None, batch_size: int = 64):
    """Stream Docs for many texts, in order."""
    nlp = nlp if nlp is not None else load_pipeline()
    normalized = (t if isinstance(t, NormalizedText) else normalize(t) for t in texts)
    for norm in normalized:
        yield make_doc(norm, nlp)
