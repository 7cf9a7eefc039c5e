"""Assertion context: our own sentences, each testing one behaviour of the cue lists."""

import pytest

from misconduct_tagger.errors import DataFileError
from misconduct_tagger.rules import load_context
from misconduct_tagger.text import normalize_text


@pytest.fixture(scope="module")
def context():
    return load_context()


def assertion_of(context, text, mention):
    text = normalize_text(text)
    start = text.index(mention)
    return context.assign(text, [(start, start + len(mention))])[0]


@pytest.mark.parametrize(
    "text, mention, expected",
    [
        ("某镇干部值班期间擅离职守。", "擅离职守", "affirmed"),
        ("经查，某镇干部存在擅离职守问题。", "擅离职守", "affirmed"),
        ("严禁瞒报谎报疫情信息。", "瞒报谎报", "directive"),
        ("不得擅离职守、临阵脱逃。", "临阵脱逃", "directive"),
        ("对推诿扯皮、敷衍塞责的，一律严肃追责。", "推诿扯皮", "directive"),
        ("对玩忽职守的要坚决查处。", "玩忽职守", "directive"),
        ("群众反映某村干部优亲厚友。", "优亲厚友", "alleged"),
        ("举报称其在验收中弄虚作假。", "弄虚作假", "alleged"),
        ("经查，未发现瞒报情况。", "瞒报", "negated"),
        ("该镇不存在推诿扯皮现象。", "推诿扯皮", "negated"),
        ("他在验收中没有弄虚作假。", "弄虚作假", "negated"),
        ("未发现因工作滞后造成延误。", "延误", "negated"),
        ("将推诿扯皮、吃拿卡要等问题列为监督重点。", "推诿扯皮", "directive"),
        ("组织开展推诿扯皮问题警示教育。", "推诿扯皮", "directive"),
        ("该局长擅离职守，县纪委对其严肃处理。", "擅离职守", "affirmed"),
    ],
)
def test_local_cues(context, text, mention, expected):
    assert assertion_of(context, text, mention).value == expected


def test_negation_stops_at_the_clause_end(context):
    text = "未发现瞒报情况，但该干部擅离职守。"
    assert assertion_of(context, text, "瞒报").value == "negated"
    assert assertion_of(context, text, "擅离职守").value == "affirmed"


def test_a_terminator_ends_a_directive(context):
    assert assertion_of(context, "会议强调严禁酒驾，但他仍擅离职守回家。", "擅离职守").value == "affirmed"


def test_report_of_leaving_post_with_a_denial_of_concealment(context):
    text = "经查，某网格员值班期间擅离职守，未发现瞒报情况。"
    assert assertion_of(context, text, "擅离职守").value == "affirmed"
    assert assertion_of(context, text, "瞒报").value == "negated"


def test_a_later_verdict_negates_earlier_allegations(context):
    text = "有群众举报某村支书截留救灾款。镇纪委调取账目逐笔核对。经核查，上述反映问题不属实。"
    result = assertion_of(context, text, "截留")
    assert result.value == "negated"
    assert result.cue.text == "不属实"


def test_a_later_verdict_confirms_earlier_allegations(context):
    text = "有群众举报某村支书截留救灾款。经查，反映问题属实，已给予其党内警告处分。"
    assert assertion_of(context, text, "截留").value == "affirmed"


def test_a_verdict_worded_as_a_mismatch_with_the_facts(context):
    text = "网传某镇干部向隔离人员索要小费。经核查，所反映情况与事实不符。"
    assert assertion_of(context, text, "索要").value == "negated"


@pytest.mark.parametrize("text, mention, expected", [
    ("该县把围海说成已查处，上报的查处情况严重失实。", "围海", "affirmed"),
    ("群众反映村干部截留补助款，经核查，相关情况不实。", "截留", "negated"),
    ("该局对进度长期不掌握，调度会上报的数字与实际不符。", "不掌握", "affirmed"),
])
def test_a_report_found_false_is_no_denial(context, text, mention, expected):
    assert assertion_of(context, text, mention).value == expected


