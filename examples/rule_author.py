"""The rule author's loop: copy the rules, add a rule, run every rule's examples, measure the change.

    python examples/rule_author.py

Work on a copy of rules/; when the new rule passes its examples and helps on labelled reports, move
its file into rules/ and send it for review.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from misconduct_tagger.resources import rules_dir

LABELLED = Path(__file__).resolve().parent / "labelled.jsonl"

NEW_RULE = """\
# Steering the people one serves to a shop of one's own family: a favour taken through the office.
category: extortion
rules:
  - id: extortion.designated_shop
    kind: regex
    patterns:
      - (要求|让|逼|强令|强制)[^。；]{0,12}到(其|他|她|自己)[^。；，]{0,6}(亲戚|亲属|家人|妻子|丈夫|儿子|女儿|朋友)[^。；，]{0,6}(店|超市|商店|商行|门市|药房)[^。；，]{0,4}(购买|采购|买)
    weight: 0.85
    examples:
      match:
        - 某站站长要求前来办事的商户到其妻子开的店里购买消毒用品。
        - text: 有居民反映，社区干部让大家到他亲戚经营的超市采购生活物资。
          assertion: alleged
      no_match:
        - 社区干部建议居民就近到超市采购生活物资。
        - text: 严禁要求服务对象到其亲属开的商店购买物品。
          assertion: directive
"""


def misconduct_tagger(*args: str) -> None:
    print("$ misconduct-tagger", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "misconduct_tagger.cli", *args], check=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(rules_dir(), rules)
        (rules / "extortion_designated_shop.yaml").write_text(NEW_RULE, encoding="utf-8")
        misconduct_tagger("rules", "test", str(rules))
        misconduct_tagger("evaluate", str(LABELLED), "--mode", "rules", "--rules-dir", str(rules),
                          "--compare-rules", str(rules_dir()))


if __name__ == "__main__":
    main()
