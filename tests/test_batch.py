import io
import json
import signal
import subprocess
import sys
import time

import pytest

from misconduct_tagger.cli import main
from misconduct_tagger.io.encoding import detect_encoding
from misconduct_tagger.io.readers import ReadOptions, read_inputs, read_stdin
from misconduct_tagger.io.writers import HEADER_KEY, read_partial

REPORT = "某镇干部值班期间私自回家，电话联系不上。"
OTHER = "群众举报某村会计把救灾大米分给自家亲戚。"


def records(*paths, **options):
    return list(read_inputs([str(p) for p in paths], ReadOptions(**options)))


def test_jsonl_fields_and_bad_records(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": 7, "body": REPORT}, ensure_ascii=False) + "\n"
        + "{oops\n\n"
        + json.dumps({"body": OTHER}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "x"}) + "\n"
        + json.dumps({"id": "y", "body": ["list"]}) + "\n",
        encoding="utf-8")
    got = records(path, text_field="body")
    assert [(r.id, r.text) for r in got if r.error is None] == [("7", REPORT), (f"{path}:4", OTHER)]
    errors = [r.error for r in got if r.error]
    assert errors[0].startswith(f"{path}:2: not valid JSON")
    assert errors[1] == f"{path}:5: missing field 'body'"
    assert errors[2] == f"{path}:6: field 'body' is list, not text"


