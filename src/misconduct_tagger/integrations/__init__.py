"""Adapters for the tools users already run: spaCy, scikit-learn, pandas and Spark.

Each submodule imports its own tool, so importing this package costs nothing.
"""
