import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import misconduct_tagger.pandas
from misconduct_tagger.integrations import pandas as integration
from misconduct_tagger.integrations.pandas import tag_series
from misconduct_tagger.tagger import shared_tagger

ROOT = Path(__file__).resolve().parents[1]
REPORTS = [json.loads(line)["text"] for line in (ROOT / "examples" / "reports.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]


@pytest.fixture(scope="module")
def tagger():
    return shared_tagger()


@pytest.fixture(scope="module")
def series():
    texts = REPORTS + ["經查，某鎮網格員值班期間私自回家睡覺。", ""]
    return pd.Series(texts, index=[f"r{i}" for i in range(len(texts))][::-1], name="text")


def test_the_short_import_path_is_the_integration_and_pandas_is_not_shadowed():
    assert misconduct_tagger.pandas.tag_series is tag_series
    assert integration.pd is sys.modules["pandas"]


def test_a_score_column_per_category_an_evidence_column_and_the_index_kept(series, tagger):
    frame = tag_series(series)
    categories = list(tagger.taxonomy.ids)
    assert list(frame.columns) == categories + ["evidence"]
    assert frame.index.equals(series.index)
    assert (frame[categories].dtypes == "float64").all()
    for index, text in series.items():
        result = tagger.tag(text)
        given = {label.id: label.score for label in result.labels}
        assert frame.loc[index, categories].to_dict() == {c: given.get(c, 0.0) for c in categories}
        evidence = frame.at[index, "evidence"]
        assert [(e["label"], e["source"], e["start"], e["end"], e["assertion"]) for e in evidence] == \
            [(label.id, e.source, e.start, e.end, e.assertion) for label in result.labels for e in label.evidence]
        assert all(text[e["start"]:e["end"]] == e["text"] for e in evidence)
    assert (frame[categories] > 0).any(axis=1).sum() >= len(REPORTS) // 2


def test_the_shipped_tagger_is_loaded_once(series):
    tag_series(series.iloc[:2])
    loads = shared_tagger.cache_info().misses
    tag_series(series.iloc[2:4])
    assert shared_tagger.cache_info().misses == loads


def test_an_empty_series_gives_an_empty_frame_with_the_columns(tagger):
    frame = tag_series(pd.Series([], dtype=object), tagger)
    assert frame.empty and list(frame.columns) == list(tagger.taxonomy.ids) + ["evidence"]


@pytest.mark.parametrize("missing, kind", [(None, "NoneType"), (float("nan"), "float")])
def test_a_missing_text_is_refused_naming_its_index(tagger, missing, kind):
    with pytest.raises(TypeError, match=rf"series\['b'\] is {kind}"):
        tag_series(pd.Series(["某村会计挪用救灾款。", missing], index=["a", "b"]), tagger)
