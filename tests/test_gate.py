"""The report-level gate: what it learns, what the shipped model's gate decides, and how the decision
uses it (a report that tells of no incident keeps only affirmed hits of absolute rules)."""

import json

import pytest

from misconduct_tagger import Tagger
from misconduct_tagger.decision import ABSOLUTE_RULE_WEIGHT, decide
from misconduct_tagger.model.gate import KINDS, report_kind
from misconduct_tagger.rules.engine import RuleHit
from misconduct_tagger.taxonomy import default_taxonomy

DIRECTIVE = ("各级党组织要严明纪律，严禁瞒报谎报、擅离职守、推诿扯皮、吃拿卡要，对不作为、乱作为、慢作为的，"
             "一经查实，坚决严肃追责问责。")
INCIDENT = "经查，某镇网格员张某在疫情防控值班期间私自回家睡觉，电话联系不上，致使卡口无人值守，被给予党内警告处分。"


@pytest.fixture(scope="module")
def tagger():
    return Tagger.load()


def test_a_report_kind_comes_from_its_labels_then_its_style():
    assert report_kind(["delay"], "directive") == "incident"
    assert report_kind([], "directive") == "directive"
    assert report_kind([], "verification") == "verification"
    assert [report_kind([], style) for style in ("commendation", "neutral", None)] == ["neutral"] * 3


def test_the_shipped_gate_tells_a_directive_from_an_incident(tagger):
    directive, incident = tagger.tag_many([DIRECTIVE, INCIDENT])
    assert directive.gate.kind == "directive" and directive.labels == ()
    assert directive.gate.incident_probability < tagger.classifier.gate_cut
    assert any(cue.startswith("directive:") for cue in directive.gate.cues)
    assert incident.gate.kind == "incident" and "leaving_post" in incident.label_ids
    assert json.loads(json.dumps(directive.to_dict(), ensure_ascii=False))["gate"]["kind"] == "directive"
    assert {directive.gate.kind, incident.gate.kind} <= set(KINDS)


def test_the_kind_shown_is_the_decision_taken(tagger):
    """Incident exactly when the incident probability reaches the cut the labels are decided by, even
    where no kind has a majority (this report's incident probability sits near the cut)."""
    near = ("经查，某社区网格员钱某在入户排查中未逐户核实，直接照抄上一轮登记表，把未完成的排查数据报成全部完成。"
            "会议于下午三点结束。当天天气晴朗。")
    cut = tagger.classifier.gate_cut
    results = list(tagger.tag_many([DIRECTIVE, INCIDENT, near, near[:-7], "会议于下午三点结束。当天天气晴朗。"]))
    assert any(abs(r.gate.incident_probability - cut) < 0.1 for r in results)
    for result in results:
        assert (result.gate.kind == "incident") == (result.gate.incident_probability >= cut), result.gate


def test_only_the_hybrid_reads_the_gate(tagger):
    analysis = tagger.analyse(DIRECTIVE)
    assert tagger.decide(analysis, "rules").gate is None and tagger.decide(analysis, "model").gate is None


def _hit(category, assertion, weight):
    return RuleHit(f"{category}.x", category, 0, 2, "瞒报", "瞒报", weight, assertion)


@pytest.mark.parametrize("hit, kept", [
    (_hit("concealment", "affirmed", ABSOLUTE_RULE_WEIGHT), True),
    (_hit("concealment", "affirmed", 0.9), False),  # labels an incident, not a report the gate rejected
    (_hit("concealment", "alleged", 0.99), False),
])
def test_a_report_without_an_incident_keeps_only_affirmed_absolute_rules(hit, kept):
    taxonomy = default_taxonomy()
    probabilities = [0.99] * len(taxonomy)  # the model alone would label everything
    labels = decide(taxonomy, [hit], probabilities, [0.5] * len(taxonomy), incident=False)
    assert [label.id for label in labels] == (["concealment"] if kept else [])
    assert [label.id for label in decide(taxonomy, [hit], None, None, incident=True)] == (
        ["concealment"] if hit.weight >= 0.7 else [])
