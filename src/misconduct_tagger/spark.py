"""`misconduct_tagger.spark.tag_dataframe`: the Spark integration under a short name."""

from .integrations.spark import tag_dataframe

__all__ = ["tag_dataframe"]
