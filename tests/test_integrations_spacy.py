import json
import shutil
import subprocess
import sys
from collections import Counter
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import spacy

from misconduct_tagger import load_nlp
from misconduct_tagger.integrations.spacy_component import FACTORY
from misconduct_tagger.nlp import load_pipeline
from misconduct_tagger.resources import models_dir, rules_dir
from misconduct_tagger.results import Evidence, LabelResult, TagResult

ROOT = Path(__file__).resolve().parents[1]
REPORTS = [json.loads(line)["text"] for line in (ROOT / "examples" / "reports.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]
# Traditional characters and full-width forms: the Tagger normalises, so its offsets need mapping back.
TEXTS = REPORTS + ["經查，某鎮網格員值班期間私自回家睡覺，電話聯繫不上。", "群众举报,某村会计把救灾大米分给自家亲戚!", ""]

MARKER_RULE = """\
category: formalism
rules:
  - id: formalism.roundtrip_marker
    kind: phrase
    patterns: [甲乙丙丁专用词]
    weight: 0.9
    examples:
      match: [会上通报了甲乙丙丁专用词。, 该局又搞了一次甲乙丙丁专用词。]
      no_match: [会上通报了工作进展。, 该局又开了一次会。]
"""
MARKER_TEXT = "经查，该街道连续三周搞甲乙丙丁专用词，值班人员擅自离岗。"


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def tagger(nlp):
    return nlp.get_pipe(FACTORY).tagger


def test_the_default_component_loads_the_shipped_rules_and_model(nlp, tagger):
    assert nlp.pipe_names == [FACTORY]
    assert tagger.mode == "hybrid"
    assert tagger.model_path == models_dir() / "default"
    assert tagger.engine.ruleset.directory == rules_dir()


def test_cats_hold_every_category_with_the_label_score(nlp, tagger):
    labelled = 0
    for text in TEXTS:
        doc = nlp(text)
        result = tagger.tag(text)
        expected = {category: 0.0 for category in tagger.taxonomy.ids}
        expected.update({label.id: label.score for label in result.labels})
        assert doc.cats == expected
        labelled += bool(result.labels)
    assert labelled >= len(REPORTS) // 2


def test_evidence_spans_cover_the_evidence_and_carry_its_assertion_and_rule(nlp, tagger):
    for text in TEXTS:
        doc = nlp(text)
        result = tagger.tag(text)
        evidence = [(label.id, e) for label in result.labels for e in label.evidence]
        spans = list(doc.spans["misconduct"])
        assert Counter((s.label_, s._.misconduct_rule, s._.misconduct_assertion) for s in spans) == \
            Counter((label, e.source, e.assertion) for label, e in evidence)
        for span in spans:
            record = span._.misconduct_evidence
            assert span.id_ == record["source"] == span._.misconduct_rule
            assert text[record["start"]:record["end"]] == record["text"]
            assert span.start_char <= record["start"] < record["end"] <= span.end_char
            # Expanded to the tokens the evidence touches, no further.
            assert span[0].idx + len(span[0].text) > record["start"] and span[-1].idx < record["end"]
        assert doc._.misconduct == result.to_dict()


def test_evidence_inside_a_token_expands_and_evidence_on_one_range_stays_apart(nlp):
    component = nlp.get_pipe(FACTORY)
    text = "网格员值班期间私自回家。"
    doc = nlp.make_doc(text)
    assert doc[0].text == "网格员"
    result = TagResult(text, (
        LabelResult("leaving_post", "擅离职守", 0.9, "affirmed", "rule",
                    (Evidence(1, 2, "格", "leaving_post.a", "affirmed"),)),
        LabelResult("inaction", "不担当不作为", 0.8, "alleged", "rule",
                    (Evidence(1, 2, "格", "inaction.b", "alleged"),)),
    ))
    component.set_annotations(doc, result)
    spans = {span.label_: span for span in doc.spans["misconduct"]}
    assert {label: span.text for label, span in spans.items()} == {"leaving_post": "网格员", "inaction": "网格员"}
    assert (spans["leaving_post"]._.misconduct_assertion, spans["leaving_post"]._.misconduct_rule) == \
        ("affirmed", "leaving_post.a")
    assert (spans["inaction"]._.misconduct_assertion, spans["inaction"]._.misconduct_rule) == ("alleged", "inaction.b")
    assert doc.cats["leaving_post"] == 0.9 and doc.cats["inaction"] == 0.8 and doc.cats["extortion"] == 0.0


def test_pipe_gives_what_calling_gives_in_order(nlp):
    piped = list(nlp.pipe(TEXTS, batch_size=3))
    assert [doc.text for doc in piped] == TEXTS
    for doc in piped:
        single = nlp(doc.text)
        assert doc.cats == single.cats
        assert [(s.start, s.end, s.label_, s.id_) for s in doc.spans["misconduct"]] == \
            [(s.start, s.end, s.label_, s.id_) for s in single.spans["misconduct"]]


def test_load_nlp_segments_like_the_tagger_with_a_pipeline_of_its_own(nlp):
    shared = load_pipeline()
    assert nlp is not shared and FACTORY not in shared.pipe_names
    for text in TEXTS:
        assert [t.text for t in nlp.make_doc(text)] == [t.text for t in shared.make_doc(text)]


def test_the_factory_is_registered_through_the_entry_point():
    (entry,) = [e for e in entry_points(group="spacy_factories") if e.name == FACTORY]
    assert entry.value == "misconduct_tagger.integrations.spacy_component:make_component"


def test_a_saved_pipeline_loads_in_a_fresh_process_with_its_config(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    (rules / "roundtrip_marker.yaml").write_text(MARKER_RULE, encoding="utf-8")
    nlp = load_nlp(rules=rules, mode="rules")
    nlp.to_disk(tmp_path / "pipeline")
    config = spacy.util.load_config(tmp_path / "pipeline" / "config.cfg")["components"][FACTORY]
    assert config == {"factory": FACTORY, "model": None, "rules": str(rules.resolve()), "mode": "rules",
                      "spans_key": "misconduct"}
    # Only spaCy is imported: the factory must come from the installed entry point.
    script = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "doc = nlp(sys.argv[2])\n"
        "print(json.dumps({'tokens': [t.text for t in doc], 'cats': doc.cats, 'mode': doc._.misconduct['mode'],\n"
        "                  'spans': [[s.start, s.end, s.label_, s._.misconduct_rule, s._.misconduct_assertion]\n"
        "                            for s in doc.spans['misconduct']]}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "pipeline"), MARKER_TEXT],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout)
    doc = nlp(MARKER_TEXT)
    assert loaded == {
        "tokens": [t.text for t in doc], "cats": doc.cats, "mode": "rules",
        "spans": [[s.start, s.end, s.label_, s._.misconduct_rule, s._.misconduct_assertion]
                  for s in doc.spans["misconduct"]],
    }
    assert ["formalism", "formalism.roundtrip_marker", "affirmed"] in [span[2:] for span in loaded["spans"]]
    assert loaded["cats"]["formalism"] > 0
