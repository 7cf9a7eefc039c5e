"""The trained classifier: features from text, words and rule hits; a calibrated one-vs-rest linear model."""

from .classifier import ModelError, ReportClassifier, load_model, save_model
from .features import Prepared

__all__ = ["ModelError", "Prepared", "ReportClassifier", "load_model", "save_model"]
