"""scripts/reweight_rules.py: a rule's weight becomes its precision on real reports, shrunk toward the old
weight, and only that rule's weight line changes."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("reweight_rules", ROOT / "scripts" / "reweight_rules.py")
reweight = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reweight)


def test_new_weight_shrinks_precision_toward_the_old_weight():
    assert reweight.new_weight(correct=6, hits=20, old=0.9) == round((6 + 4 * 0.9) / 24, 2)
    assert reweight.new_weight(correct=100, hits=100, old=0.9) == reweight.MAX_WEIGHT
    assert reweight.new_weight(correct=0, hits=4, old=0.8) == 0.4


def test_only_the_named_rules_weight_line_is_rewritten(tmp_path):
    path = tmp_path / "delay.yaml"
    path.write_text("category: delay\nrules:\n  - id: delay.a\n    kind: regex\n    weight: 0.9   # note\n"
                    "  - id: delay.b\n    kind: regex\n    weight: 0.9\n", encoding="utf-8")
    reweight.rewrite_weight(path, "delay.b", 0.55)
    assert path.read_text(encoding="utf-8") == ("category: delay\nrules:\n  - id: delay.a\n    kind: regex\n"
                                                "    weight: 0.9   # note\n  - id: delay.b\n    kind: regex\n"
                                                "    weight: 0.55\n")
