"""misconduct-tagger: tag Chinese discipline-inspection reports with misconduct categories.

`Tagger` and the result classes are imported lazily, so that light users (the taxonomy, the text
normaliser) do not pay for loading spaCy and scikit-learn.
"""

__version__ = "0.1.0"

_LAZY = {
    "Tagger": ("tagger", "Tagger"),
    "TagResult": ("results", "TagResult"),
    "LabelResult": ("results", "LabelResult"),
    "Evidence": ("results", "Evidence"),
    "ModelExplanation": ("results", "ModelExplanation"),
    "load_nlp": ("integrations.spacy_component", "load_nlp"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        return getattr(import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
