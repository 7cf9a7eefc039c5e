import json
import shutil
from pathlib import Path

from misconduct_tagger.cli import main
from misconduct_tagger.resources import rules_dir

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_rules_pass_lint_and_test(capsys):
    assert main(["rules", "lint"]) == 0
    assert main(["rules", "test"]) == 0
    out = capsys.readouterr()
    assert " 0 failed:" in out.out and "todo" in out.out


def test_a_broken_rule_file_gives_clear_errors_not_a_traceback(tmp_path, capsys):
    broken = tmp_path / "rules"
    shutil.copytree(rules_dir(), broken)
    (broken / "delay.yaml").write_text(
        "category: delay\nrules:\n"
        "  - id: delay.bad\n    kind: regex\n    patterns: ['(拖延']\n    weight: 0.9\n    colour: red\n"
        "    examples: {match: [拖延了, 又拖延], no_match: [按时, 准时]}\n", encoding="utf-8")
    assert main(["rules", "lint", str(broken)]) == 1
    printed = capsys.readouterr().out
    assert f"{broken / 'delay.yaml'} rule delay.bad [patterns[0]]: invalid regex" in printed
    assert f"{broken / 'delay.yaml'} rule delay.bad [keys]: unknown key(s): colour" in printed
    assert "Traceback" not in printed
    assert main(["rules", "test", str(broken)]) == 2
    assert "delay.bad" in capsys.readouterr().err


def test_a_failing_example_is_reported_with_what_matched(tmp_path, capsys):
    changed = tmp_path / "rules"
    shutil.copytree(rules_dir(), changed)
    path = changed / "leaving_post.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("no_match:", "no_match:\n        - 某干部值班期间擅离职守。", 1),
                    encoding="utf-8")
    assert main(["rules", "test", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "FAIL leaving_post." in out and "某干部值班期间擅离职守" in out and "affirmed" in out


def test_rules_stats_reports_rules_and_labels(capsys):
    assert main(["rules", "stats", str(ROOT / "examples" / "labelled.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "leaving_post." in out and "macro P" in out and "no-label reports given a label" in out


def test_rules_gaps_lists_what_rules_miss_with_the_model_clauses(tmp_path, capsys):
    named = "某镇网格员值班期间擅离职守，电话联系不上。"  # a rule labels it
    unnamed = "某村党支部书记张某在防汛值守期间，独自驾车回城里家中过夜，次日上午才回到村里。"
    other = "某县卫健局迟报疫情信息两天。"
    data = tmp_path / "gold.jsonl"
    data.write_text("\n".join(json.dumps({"id": i, "text": t, "labels": l}, ensure_ascii=False) for i, t, l in [
        ("named", named, ["leaving_post"]), ("unnamed", unnamed, ["leaving_post"]), ("other", other, ["delay"]),
    ]) + "\n", encoding="utf-8")
    assert main(["rules", "gaps", str(data), "--category", "leaving_post"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"2 reports labelled leaving_post in {data}; rules (weight >= 0.7) label 1; of the 1 they miss")
    listed = [line for line in out.splitlines()[2:] if line.strip()]
    assert len(listed) == 1 and listed[0].startswith("unnamed ")
    clauses = listed[0].split(None, 2)[2].split(" | ")
    assert all(c in unnamed for c in clauses)
    assert main(["rules", "gaps", str(data), "--category", "nonsense"]) == 2
    assert "unknown category 'nonsense'" in capsys.readouterr().err
