"""Using misconduct-tagger inside an application: load the tagger once, tag, pass the result on as JSON.

    python examples/app.py ["report text"]
"""

import json
import sys

from misconduct_tagger import Tagger

REPORT = "经查，某镇网格员值班期间私自回家睡觉，电话联系不上，未发现瞒报情况。"


def main() -> None:
    tagger = Tagger.load()  # rules, model and segmenter: a few seconds, so once per process
    result = tagger.tag(sys.argv[1] if len(sys.argv) > 1 else REPORT)
    payload = {
        "labels": [
            {"id": label.id, "name": label.name, "score": label.score, "assertion": label.assertion,
             "policy": label.policy,
             "evidence": [{"start": e.start, "end": e.end, "text": e.text, "source": e.source,
                           "assertion": e.assertion} for e in label.evidence]}
            for label in result.labels
        ],
        "versions": result.versions,
    }
    print(json.dumps(payload, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