def test_a_verdict_does_not_reach_forward(context):
    text = "反映问题不属实。此后该村支书又擅自截留救灾款。"
    assert assertion_of(context, text, "截留").value == "affirmed"


def test_the_cue_is_reported(context):
    result = assertion_of(context, "严禁瞒报。", "瞒报")
    assert result.cue.text == "严禁"


def test_document_assertion(context):
    assert context.document_assertion(normalize_text("群众反映某干部吃拿卡要。经核查不属实。"), []) == "negated"
    assert context.document_assertion(normalize_text("严禁吃拿卡要。"), ["directive"]) == "directive"
    assert context.document_assertion(normalize_text("群众反映某干部吃拿卡要。"), ["alleged"]) == "alleged"
    assert context.document_assertion(normalize_text("某干部吃拿卡要。"), ["affirmed"]) == "affirmed"


@pytest.mark.parametrize(
    "body, key",
    [
        ("clause_end: '[，]'\nsentence_end: '[。]'\ncues:\n  - {assertion: maybe, direction: forward, scope: clause, patterns: [x]}\n", "cues[0].assertion"),
        ("clause_end: '[，]'\nsentence_end: '[。]'\ncues:\n  - {assertion: negated, direction: up, scope: clause, patterns: [x]}\n", "cues[0].direction"),
        ("clause_end: '[，]'\nsentence_end: '[。]'\ncues:\n  - {assertion: negated, direction: forward, scope: clause, patterns: ['(']}\n", "cues[0].patterns"),
        ("clause_end: '[，]'\nsentence_end: '[。]'\nverdicts:\n  - {assertion: negated, applies_to: [sometimes], patterns: [x]}\n", "verdicts[0].applies_to"),
        ("clause_end: '[，]'\nsentence_end: '[。]'\ncues:\n  - {assertion: negated, direction: forward, scope: clause, patterns: [x], terminators: []}\n", "cues[0].terminators"),
        ("sentence_end: '[。]'\n", "clause_end"),
    ],
)
def test_malformed_context_names_the_key(tmp_path, body, key):
    path = tmp_path / "context.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_context(path)
    assert info.value.key == key and str(path) in str(info.value)