def test_csv_tsv_and_txt(tmp_path):
    (tmp_path / "a.csv").write_text(f"编号,内容\nc1,\"{REPORT}\"\nc2,\"多行\n{OTHER}\"\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text(f"id\ttext\nt1\t{REPORT}\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(f"{REPORT}\n\n{OTHER}\n", encoding="utf-8")
    got = records(tmp_path / "a.csv", text_column="内容", id_column="编号")
    assert [(r.id, r.text) for r in got] == [("c1", REPORT), ("c2", f"多行\n{OTHER}")]
    assert [(r.id, r.text) for r in records(tmp_path / "b.tsv")] == [("t1", REPORT)]
    txt = records(tmp_path / "c.txt")
    assert [(r.source, r.text) for r in txt] == [(f"{tmp_path / 'c.txt'}:1", REPORT), (f"{tmp_path / 'c.txt'}:3", OTHER)]
    [whole] = records(tmp_path / "c.txt", per_file=True)
    assert whole.text == f"{REPORT}\n\n{OTHER}\n"
    bad = records(tmp_path / "a.csv", text_column="正文")
    assert "no column '正文'" in bad[0].error


def test_a_folder_is_walked_in_order(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    assert [r.text for r in records(tmp_path)] == [REPORT, OTHER]


@pytest.mark.parametrize("encoding, expected", [("gbk", "gb18030"), ("gb18030", "gb18030"), ("big5", "big5"),
                                                ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")])
def test_encodings_are_detected(tmp_path, encoding, expected):
    text = "某縣紀委通報：該幹部值班期間擅離職守，回家睡覺，電話聯繫不上，造成卡口無人值守。" if encoding == "big5" else (
        "某县纪委通报：该干部值班期间擅离职守，回家睡觉，电话联系不上，造成卡口无人值守，群众意见很大。")
    path = tmp_path / "in.txt"
    path.write_bytes(((text + "\n") * 3).encode(encoding))
    assert detect_encoding(path.read_bytes()) == expected
    assert [r.text for r in records(path)] == [text] * 3


def test_undecodable_bytes_become_an_error_naming_the_line(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(REPORT.encode() + b"\n\xff\xfe\xfa broken\n" + OTHER.encode() + b"\n")
    got = records(path, encoding="utf-8")
    assert [r.text for r in got if not r.error] == [REPORT, OTHER]
    assert [r.error for r in got if r.error] == [f"{path}:2: bytes that are not utf-8"]


def test_standard_input():
    stream = io.BytesIO((json.dumps({"id": "s", "text": REPORT}, ensure_ascii=False) + "\n").encode("gb18030"))
    [record] = read_stdin(ReadOptions(), stream)
    assert (record.id, record.text) == ("s", REPORT)


def test_missing_input_is_an_error_record(tmp_path):
    [record] = records(tmp_path / "nope.jsonl")
    assert "no such file" in record.error


def _corpus(tmp_path, n):
    path = tmp_path / "in.jsonl"
    lines = []
    for i in range(n):
        text = [REPORT, OTHER, "该镇今年共有常住人口一万二千人。"][i % 3]
        lines.append(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) if i % 97 != 5 else "{broken")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_tag_command_writes_one_record_per_input_in_order(tmp_path, capsys):
    source = _corpus(tmp_path, 40)
    out = tmp_path / "out.jsonl"
    assert main(["tag", str(source), "-o", str(out), "--quiet"]) == 1  # a bad record fails the run …
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in rows] == [f"{source}:{i + 1}" for i in range(40)]
    assert rows[5]["error"].startswith(f"{source}:6: not valid JSON") and rows[5]["labels"] == []
    assert rows[0]["labels"] == ["leaving_post"] and rows[0]["evidence"][0]["text"] in REPORT
    err = capsys.readouterr().err
    assert "read 40, tagged 39, failed 1" in err and "leaving_post" in err
    assert main(["tag", str(source), "-o", str(out), "--quiet", "--allow-errors"]) == 0  # … unless allowed


def test_strict_stops_at_the_first_bad_record(tmp_path, capsys):
    source = _corpus(tmp_path, 20)
    out = tmp_path / "out.jsonl"
    assert main(["tag", str(source), "-o", str(out), "--quiet", "--strict"]) == 1
    assert not out.exists()
    assert f"{source}:6" in capsys.readouterr().err


def test_csv_output_and_two_jobs_match_one_job(tmp_path):
    source = _corpus(tmp_path, 30)
    one, two, csv_out = tmp_path / "one.jsonl", tmp_path / "two.jsonl", tmp_path / "out.csv"
    main(["tag", str(source), "-o", str(one), "--quiet", "--allow-errors"])
    main(["tag", str(source), "-o", str(two), "--quiet", "--allow-errors", "--jobs", "2", "--batch-size", "4"])
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
    main(["tag", str(source), "-o", str(csv_out), "--quiet", "--allow-errors"])
    import csv

    rows = list(csv.DictReader(csv_out.open(encoding="utf-8")))
    assert len(rows) == 30 and rows[0]["labels"] == "leaving_post" and rows[5]["error"]


def test_unknown_output_type_is_refused(tmp_path, capsys):
    assert main(["tag", str(_corpus(tmp_path, 2)), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert ".jsonl or .csv" in capsys.readouterr().err


def test_a_cut_last_line_is_dropped_on_resume(tmp_path):
    partial = tmp_path / "out.jsonl.partial"
    whole = f'{{"{HEADER_KEY}": 1}}\n{{"source": "a:1", "input_digest": "d1"}}\n{{"source": "a:2"}}\n'
    partial.write_text(whole + '{"sour', encoding="utf-8")
    state = read_partial(partial)
    assert state.header == {HEADER_KEY: 1} and state.done == {"a:1": "d1", "a:2": ""}
    assert partial.read_text(encoding="utf-8") == whole


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_resumes_to_the_same_output(tmp_path, stop):
    source = _corpus(tmp_path, 1500)
    whole, resumed = tmp_path / "whole.jsonl", tmp_path / "resumed.jsonl"
    command = [sys.executable, "-m", "misconduct_tagger.cli", "tag", str(source), "--quiet", "--allow-errors"]
    subprocess.run(command + ["-o", str(whole)], check=True, capture_output=True)

    partial = resumed.with_name(resumed.name + ".partial")
    process = subprocess.Popen(command + ["-o", str(resumed)], stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and (not partial.exists() or partial.stat().st_size < 8_000):
        time.sleep(0.01)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert not resumed.exists()
    done = len(partial.read_text(encoding="utf-8").splitlines()) - 1  # the header
    assert 0 < done < 1500

    finished = subprocess.run(command + ["-o", str(resumed), "--resume"], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert f"already done {done}" in finished.stderr
    assert resumed.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    assert not partial.exists()


@pytest.mark.parametrize("option", ["--jobs", "--batch-size"])
def test_a_count_below_one_is_a_usage_error_naming_the_option(tmp_path, capsys, option):
    source = tmp_path / "in.txt"
    source.write_text("值班期间回家睡觉\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["tag", str(source), "-o", str(tmp_path / "out.jsonl"), option, "0"])
    assert stop.value.code == 2
    assert option in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()
