"""Tag reports in a Spark job: `tag_dataframe` runs the tagger in each executor through mapInPandas.

    python examples/spark_job.py      (a local session; on a cluster, use your own SparkSession)
"""

import json
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from misconduct_tagger.spark import tag_dataframe

REPORTS = Path(__file__).resolve().parent / "reports.jsonl"


def main() -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors need the Python that has the library
    spark = (SparkSession.builder.master("local[2]").appName("misconduct-tagger-example")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        reports = spark.read.json(str(REPORTS))
        tagged = tag_dataframe(reports, text_col="text", id_col="id")
        for row in tagged.select("id", "labels", "scores").orderBy("id").toLocalIterator():
            print(json.dumps({"id": row.id, "labels": row.labels, "scores": row.scores}, ensure_ascii=False))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