@pytest.mark.parametrize(
    "text, mention, expected",
    [
        ("村干部入户核灾时摸排不准，发放救灾粮时优亲厚友。", "优亲厚友", "affirmed"),
        ("该办无视专款专用、不得用于人员开支的规定，套取扶贫资金用于招待。", "套取", "affirmed"),
        ("城管队员在整治流动摊贩时，对摊主拳打脚踢。", "拳打脚踢", "affirmed"),
        ("该镇对外来车辆一律劝返，搞一刀切。", "一刀切", "affirmed"),
        ("可以到窗口反映的情形包括：让人来回跑、互相推脱。", "来回跑", "directive"),
        ("会议强调，对推诿扯皮、敷衍塞责的部门和个人严肃问责。", "推诿扯皮", "directive"),
        ("窗口人员不准吃拿卡要。", "吃拿卡要", "directive"),
        ("该村第一书记经常不在村，作风不实。", "不在村", "affirmed"),
        ("村干部编造不实材料，为三户人家争取危房补助。", "编造", "affirmed"),
        ("该县防范组织不力，造成严重后果。", "不力", "affirmed"),
        ("某村对返乡人员的管控要求执行不严，致使一人脱管。", "脱管", "affirmed"),
        ("对擅离职守造成严重后果的，依法依纪严肃问责。", "擅离职守", "directive"),
        ("发现干部吃拿卡要的，可拨打电话举报。", "吃拿卡要", "directive"),
        ("有人反映村支书截留补助款，经核查，传言失实。", "截留", "negated"),
        ("县里开通两条举报电话，对窗口人员吃拿卡要的，一经查实严肃处理。", "吃拿卡要", "directive"),
        ("举报电话：12345，对推诿扯皮的窗口人员可随时反映。", "推诿扯皮", "directive"),
        ("该局举报电话一直没人接，值班人员上班时间玩手机。", "玩手机", "affirmed"),
        ("上级接到群众举报电话后才知道，该镇没有上报这起事故。", "没有上报", "affirmed"),
        ("他明知上级禁止向村里摊派，仍要求每个村订购宣传册。", "要求每个村订购", "affirmed"),
        ("明知上级禁止向村里摊派，仍要求每个村订购宣传册。", "向村里摊派", "directive"),
        ("该科主任为避免影响评审，授意科室暂不上报感染病例。", "暂不上报", "affirmed"),
        ("各部门要统筹安排，避免多头检查、重复检查。", "重复检查", "directive"),
        ("队员以防疫为由没收摊贩的三轮车。", "没收", "affirmed"),
        ("涉事医生已被严肃处理，科室负责人管理不严。", "管理不严", "affirmed"),
        ("通知要求严肃查处以下问题：瞒报漏报险情的；值守期间脱岗的。", "脱岗", "directive"),
        ("凡明知已感染仍刻意隐瞒行程的，一律列入黑名单。", "隐瞒", "directive"),
        ("对推诿扯皮的，要严肃处理。", "推诿扯皮", "directive"),
        ("当时上级反复强调严禁大操大办，他把酒席拆成几批办，收了下属的礼金。", "收了下属的礼金", "affirmed"),
        ("当时上级反复强调严禁大操大办，他把酒席拆成几批办。", "大操大办", "directive"),
        ("检测结果没有上传，考生不得不在考点外重新检测，延误了考试。", "延误", "affirmed"),
        ("我要举报某镇干部张某，他把低保名额给了亲戚。", "给了亲戚", "alleged"),
        ("群众反映，镇里在补偿没谈拢的情况下强拆了4户人家。", "强拆", "alleged"),
        ("该县在没有施工许可的情况下仓促开工。", "仓促开工", "affirmed"),
        ("社区副主任康某禁止所有人员出村，连看病就医也不放行。", "不放行", "affirmed"),
        ("在上级明令禁止违规发放津补贴的情况下，该局编造值班表发放补贴。", "编造值班表", "affirmed"),
        ("在上级明令禁止违规发放津补贴的情况下，该局编造值班表发放补贴。", "违规发放津补贴", "directive"),
        ("今年共问责干部113名，问题包括遇事不敢担当、行动拖拉。", "行动拖拉", "affirmed"),
        ("本次重点整治的问题包括遇事不敢担当、行动拖拉。", "行动拖拉", "directive"),
        ("该局对停车乱收费处理拖拉，监管不力被曝光；局长承诺制定专项整治方案。", "监管不力", "affirmed"),
        ("全县开展推诿扯皮等问题专项整治。", "推诿扯皮", "directive"),
        ("对照“脱岗离岗、推诿扯皮”等8个方面逐项检查，未发现问题。", "推诿扯皮", "directive"),
        ("两人违反不准驾车追缉违法车辆的执勤规定，造成一死两伤。", "一死两伤", "affirmed"),
        ("督查发现低保类别认定不准，有的村把补助平均分配。", "平均分配", "affirmed"),
        ("两名教师被扣发绩效，两年内不得评先评优；学校对教师管理不严被通报。", "管理不严", "affirmed"),
        ("窗口工作人员不得推诿扯皮。", "推诿扯皮", "directive"),
        ("通知要求各单位严肃查处推诿扯皮问题。", "推诿扯皮", "directive"),
        ("护士长被免职，并建议其所在单位严肃处理；科室主任对病房管理不严被诫勉。", "管理不严", "affirmed"),
    ],
)
def test_cues_reported_by_rule_authors(context, text, mention, expected):
    assert assertion_of(context, text, mention).value == expected
