"""`misconduct_tagger.pandas.tag_series`: the pandas integration under a short name."""

from .integrations.pandas import tag_series

__all__ = ["tag_series"]
