"""Batch tagging never loses or corrupts data: outputs over inputs, stale resumes, binary files, unwritable
outputs, CSV columns, JSON error positions, repeated inputs and --strict; and the library's edges
(tag_many's argument, lone surrogates, a model file for a folder, CLI wording, report figures)."""

import json
import re
import shutil
import sys

import pytest

from misconduct_tagger import Tagger
from misconduct_tagger.cli import main
from misconduct_tagger.model.classifier import ModelError
from misconduct_tagger.evaluation import Outcome, evaluate_outcomes
from misconduct_tagger.io.readers import ReadOptions, read_inputs
from misconduct_tagger.reporting import html_report, pad, text_report
from misconduct_tagger.resources import models_dir
from misconduct_tagger.results import TagResult
from misconduct_tagger.taxonomy import default_taxonomy

REPORT = "某镇干部值班期间私自回家，电话联系不上。"
OTHER = "群众举报某村会计把救灾大米分给自家亲戚。"
PLAIN = "该镇今年共有常住人口一万二千人。"


@pytest.fixture(scope="module")
def tagger():
    return Tagger.load()


def jsonl(path, texts, bad_at=()):
    lines = ["{broken" if i in bad_at else json.dumps({"id": f"r{i}", "text": t}, ensure_ascii=False)
             for i, t in enumerate(texts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tag(*args):
    return main(["tag", *map(str, args), "--quiet"])


# 1 -----------------------------------------------------------------------------------------------
def test_an_output_that_is_an_input_is_refused_before_reading(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(Tagger, "load", classmethod(lambda *a, **k: pytest.fail("loaded the tagger")))
    source = jsonl(tmp_path / "a.jsonl", [REPORT, OTHER])
    before = source.read_bytes()
    assert tag(source, "-o", source) == 2
    assert tag(tmp_path, "-o", tmp_path / "sub" / ".." / "a.jsonl") == 2  # through the folder, another spelling
    assert source.read_bytes() == before
    assert "is one of the inputs" in capsys.readouterr().err


# 2 -----------------------------------------------------------------------------------------------
def stopped_run(tmp_path, texts, bad_at):
    """A run stopped by --strict at its bad record: a partial file of the records before it."""
    source = jsonl(tmp_path / "in.jsonl", texts, bad_at)
    out = tmp_path / "out.jsonl"
    assert tag(source, "-o", out, "--strict") == 1
    return source, out


def test_resume_refuses_an_input_changed_in_the_part_already_done(tmp_path, capsys):
    texts = [REPORT, OTHER, PLAIN] * 4
    source, out = stopped_run(tmp_path, texts, bad_at={8})
    jsonl(source, [OTHER] + texts[1:])  # line 1, already answered, now says something else
    assert tag(source, "-o", out, "--resume") == 2
    assert f"{source}:1 changed" in capsys.readouterr().err
    assert not out.exists()


def test_resume_refuses_a_partial_left_by_another_input(tmp_path, capsys):
    source, out = stopped_run(tmp_path, [REPORT, OTHER, PLAIN] * 4, bad_at={8})
    other = jsonl(tmp_path / "other.jsonl", [PLAIN] * 12)
    assert tag(other, "-o", out, "--resume") == 2
    assert "was not in the run that wrote" in capsys.readouterr().err
    assert len(rows(out.with_name("out.jsonl.partial"))) == 1 + 8  # the header and the records done, untouched


def test_resume_refuses_a_partial_without_a_header(tmp_path, capsys):
    source = jsonl(tmp_path / "in.jsonl", [REPORT])
    (tmp_path / "out.jsonl.partial").write_text(json.dumps({"source": f"{source}:1"}) + "\n", encoding="utf-8")
    assert tag(source, "-o", tmp_path / "out.jsonl", "--resume") == 2
    assert "has no header" in capsys.readouterr().err


def test_resume_after_fixing_the_bad_record_gives_the_whole_run(tmp_path, capsys):
    texts = [REPORT, OTHER, PLAIN] * 4
    source, out = stopped_run(tmp_path, texts, bad_at={8})
    jsonl(source, texts)
    assert tag(source, "-o", out, "--resume") == 0
    assert "already done 8" in capsys.readouterr().err
    whole = tmp_path / "whole.jsonl"
    assert tag(source, "-o", whole) == 0
    assert out.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    assert [r["id"] for r in rows(out)] == [f"r{i}" for i in range(12)]


# 3 -----------------------------------------------------------------------------------------------
def test_binary_content_with_a_text_extension_is_one_error_for_the_file(tmp_path, capsys):
    program = tmp_path / "x.txt"
    shutil.copy(sys.executable, program)
    picture = tmp_path / "y.jsonl"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    out = tmp_path / "out.jsonl"
    assert tag(program, picture, "-o", out) == 1
    records = rows(out)
    assert [r["source"] for r in records] == [f"{program}:0", f"{picture}:0"]
    assert all("binary content" in r["error"] for r in records)
    assert "read 0, tagged 0, failed 0; 2 file(s) could not be read" in capsys.readouterr().err


# 4 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["/proc/x.jsonl", "{tmp}/a-file/out.jsonl"])
def test_an_output_that_cannot_be_written_is_one_line_before_loading(tmp_path, capsys, monkeypatch, where):
    monkeypatch.setattr(Tagger, "load", classmethod(lambda *a, **k: pytest.fail("loaded the tagger")))
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    output = where.format(tmp=tmp_path)
    assert tag(jsonl(tmp_path / "in.jsonl", [REPORT]), "-o", output) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"misconduct-tagger: error: cannot write {output}: ")


# 5 -----------------------------------------------------------------------------------------------
def test_a_csv_without_the_text_column_is_a_file_error_naming_its_columns(tmp_path, capsys):
    source = tmp_path / "a.csv"
    source.write_text(f"编号,摘要\n1,{REPORT}\n2,{OTHER}\n3,{PLAIN}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert tag(source, "-o", out) == 1
    [record] = rows(out)
    assert "'编号', '摘要'" in record["error"] and "--text-column" in record["error"]
    assert "read 0, tagged 0, failed 0; 1 file(s) could not be read" in capsys.readouterr().err
    assert tag(source, "-o", out, "--text-column", "摘要") == 0
    assert len(rows(out)) == 3


def test_a_common_chinese_text_header_is_used_and_said(tmp_path, capsys):
    source = tmp_path / "a.csv"
    source.write_text(f"id,反映内容\n1,{REPORT}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert tag(source, "-o", out) == 0
    assert rows(out)[0]["labels"] == ["leaving_post"]
    assert "reading the report text from column '反映内容'" in capsys.readouterr().err


# 6 -----------------------------------------------------------------------------------------------
def test_json_errors_give_the_parsers_message_and_column(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": tru}\n{"id": "y", "text": "abc\n', encoding="utf-8")
    first, second = [r.error for r in read_inputs([str(source)], ReadOptions())]
    assert first == f"{source}:1: not valid JSON: Expecting value: column 21"
    assert second == f"{source}:2: not valid JSON: Unterminated string starting at: column 21"


# 7 -----------------------------------------------------------------------------------------------
def test_a_file_given_twice_or_with_its_folder_is_read_once(tmp_path, capsys):
    source = jsonl(tmp_path / "in.jsonl", [REPORT, OTHER])
    out = tmp_path / "out" / "out.jsonl"
    assert tag(source, tmp_path, tmp_path / "." / "in.jsonl", "-o", out) == 0
    assert [r["id"] for r in rows(out)] == ["r0", "r1"]
    assert capsys.readouterr().err.count("is the same file as") == 2


# 8 -----------------------------------------------------------------------------------------------
def test_strict_keeps_the_good_records_before_the_bad_one(tmp_path, capsys):
    source, out = stopped_run(tmp_path, [REPORT, OTHER, PLAIN] * 3, bad_at={5})
    partial = rows(out.with_name("out.jsonl.partial"))
    assert [r["id"] for r in partial[1:]] == ["r0", "r1", "r2", "r3", "r4"]
    assert f"{source}:6" in capsys.readouterr().err


# 9 -----------------------------------------------------------------------------------------------
def test_tag_many_refuses_a_bare_string_and_names_a_bad_item(tagger):
    with pytest.raises(TypeError, match="pass a list"):
        tagger.tag_many(REPORT)
    results = tagger.tag_many([REPORT, None, OTHER], batch_size=1)
    assert next(results).label_ids == ["leaving_post"]
    with pytest.raises(TypeError, match="item 1 is NoneType"):
        next(results)


# 10 ----------------------------------------------------------------------------------------------
def test_to_dict_replaces_lone_surrogates_and_keeps_offsets(tagger):
    text = "值班期间\udcff私自回家，电话联系不上。"
    data = tagger.tag(text).to_dict()
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert data["text"] == text.replace("\udcff", "\ufffd")
    for label in data["labels"]:
        for e in label["evidence"]:
            assert data["text"][e["start"]:e["end"]] == e["text"]


# 11 ----------------------------------------------------------------------------------------------
def test_loading_the_model_file_instead_of_its_folder_says_so():
    with pytest.raises(ModelError, match="pass the model folder"):
        Tagger.load(models_dir() / "default" / "model.joblib")


# 12 ----------------------------------------------------------------------------------------------
def test_version_and_usage_messages(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert re.fullmatch(r"misconduct-tagger \d+\.\d+\.\d+\s*", capsys.readouterr().out)
    with pytest.raises(SystemExit):
        main(["tag", "in.jsonl", "-o", "out.jsonl", "--jobs", "two"])
    err = capsys.readouterr().err
    assert "--jobs: must be a whole number, not 'two'" in err and "_positive_int" not in err
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    assert "(default hybrid)" in " ".join(capsys.readouterr().out.split())


def test_pad_counts_display_columns():
    assert pad("瞒报谎报", 10) == "瞒报谎报  "
    assert pad("abc", 5) == "abc  "


def _evaluation(mode):
    results = TagResult("x")
    outcomes = [Outcome(str(i), "某镇干部值班期间私自回家", None, frozenset(g), frozenset(p), results)
                for i, (g, p) in enumerate([({"leaving_post"}, {"leaving_post"}), ({"delay"}, set()),
                                            (set(), {"inaction"}), (set(), set()), ({"delay"}, {"delay"})])]
    return evaluate_outcomes(mode, outcomes, default_taxonomy().ids)


def test_text_and_html_reports_give_the_same_figures_and_names():
    evaluations = {"rules": _evaluation("rules"), "hybrid": _evaluation("hybrid")}
    text, page = text_report(evaluations, "d.jsonl"), html_report(evaluations, "d.jsonl")
    assert "no-label reports given a label" in text and "no-label reports given a label" in page
    figures = re.findall(r"\d\.\d+", text.split("no-label reports given a label")[0])
    assert figures and all(len(f) == 5 for f in figures)  # one rounding: three decimals
    assert "0.667" in text and "0.667" in page
    for category in default_taxonomy():
        assert f"{category.id} {category.name}" in text and f"{category.id} {category.name}" in page
    header, first = text.splitlines()[2:4]
    assert header.index("rules") < header.index("support")
    widths = {len(line) + sum(1 for ch in line if ord(ch) > 0x2E80) for line in text.splitlines()[3:17]}
    assert len(widths) == 1  # Chinese names aligned in display columns


def test_model_evidence_lists_each_span_once(tagger):
    texts = [REPORT, OTHER, "书记您好！我们村干部一天到晚都在填表拍照，哪还有时间给老百姓办事！麻烦纪委来查查吧。",
             "营业执照的事我从去年6月等到现在，每次打电话他都说快了快了，可就是办不下来。"]
    for result in tagger.tag_many(texts):
        for label in result.labels:
            spans = [(e.start, e.end) for e in label.evidence if e.source == "model"]
            assert len(spans) == len(set(spans))
