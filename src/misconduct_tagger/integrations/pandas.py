"""Tag a pandas Series of report texts into a DataFrame: one score column per category, plus evidence."""

from __future__ import annotations

import pandas as pd

from ..tagger import DEFAULT_BATCH_SIZE, Tagger, shared_tagger


def tag_series(series: pd.Series, tagger: Tagger | None = None, *, n_jobs: int = 1,
               batch_size: int = DEFAULT_BATCH_SIZE) -> pd.DataFrame:
    """A frame indexed like `series`: a column per category id (the score, 0.0 when not given) and
    `evidence` (a list of dicts: label, start, end, text, source, assertion, cue).

    `tagger` defaults to the shipped one, loaded once per process. A value that is not a str (a
    missing value, say) raises: decide what it should mean with `fillna` first.
    """
    for index, text in series.items():
        if not isinstance(text, str):
            raise TypeError(f"series[{index!r}] is {type(text).__name__} ({text!r:.40}), not a report text")
    tagger = tagger or shared_tagger()
    categories = tagger.taxonomy.ids
    rows = [(result.scores(categories), result.evidence_records())
            for result in tagger.tag_many(series.tolist(), n_jobs=n_jobs, batch_size=batch_size)]
    frame = pd.DataFrame([score for score, _ in rows], index=series.index, columns=categories, dtype=float)
    frame["evidence"] = pd.Series([evidence for _, evidence in rows], index=series.index, dtype=object)
    return frame
