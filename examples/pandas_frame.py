"""Tag a pandas column: one score column per category, an `evidence` column, the index kept.

    python examples/pandas_frame.py
"""

from pathlib import Path

import pandas as pd

from misconduct_tagger.pandas import tag_series

REPORTS = Path(__file__).resolve().parent / "reports.jsonl"


def main() -> None:
    reports = pd.read_json(REPORTS, lines=True).set_index("id")
    tagged = tag_series(reports["text"])
    categories = tagged.columns.drop("evidence")
    summary = pd.DataFrame({
        "labels": tagged[categories].apply(lambda row: sorted(row.index[row > 0]), axis=1),
        "top_score": tagged[categories].max(axis=1),
        "evidence": tagged["evidence"].map(len),
    })
    print(summary.to_json(orient="index", force_ascii=False, indent=1))


if __name__ == "__main__":
    main()
