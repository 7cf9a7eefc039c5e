import json
import subprocess
import sys
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from misconduct_tagger import Tagger
from misconduct_tagger.decision import ABSOLUTE_RULE_WEIGHT, RULE_LABEL_MIN_WEIGHT
from misconduct_tagger.tagger import chunk_bounds

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [json.loads(line)["text"] for line in (ROOT / "examples" / "reports.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
NEUTRAL = ["该镇今年共有常住人口一万二千人。", "会议于下午三点结束。", "当天天气晴朗。", "相关材料已归档备查。"]


@pytest.fixture(scope="module")
def tagger():
    return Tagger.load()


def spans_are_true(result):
    for label in result.labels:
        for e in label.evidence:
            assert 0 <= e.start <= e.end <= len(result.text)
            assert result.text[e.start:e.end] == e.text


def test_a_report_gets_its_labels_with_evidence(tagger):
    result = tagger.tag("经查，某镇网格员值班期间私自回家，电话联系不上，未发现瞒报情况。")
    assert "leaving_post" in result.label_ids
    assert "concealment" not in result.label_ids
    label = next(l for l in result.labels if l.id == "leaving_post")
    assert label.name == "擅离职守" and label.assertion == "affirmed" and 0 < label.score <= 1
    assert any(e.source.startswith("leaving_post.") for e in label.evidence)
    spans_are_true(result)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["versions"]["ruleset"] and data["versions"]["model"] and data["versions"]["library"]


def test_a_directive_naming_every_category_gets_no_label(tagger):
    text = ("各级党组织要严明纪律：严禁瞒报谎报、擅离职守、贻误工作、临阵脱逃；不得敷衍塞责、弄虚作假、阳奉阴违；"
            "坚决纠治不担当不作为、乱作为、推诿扯皮和形式主义官僚主义问题；对失职渎职、挪用救援款物、吃拿卡要的，一律严肃追责。")
    assert tagger.tag(text).labels == ()


def test_an_allegation_found_untrue_gets_no_label(tagger):
    text = "有群众举报某村会计把救灾大米分给自家亲戚。经镇纪委核查，大米均按名册发放，反映问题不属实，予以澄清。"
    assert tagger.tag(text).labels == ()


def test_an_allegation_is_labelled_alleged(tagger):
    result = tagger.tag("群众举报，某村会计把救灾大米分给自家亲戚。")
    assert [(l.id, l.assertion) for l in result.labels] == [("misappropriation", "alleged")]


def test_empty_and_blank_text(tagger):
    assert tagger.tag("").labels == ()
    assert tagger.tag(" \n\u3000 ").labels == ()


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"]])
def test_non_text_is_a_type_error_naming_it(tagger, value):
    with pytest.raises(TypeError, match=type(value).__name__):
        tagger.tag(value)


@given(st.text(max_size=300))
@settings(max_examples=80)
def test_any_unicode_string(tagger, text):
    first = tagger.tag(text)
    spans_are_true(first)
    assert first.to_dict() == tagger.tag(text).to_dict()


def test_same_result_in_another_process(tagger):
    texts = EXAMPLES[:4] + ["值班期间\u200b回家😀", "擅離職守" * 3]
    script = (
        "import json, sys\n"
        "from misconduct_tagger import Tagger\n"
        "t = Tagger.load()\n"
        "print(json.dumps([t.tag(x).to_dict() for x in json.load(sys.stdin)], ensure_ascii=False))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == [json.loads(json.dumps(tagger.tag(x).to_dict(), ensure_ascii=False)) for x in texts]


def test_traditional_and_simplified_get_the_same_labels(tagger):
    to_traditional = opencc.OpenCC("s2t.json")
    for text in EXAMPLES:
        assert tagger.tag(to_traditional.convert(text)).label_ids == tagger.tag(text).label_ids, text


def test_full_width_and_half_width_punctuation_get_the_same_labels(tagger):
    half = str.maketrans({"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")"})
    for text in EXAMPLES:
        assert tagger.tag(text.translate(half)).label_ids == tagger.tag(text).label_ids, text


@given(st.sampled_from(EXAMPLES), st.lists(st.sampled_from(NEUTRAL), min_size=1, max_size=3))
@settings(max_examples=40)
def test_a_neutral_sentence_does_not_remove_a_rule_label(tagger, text, sentences):
    """Rules read mentions in their own context, so padding never takes a rule label away. The hybrid's
    gate reads the whole report, and padding may lower its incident probability below the cut, which
    then keeps absolute rules only (README, "What a label means"); while the gate still sees an
    incident, the hybrid keeps every affirmed rule label too."""
    padded = text + "".join(sentences)
    for mode in ("rules", "hybrid"):
        before, after = tagger.decide_many(tagger.analyse_many([text, padded]), mode)
        incident = mode == "rules" or after.gate.kind == "incident"
        min_weight = RULE_LABEL_MIN_WEIGHT if incident else ABSOLUTE_RULE_WEIGHT
        by_affirmed_rule = {label.id for label in before.labels
                            if any(e.assertion == "affirmed" and e.source != "model" and e.weight >= min_weight
                                   for e in label.evidence)}
        assert by_affirmed_rule <= set(after.label_ids), mode


def test_long_reports_are_chunked_with_true_offsets():
    tagger = Tagger.load(max_chars=200)
    filler = "该镇今年共有常住人口一万二千人，耕地面积三万亩。" * 20
    text = filler + "经查，某网格员值班期间私自回家，电话联系不上。" + filler
    assert len(chunk_bounds(text, 200)) > 3
    result = tagger.tag(text)
    assert "leaving_post" in result.label_ids
    spans_are_true(result)
    evidence = next(l for l in result.labels if l.id == "leaving_post").evidence
    assert all(e.start >= len(filler) for e in evidence if e.source != "model")


def test_chunk_bounds_cover_the_text_at_sentence_ends():
    text = "一二三。" * 100
    bounds = chunk_bounds(text, 50)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(text[end - 1] == "。" for _, end in bounds)
    assert all(end - start <= 50 for start, end in bounds)


def test_tag_many_keeps_order_and_matches_tag(tagger):
    texts = EXAMPLES * 2
    expected = [tagger.tag(t).to_dict() for t in texts]
    assert [r.to_dict() for r in tagger.tag_many(texts, batch_size=3)] == expected
    assert [r.to_dict() for r in tagger.tag_many(texts, n_jobs=2, batch_size=5)] == expected


def test_rules_and_model_modes(tagger):
    analysis = tagger.analyse(EXAMPLES[0])
    assert tagger.decide(analysis, "rules").mode == "rules"
    assert all(l.policy == "rule" for l in tagger.decide(analysis, "rules").labels)
    assert all(l.policy == "model" for l in tagger.decide(analysis, "model").labels)
    with pytest.raises(ValueError):
        tagger.decide(analysis, "oracle")


def test_model_evidence_is_the_clause_that_carries_the_score(tagger):
    filler = "该镇今年共有常住人口一万二千人，辖十个村。会议于下午三点结束，相关材料已归档备查。"
    failing = "村干部張某某對群眾反映的問題一拖再拖，半年多沒有任何答覆"
    text = "  " + filler + failing + "。" + filler
    result = tagger.tag(text)
    spans_are_true(result)
    given = [l for l in tagger.decide(tagger.analyse(text), "model").labels]
    assert given, "the model should label a plain case of delay"
    for label in given:
        clauses = [e for e in label.evidence if e.source == "model"]
        assert 1 <= len(clauses) <= 2 and all(e.weight > 0 for e in clauses)
        assert any(e.text in failing for e in clauses) and all("，" not in e.text for e in clauses)
        assert all(text[e.start:e.end] == e.text for e in clauses)


@given(st.sampled_from(EXAMPLES), st.lists(st.sampled_from(["\u200b", "  ", "\n", "😀", ",", "　"]), max_size=6),
       st.randoms(use_true_random=False))
@settings(max_examples=40)
def test_clause_evidence_of_a_mangled_report_is_text_the_user_gave(tagger, text, noise, rnd):
    for piece in noise:
        position = rnd.randrange(len(text) + 1)
        text = text[:position] + piece + text[position:]
    result = tagger.decide(tagger.analyse(text), "model")
    spans_are_true(result)
    for label in result.labels:
        for e in label.evidence:
            assert e.text and e.text == e.text.strip() and not e.text.endswith(("，", "。", ","))
