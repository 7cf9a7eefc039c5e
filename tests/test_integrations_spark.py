import json
import os
import sys

import pandas as pd
import pytest
from pyspark.sql import SparkSession
from pyspark.sql.types import ArrayType, DoubleType, LongType, MapType, StringType

import misconduct_tagger.spark
from misconduct_tagger import Tagger
from misconduct_tagger.integrations.spark import tag_dataframe

TEXTS = ["经查，某镇网格员值班期间私自回家睡觉，电话联系不上。", "群众举报，某村会计把救灾大米分给自家亲戚。",
         "严禁瞒报谎报疫情信息。", "經查，某局窗口人員讓企業來回跑了五趟，材料仍不予受理。", "",
         "某县召开防汛工作会议，部署汛期值班工作。"]


@pytest.fixture(scope="module")
def spark():
    saved = {name: os.environ.get(name) for name in ("PYSPARK_PYTHON", "SPARK_LOCAL_IP")}
    # Executors run this interpreter, which has the library; everything stays on the loopback.
    os.environ.update(PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    session = (SparkSession.builder.master("local[2]").appName("misconduct-tagger-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .getOrCreate())
    yield session
    session.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def tagger():
    return Tagger.load()


def test_the_short_import_path_is_the_integration():
    assert misconduct_tagger.spark.tag_dataframe is tag_dataframe


def test_output_equals_tag_many_on_the_same_texts(spark, tagger):
    rows = [(100 + i, text) for i, text in enumerate(TEXTS)] + [(999, None)]
    df = spark.createDataFrame(rows, "report_id long, body string").repartition(2)
    out = tag_dataframe(df, text_col="body", id_col="report_id")
    assert out.columns == ["report_id", "body", "labels", "scores", "evidence"]
    types = {field.name: field.dataType for field in out.schema.fields}
    assert types == {"report_id": LongType(), "body": StringType(), "labels": ArrayType(StringType()),
                     "scores": MapType(StringType(), DoubleType()), "evidence": StringType()}
    got = {row.report_id: row for row in out.collect()}
    assert set(got) == {report_id for report_id, _ in rows}
    for (report_id, text), result in zip(rows, tagger.tag_many(TEXTS)):
        row = got[report_id]
        assert row.body == text
        assert row.labels == result.label_ids
        assert row.scores == {label.id: label.score for label in result.labels}
        assert json.loads(row.evidence) == result.evidence_records()
    assert any(got[100 + i].labels for i in range(len(TEXTS)))
    missing = got[999]
    assert (missing.body, missing.labels, missing.scores, missing.evidence) == (None, None, None, None)


def test_without_an_id_column_the_text_leads(spark, tagger):
    out = tag_dataframe(spark.createDataFrame([(t,) for t in TEXTS[:2]], "text string"))
    assert out.columns == ["text", "labels", "scores", "evidence"]
    assert {row.text: row.labels for row in out.collect()} == {t: tagger.tag(t).label_ids for t in TEXTS[:2]}


def test_each_executor_process_loads_the_tagger_once(spark):
    df = spark.createDataFrame([(t,) for t in TEXTS * 4], "text string").repartition(4)
    tag_dataframe(df).collect()
    tag_dataframe(df).collect()

    def loads(frames):
        from misconduct_tagger.tagger import shared_tagger

        for _ in frames:
            yield pd.DataFrame({"pid": [os.getpid()], "loads": [shared_tagger.cache_info().misses]})

    stats = df.mapInPandas(loads, "pid long, loads long").collect()
    assert max(row.loads for row in stats) == 1


def test_columns_that_cannot_work_are_refused_before_running(spark):
    with pytest.raises(ValueError, match="rename column"):
        tag_dataframe(spark.createDataFrame([("x", "y")], "labels string, text string"), id_col="labels")
    with pytest.raises(TypeError, match="not string"):
        tag_dataframe(spark.createDataFrame([(1,)], "text long"))
