"""misconduct-tagger as a spaCy component: categories in `doc.cats`, evidence in `doc.spans["misconduct"]`.

    python examples/spacy_pipeline.py
"""

import json
from pathlib import Path

from misconduct_tagger import load_nlp

REPORTS = Path(__file__).resolve().parent / "reports.jsonl"


def main() -> None:
    records = [json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    # A zh pipeline with the pkuseg segmenter and the component; in your own pipeline:
    # nlp.add_pipe("misconduct_tagger", config={"model": None, "rules": None}).
    nlp = load_nlp()
    for record, doc in zip(records, nlp.pipe((r["text"] for r in records), batch_size=8)):
        print(json.dumps({
            "id": record["id"],
            "cats": {category: score for category, score in doc.cats.items() if score > 0},
            "spans": [{"text": span.text, "label": span.label_, "rule": span._.misconduct_rule,
                       "assertion": span._.misconduct_assertion, "start": span.start_char, "end": span.end_char}
                      for span in doc.spans["misconduct"]],
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
