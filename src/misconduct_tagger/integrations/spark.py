"""Tag a Spark DataFrame of reports with `mapInPandas`, loading the Tagger once per executor process.

The output has the id column (if given), the text column, `labels` (array of category ids),
`scores` (map from category id to score, for the labels given) and `evidence` (a JSON array of
records: label, start, end, text, source, assertion, cue). A null text gives null labels, scores and
evidence: nothing was tagged, which an empty list would not say.

The model and rules folders are read by every executor, so on a cluster they must exist at the same
path on every node (the shipped ones do wherever the library is installed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    MapType,
    StringType,
    StructField,
    StructType,
)

from ..tagger import Tagger, shared_tagger

OUTPUT_COLUMNS = ("labels", "scores", "evidence")


def _tag_frame(tagger: Tagger, frame: pd.DataFrame, text_col: str, id_col: str | None) -> pd.DataFrame:
    labels, scores, evidence = [], [], []
    for text in frame[text_col]:
        if not isinstance(text, str):  # a null, which pandas may hand over as None or NaN
            labels.append(None), scores.append(None), evidence.append(None)
            continue
        result = tagger.tag(text)
        labels.append(result.label_ids)
        scores.append({label.id: label.score for label in result.labels})
        evidence.append(json.dumps(result.evidence_records(), ensure_ascii=False))
    columns = {text_col: frame[text_col], "labels": labels, "scores": scores, "evidence": evidence}
    if id_col is not None:
        columns = {id_col: frame[id_col], **columns}
    return pd.DataFrame(columns, index=frame.index)


def tag_dataframe(df: DataFrame, text_col: str = "text", id_col: str | None = None, *,
                  model: str | Path | None = None, rules: str | Path | None = None,
                  mode: str = "hybrid") -> DataFrame:
    """`df`'s id and text columns with the labels, scores and evidence of each text (lazily, like
    any Spark transformation). `model` and `rules` are folders; None means the shipped ones."""
    clashes = {text_col, id_col} & set(OUTPUT_COLUMNS)
    if clashes:
        raise ValueError(f"rename column(s) {', '.join(sorted(clashes))}: the output uses {', '.join(OUTPUT_COLUMNS)}")
    if df.schema[text_col].dataType != StringType():
        raise TypeError(f"column {text_col!r} is {df.schema[text_col].dataType.simpleString()}, not string")
    model = None if model is None else str(Path(model).resolve())
    rules = None if rules is None else str(Path(rules).resolve())
    fields = [df.schema[id_col]] if id_col is not None else []
    schema = StructType([
        *fields,
        StructField(text_col, StringType()),
        StructField("labels", ArrayType(StringType())),
        StructField("scores", MapType(StringType(), DoubleType())),
        StructField("evidence", StringType()),
    ])

    def tag_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        # Python workers are reused across tasks, so this is one Tagger per executor process.
        tagger = shared_tagger(model, rules, mode)
        for frame in batches:
            yield _tag_frame(tagger, frame, text_col, id_col)

    columns = [id_col, text_col] if id_col is not None else [text_col]
    return df.select(*columns).mapInPandas(tag_batches, schema)
