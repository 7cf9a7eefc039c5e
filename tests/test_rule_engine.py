import shutil
from pathlib import Path

import pytest
import yaml

from misconduct_tagger.nlp import load_pipeline, make_doc, read_dictionary
from misconduct_tagger.resources import rules_dir
from misconduct_tagger.rules import RuleEngine, RuleSetError, load_context, load_ruleset
from misconduct_tagger.rules.harness import check_rules
from misconduct_tagger.rules.schema import nested_quantifier, read_ruleset, ruleset_digest

EXAMPLES = {"match": ["甲", "乙"], "no_match": ["丙", "丁"]}


def write_rules(directory: Path, category: str, rules: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for rule in rules:
        rule.setdefault("weight", 0.9)
        rule.setdefault("examples", EXAMPLES)
    path = directory / f"{category}.yaml"
    path.write_text(yaml.safe_dump({"category": category, "rules": rules}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def engine_for(tmp_path, nlp):
    def build(category, rules):
        write_rules(tmp_path / "r", category, rules)
        return RuleEngine(load_ruleset(tmp_path / "r"), load_context(), nlp.vocab)

    return build


def test_phrase_rule_matches_normalised_text_and_reports_original_offsets(engine_for):
    engine = engine_for("leaving_post", [{"id": "leaving_post.t", "kind": "phrase", "patterns": ["擅离职守"]}])
    original = "某縣幹部值班期間擅離職守，回家睡覺。"
    hits = engine.match(make_doc(original))
    assert len(hits) == 1
    hit = hits[0]
    assert original[hit.start:hit.end] == hit.text == "擅離職守"
    assert (hit.rule_id, hit.category, hit.assertion, hit.weight) == ("leaving_post.t", "leaving_post", "affirmed", 0.9)


def test_regex_and_tokens_rules(engine_for):
    engine = engine_for("leaving_post", [
        {"id": "leaving_post.re", "kind": "regex", "patterns": ["值班期间[^。，]{0,4}回家"]},
        {"id": "leaving_post.tok", "kind": "tokens", "patterns": [[{"TEXT": "脱岗"}]]},
    ])
    hits = engine.match(make_doc("他值班期间私自回家，次日又脱岗。"))
    assert [(h.rule_id, h.text) for h in hits] == [("leaving_post.re", "值班期间私自回家"), ("leaving_post.tok", "脱岗")]


def test_near_and_unless_windows(engine_for):
    engine = engine_for("leaving_post", [{
        "id": "leaving_post.away", "kind": "phrase", "patterns": ["离岗"],
        "near": {"any": ["值班", "值守"], "within": "sentence"},
        "unless": {"any": ["经批准"], "within": "clause"},
    }])
    assert [h.text for h in engine.match(make_doc("值守期间，他离岗两小时。"))] == ["离岗"]
    assert engine.match(make_doc("他离岗两小时。")) == []
    assert engine.match(make_doc("值守期间，他经批准离岗两小时。")) == []


def test_numeric_window(engine_for):
    engine = engine_for("extortion", [{
        "id": "extortion.ask", "kind": "phrase", "patterns": ["吃饭"], "near": {"any": ["签字"], "within": 6},
    }])
    assert engine.match(make_doc("要请他吃饭才签字"))
    assert not engine.match(make_doc("要请他吃饭，后来过了好多好多天才签字"))


def test_directive_and_negated_hits_are_kept_with_their_cue(engine_for):
    engine = engine_for("concealment", [{"id": "concealment.t", "kind": "phrase", "patterns": ["瞒报"]}])
    directive = engine.match(make_doc("严禁瞒报疫情。"))[0]
    assert (directive.assertion, directive.cue, directive.counts) == ("directive", "严禁", False)
    negated = engine.match(make_doc("经查，未发现瞒报情况。"))[0]
    assert (negated.assertion, negated.cue, negated.counts) == ("negated", "未发现", False)


def test_a_match_is_reported_once_per_rule(engine_for):
    engine = engine_for("concealment", [{"id": "concealment.t", "kind": "phrase", "patterns": ["瞒报", "瞒报"]}])
    assert len(engine.match(make_doc("瞒报"))) == 1


@pytest.mark.parametrize(
    "rule, field, message",
    [
        ({"id": "leaving_post.x", "kind": "glob", "patterns": ["a"]}, "kind", "kind must be"),
        ({"id": "leaving_post.x", "kind": "phrase", "patterns": []}, "patterns", "non-empty"),
        ({"id": "leaving_post.x", "kind": "regex", "patterns": ["(值班"]}, "patterns[0]", "invalid regex"),
        ({"id": "leaving_post.x", "kind": "regex", "patterns": ["(a+)+b"]}, "patterns[0]", "nests quantifiers"),
        ({"id": "leaving_post.x", "kind": "regex", "patterns": ["a*"]}, "patterns[0]", "empty string"),
        ({"id": "leaving_post.x", "kind": "phrase", "patterns": ["a"], "weight": 2}, "weight", "weight"),
        ({"id": "leaving_post.x", "kind": "phrase", "patterns": ["a"], "colour": "red"}, "keys", "unknown key"),
        ({"id": "leaving_post.x", "kind": "phrase", "patterns": ["a"], "category": "bribery"}, "category", "unknown category"),
        ({"id": "leaving_post.x", "kind": "phrase", "patterns": ["a"], "near": {"any": ["x"], "within": "page"}},
         "near.within", "within"),
        ({"id": "leaving_post.x", "kind": "phrase", "patterns": ["a"], "examples": {"match": ["a"], "no_match": ["b", "c"]}},
         "examples.match", "at least 2"),
        ({"id": "leaving_post.x", "kind": "tokens", "patterns": [["x"]]}, "patterns[0]", "token-attribute"),
    ],
)
def test_invalid_rules_name_file_rule_and_field(tmp_path, rule, field, message):
    path = write_rules(tmp_path, "leaving_post", [rule])
    _, problems = read_ruleset(tmp_path)
    assert problems, "the broken rule was accepted"
    problem = problems[0]
    assert problem.path == path and problem.rule_id == "leaving_post.x" and problem.field == field
    assert message in problem.message
    with pytest.raises(RuleSetError, match="leaving_post.x"):
        load_ruleset(tmp_path)


def test_duplicate_ids_across_files(tmp_path):
    write_rules(tmp_path, "leaving_post", [{"id": "leaving_post.x", "kind": "phrase", "patterns": ["a"]}])
    other = write_rules(tmp_path / "sub", "leaving_post", [{"id": "leaving_post.x", "kind": "phrase", "patterns": ["b"]}])
    shutil.move(other, tmp_path / "z_more.yaml")
    _, problems = read_ruleset(tmp_path)
    assert [(p.rule_id, p.field) for p in problems] == [("leaving_post.x", "id")]
    assert "duplicate" in problems[0].message


def test_invalid_yaml_is_a_problem_not_a_traceback(tmp_path):
    (tmp_path / "delay.yaml").write_text("category: delay\nrules: [\n", encoding="utf-8")
    _, problems = read_ruleset(tmp_path)
    assert "not valid YAML" in problems[0].message and problems[0].path.name == "delay.yaml"


def test_nested_quantifier_detection():
    assert nested_quantifier("(a+)+")
    assert nested_quantifier("(?:[^。]{0,8})*x")
    assert nested_quantifier("((ab)*c)+")
    assert not nested_quantifier("值班期间[^。]{0,8}回家")
    assert not nested_quantifier("(擅自|私自)?离岗")


def test_harness_reports_failures_with_what_matched(engine_for):
    engine = engine_for("concealment", [{
        "id": "concealment.t", "kind": "phrase", "patterns": ["瞒报"],
        "examples": {
            "match": ["他瞒报疫情。", "严禁瞒报。"],  # the second is a directive: a failure
            "no_match": ["他如实上报。", {"text": "严禁瞒报。", "assertion": None}],
            "todo_match": ["隐瞒行程。"],
        },
    }])
    report = check_rules(engine)[0]
    assert not report.passed
    [failure] = report.failures
    assert failure.example.text == "严禁瞒报。"
    assert "directive" in failure.explain() and "严禁" in failure.explain()
    assert len(report.todos) == 1 and not report.todos[0].passed


def test_shipped_rules_load_and_cover_all_categories():
    from misconduct_tagger.taxonomy import default_taxonomy

    ruleset = load_ruleset(rules_dir())
    assert {r.category for r in ruleset} == set(default_taxonomy().ids)
    for category in default_taxonomy().ids:
        assert (rules_dir() / f"{category}.yaml").is_file()


def test_shipped_rules_pass_their_examples():
    engine = RuleEngine.load()
    failures = [(r.rule.id, f.example.text, f.explain()) for r in check_rules(engine) for f in r.failures]
    assert failures == []


def test_which_rules_change_when_the_dictionary_changes(tmp_path):
    """Phrase and regex rules match characters, so only token rules may change with the dictionary."""
    engine = RuleEngine.load()
    sentences = [e.text for rule in engine.rules for examples in rule.examples.values() for e in examples]
    smaller = tmp_path / "dictionary.txt"
    words = read_dictionary(rules_dir() / "dictionary.txt")
    smaller.write_text("\n".join(words[: len(words) // 3]), encoding="utf-8")
    other_nlp = load_pipeline(smaller)

    def hits_by_rule(nlp):
        found = {}
        for sentence in sentences:
            for hit in engine.match(make_doc(sentence, nlp)):
                found.setdefault(hit.rule_id, set()).add((sentence, hit.start, hit.end, hit.assertion))
        return found

    before, after = hits_by_rule(load_pipeline()), hits_by_rule(other_nlp)
    changed = {rule for rule in set(before) | set(after) if before.get(rule) != after.get(rule)}
    kinds = {rule.id: rule.kind for rule in engine.rules}
    print("rules whose hits change with a third of the dictionary:", sorted(changed) or "none")
    assert all(kinds[rule] == "tokens" for rule in changed)


def test_a_token_rule_changes_with_the_dictionary_and_a_phrase_rule_does_not(tmp_path):
    write_rules(tmp_path / "r", "leaving_post", [
        {"id": "leaving_post.tok", "kind": "tokens", "patterns": [[{"TEXT": "脱岗漏岗"}]]},
        {"id": "leaving_post.phrase", "kind": "phrase", "patterns": ["脱岗漏岗"]},
    ])
    plain, custom = tmp_path / "plain.txt", tmp_path / "custom.txt"
    plain.write_text("# nothing\n", encoding="utf-8")
    custom.write_text("脱岗漏岗\n", encoding="utf-8")
    sentence = "该干部值班期间脱岗漏岗"
    found = {}
    for name, dictionary in (("plain", plain), ("custom", custom)):
        nlp = load_pipeline(dictionary)
        engine = RuleEngine(load_ruleset(tmp_path / "r"), load_context(), nlp.vocab)
        found[name] = {h.rule_id for h in engine.match(make_doc(sentence, nlp))}
    assert found == {"plain": {"leaving_post.phrase"}, "custom": {"leaving_post.phrase", "leaving_post.tok"}}


def test_the_ruleset_digest_follows_the_rules_not_their_documentation(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    before = ruleset_digest(copy)
    (copy / "README.md").write_text("# notes for rule authors\n", encoding="utf-8")
    assert ruleset_digest(copy) == before
    with (copy / "dictionary.txt").open("a", encoding="utf-8") as handle:
        handle.write("值守\n")
    assert ruleset_digest(copy) != before
