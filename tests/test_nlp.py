import pytest

from misconduct_tagger.nlp import default_dictionary_path, load_pipeline, make_doc, read_dictionary


@pytest.mark.parametrize(
    "sentence, word",
    [
        ("该干部值班期间擅离职守回家睡觉", "擅离职守"),
        ("个别窗口人员吃拿卡要刁难企业", "吃拿卡要"),
        ("部门之间推诿扯皮让群众来回跑", "推诿扯皮"),
        ("该镇瞒报疫情数据", "瞒报"),
        ("网格员脱岗两小时", "脱岗"),
        ("企业复工复产审批被拖延", "复工复产"),
        ("执法中搞一刀切和层层加码", "层层加码"),
    ],
)
def test_domain_words_segment_whole(nlp, sentence, word):
    tokens = [t.text for t in make_doc(sentence, nlp)]
    assert word in tokens


def test_the_dictionary_changes_segmentation(tmp_path):
    sentence = "该干部值班期间脱岗漏岗"
    plain = tmp_path / "plain.txt"
    plain.write_text("# nothing\n", encoding="utf-8")
    custom = tmp_path / "custom.txt"
    custom.write_text("脱岗漏岗\n", encoding="utf-8")
    assert "脱岗漏岗" not in [t.text for t in make_doc(sentence, load_pipeline(plain))]
    assert "脱岗漏岗" in [t.text for t in make_doc(sentence, load_pipeline(custom))]


def test_dictionary_file_is_read_normalised(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("擅離職守  # traditional\n\n# comment\n吃拿卡要\n", encoding="utf-8")
    assert read_dictionary(path) == ["擅离职守", "吃拿卡要"]
    assert "擅离职守" in read_dictionary(default_dictionary_path())


def test_doc_carries_the_map_to_the_original(nlp):
    original = "某縣幹部擅離職守，回家睡覺"
    doc = make_doc(original, nlp)
    token = next(t for t in doc if t.text == "擅离职守")
    start, end = doc._.normalized.to_original(token.idx, token.idx + len(token))
    assert original[start:end] == "擅離職守"


def test_pipeline_is_loaded_once(nlp):
    assert load_pipeline() is nlp
