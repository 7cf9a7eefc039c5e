"""The HTTP service and review queue (misconduct_tagger.service), through FastAPI's test client."""

import json
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("fastapi", reason="the service needs the 'serve' extra (make test installs it)")
with warnings.catch_warnings():  # Starlette's notice that its test client will move to httpx2
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient  # noqa: E402

from misconduct_tagger.cli import main  # noqa: E402
from misconduct_tagger.io.labelled import read_labelled, read_labelled_files  # noqa: E402
from misconduct_tagger.service import create_app  # noqa: E402
from misconduct_tagger.service.app import MAX_BATCH, MAX_BODY_BYTES, MAX_TEXT_CHARS  # noqa: E402
from misconduct_tagger.service.guards import PAGE_COOKIE  # noqa: E402
from misconduct_tagger.service.review import CorrectionLog, read_queue  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [json.loads(line) for line in (ROOT / "examples" / "reports.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
LABELLED = [json.loads(line) for line in (ROOT / "examples" / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
TOKEN = "t0ken-for-the-test-suite-only"
DIRECTIVE = "各级干部严禁擅离职守、临阵脱逃，严禁向服务对象索要财物，违者一律严肃追究责任。"


@pytest.fixture(scope="module")
def client(loaded_tagger):
    return TestClient(create_app(loaded_tagger))


def as_json(data):
    return json.loads(json.dumps(data, ensure_ascii=False))


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# ---- tagging

def test_health_names_the_versions(client, loaded_tagger):
    reply = client.get("/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "versions": loaded_tagger.versions}


def test_one_text_gives_exactly_what_the_library_gives(client, loaded_tagger):
    for record in EXAMPLES[:6]:
        reply = client.post("/v1/tag", json={"text": record["text"]})
        assert reply.status_code == 200
        assert reply.json() == as_json(loaded_tagger.tag(record["text"]).to_dict())
    assert any(client.post("/v1/tag", json={"text": r["text"]}).json()["labels"] for r in EXAMPLES[:3])


def test_a_batch_is_tagged_as_one_batch_in_order(client, loaded_tagger, monkeypatch):
    texts = [r["text"] for r in EXAMPLES] + ["", DIRECTIVE]
    calls = []
    tag_many = loaded_tagger.tag_many

    def spy(batch, *args, **kwargs):
        calls.append(list(batch))
        return tag_many(calls[-1], *args, **kwargs)

    monkeypatch.setattr(loaded_tagger, "tag_many", spy)
    reply = client.post("/v1/tag", json={"texts": texts})
    assert reply.status_code == 200
    assert calls == [texts]
    expected = [as_json(loaded_tagger.tag(text).to_dict()) for text in texts]
    assert reply.json() == {"results": expected}


@pytest.mark.parametrize("body, status, field", [
    (b'{"text": "\xe5\x80\xbc\xe7\x8f\xad', 400, "body"),
    (b"{oops}", 400, "body"),
    (b"\xff\xfe\x00", 400, "body"),
    (b"[1, 2]", 422, "body"),
    (b"null", 422, "body"),
    (b"{}", 422, "text"),
    (b'{"text": 7}', 422, "text"),
    (b'{"text": null, "texts": null}', 422, "text"),
    (b'{"text": "a", "texts": ["b"]}', 422, "text"),
    (b'{"texts": "not a list"}', 422, "texts"),
    (b'{"texts": ["ok", {"x": 1}]}', 422, "texts[1]"),
    (b'{"text": "a", "lang": "zh"}', 422, "lang"),
    (b'{"text": "\\ud800"}', 422, "text"),
])
def test_bad_bodies_get_a_json_error_naming_the_field(client, body, status, field):
    reply = client.post("/v1/tag", content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == status, reply.text
    data = reply.json()
    assert data["field"] == field and data["message"].startswith(f"{field}:")


def test_a_body_that_is_not_json_is_415(client):
    reply = client.post("/v1/tag", content=b"text=abc", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 415 and reply.json()["field"] == "Content-Type"


def test_limits_are_413_naming_the_field(client):
    too_long = client.post("/v1/tag", json={"text": "值" * (MAX_TEXT_CHARS + 1)})
    assert too_long.status_code == 413 and too_long.json()["field"] == "text"
    in_batch = client.post("/v1/tag", json={"texts": ["短", "值" * (MAX_TEXT_CHARS + 1)]})
    assert in_batch.status_code == 413 and in_batch.json()["field"] == "texts[1]"
    assert client.post("/v1/tag", json={"text": "值" * MAX_TEXT_CHARS}).status_code == 200
    many = client.post("/v1/tag", json={"texts": ["a"] * (MAX_BATCH + 1)})
    assert many.status_code == 413 and many.json()["field"] == "texts"


def test_a_body_over_a_megabyte_is_413_by_header_and_by_size(client):
    big = json.dumps({"text": "a" * MAX_BODY_BYTES}).encode()
    declared = client.post("/v1/tag", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.json()["field"] == "body"

    def chunks():  # no Content-Length: sent chunked, counted as it arrives
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"a" * 65536
        yield b'"}'

    streamed = client.post("/v1/tag", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["field"] == "body"
    lying = client.post("/v1/tag", content=b'{"text": "a"}', headers={"Content-Type": "application/json",
                                                                      "Content-Length": "many"})
    assert lying.status_code == 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


@given(st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["text", "texts", "id", "labels"]), json_values, max_size=3)
      .map(lambda v: json.dumps(v).encode()),
    st.text(max_size=60).map(lambda t: json.dumps({"text": t}).encode()),
    st.lists(st.text(max_size=20), max_size=5).map(lambda ts: json.dumps({"texts": ts}).encode()),
))
def test_no_client_input_is_a_server_error(client, body):
    reply = client.post("/v1/tag", content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code in (200, 400, 413, 422), (body, reply.text)
    data = reply.json()
    if reply.status_code != 200:
        assert data["message"] and data["field"]


# ---- the token

def test_without_a_token_on_the_line_every_request_is_refused(loaded_tagger):
    client = TestClient(create_app(loaded_tagger, token=TOKEN))
    for method, path in [("get", "/health"), ("get", "/"), ("get", "/static/review.js"), ("get", "/docs"),
                         ("get", "/openapi.json"), ("get", "/v1/taxonomy"), ("post", "/v1/tag")]:
        reply = getattr(client, method)(path)
        assert reply.status_code == 401, path
        assert reply.json()["field"] == "Authorization"
        wrong = getattr(client, method)(path, headers={"Authorization": "Bearer " + TOKEN[:-1] + "X"})
        assert wrong.status_code == 401, path
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/health", headers=good).status_code == 200
    assert client.post("/v1/tag", json={"text": DIRECTIVE}, headers=good).status_code == 200
    assert client.get("/docs", headers=good).status_code == 200


def test_the_page_takes_the_token_once_and_the_api_still_needs_the_header(loaded_tagger):
    client = TestClient(create_app(loaded_tagger, token=TOKEN))
    assert client.get("/", params={"token": "wrong-token-wrong-token"}).status_code == 401
    opened = client.get("/", params={"token": TOKEN})
    assert opened.status_code == 200 and "review.js" in opened.text
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith(f"{PAGE_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert TOKEN not in cookie  # the cookie is derived from the token and opens the page only
    # The client now holds the cookie: the page and its files load, the API does not.
    assert client.get("/").status_code == 200
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/health").status_code == 401
    assert client.post("/v1/tag", json={"text": "a"}).status_code == 401
    client.cookies.clear()  # the query opens the page itself only, not its files
    assert client.get("/static/review.js", params={"token": TOKEN}).status_code == 401


def test_loopback_hosts_only_when_asked(loaded_tagger):
    client = TestClient(create_app(loaded_tagger, allowed_hosts=["127.0.0.1", "localhost"]),
                        base_url="http://127.0.0.1:8765")
    assert client.get("/health").status_code == 200
    assert client.get("/health", headers={"Host": "attacker.example"}).status_code == 400


# ---- the page

def test_the_page_and_its_files_come_from_the_package_only(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    for name, kind in [("review.js", "javascript"), ("style.css", "text/css")]:
        reply = client.get(f"/static/{name}")
        assert reply.status_code == 200 and kind in reply.headers["content-type"]
    for probe in ["/static/index.html.bak", "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/app.py",
                  "/static/../app.py", "/static/review.js%00", "/static/app.py"]:
        assert client.get(probe).status_code == 404, probe


def test_the_script_builds_the_dom_from_text_only(client):
    script = client.get("/static/review.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "<script>" not in client.get("/").text  # no inline script: the CSP allows files only


def test_taxonomy_gives_names_and_distinct_colours(client, loaded_tagger):
    categories = client.get("/v1/taxonomy").json()["categories"]
    assert [c["id"] for c in categories] == list(loaded_tagger.taxonomy.ids)
    assert categories[0]["name"] == loaded_tagger.taxonomy.categories[0].name
    assert len({c["colour"] for c in categories}) == len(categories)


# ---- the review queue

@pytest.fixture
def queue_files(tmp_path):
    records = [{"id": "directive", "text": DIRECTIVE, "style": "directive"}]
    records += [{"id": r["id"], "text": r["text"]} for r in EXAMPLES[:5]]
    records += [{"id": r["id"], "text": r["text"], "gold": r["labels"]} for r in LABELLED[:6]]
    return write_jsonl(tmp_path / "queue.jsonl", records), tmp_path / "out" / "corrections.jsonl"


def test_the_queue_puts_the_most_uncertain_first(loaded_tagger, queue_files):
    queue, corrections = queue_files
    client = TestClient(create_app(loaded_tagger, review=queue, corrections=corrections))
    state = client.get("/v1/review").json()
    assert state == {"total": 12, "decided": 0, "first_open": 0}
    items = [client.get(f"/v1/review/items/{i}").json() for i in range(12)]
    uncertainty = [item["uncertainty"] for item in items]
    assert uncertainty == sorted(uncertainty, reverse=True)
    texts = [item["text"] for item in items]
    analyses = loaded_tagger.analyse_many(texts)
    rules = loaded_tagger.decide_many(analyses, "rules")
    model = loaded_tagger.decide_many(analyses, "model")
    disagree = [set(r.label_ids) != set(m.label_ids) for r, m in zip(rules, model)]
    assert any(disagree) and not all(disagree)
    assert disagree == sorted(disagree, reverse=True)  # every disagreement before every agreement
    assert all(item["uncertainty"] == 1.0 for item, d in zip(items, disagree) if d)
    directive = next(item for item in items if item["id"] == "directive")
    assert items.index(directive) >= len(items) - 3  # no rule hit, every probability well below its threshold
    assert items[0]["result"] == as_json(loaded_tagger.tag(items[0]["text"]).to_dict())
    assert client.get("/v1/review/items/12").status_code == 404


def test_a_decision_is_written_at_once_in_the_training_format(loaded_tagger, queue_files):
    queue, corrections = queue_files
    client = TestClient(create_app(loaded_tagger, review=queue, corrections=corrections))
    positions = {client.get(f"/v1/review/items/{i}").json()["id"]: i for i in range(12)}
    item = client.get(f"/v1/review/items/{positions['directive']}").json()
    reply = client.post(f"/v1/review/items/{positions['directive']}/decision",
                        json={"id": "directive", "labels": ["leaving_post", "concealment"], "reviewer": "张三"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["decided"] == 1
    [line] = corrections.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert list(record) == ["id", "text", "labels", "style", "reviewed_by", "reviewed_at", "tagger_labels", "versions"]
    assert record["id"] == "directive" and record["text"] == DIRECTIVE
    assert record["labels"] == ["concealment", "leaving_post"]  # taxonomy order
    assert record["style"] == "directive" and record["reviewed_by"] == "张三"
    assert record["reviewed_at"].endswith("+00:00")
    assert record["tagger_labels"] == [label["id"] for label in item["result"]["labels"]]
    assert record["versions"] == loaded_tagger.versions
    # The file reads as training data.
    [report] = read_labelled(corrections)
    assert report.labels == {"concealment", "leaving_post"} and report.style == "directive"

    first = positions[EXAMPLES[0]["id"]]
    accepted = client.post(f"/v1/review/items/{first}/decision", json={"id": EXAMPLES[0]["id"], "labels": []})
    assert accepted.status_code == 200 and "reviewed_by" not in accepted.json()["record"]
    again = client.post(f"/v1/review/items/{first}/decision", json={"id": EXAMPLES[0]["id"], "labels": ["delay"]})
    assert again.status_code == 409 and again.json()["field"] == "id"
    other = client.post(f"/v1/review/items/{first}/decision", json={"id": "someone-else", "labels": []})
    assert other.status_code == 409
    unknown = client.post(f"/v1/review/items/{positions['directive'] ^ 1}/decision",
                          json={"id": client.get(f"/v1/review/items/{positions['directive'] ^ 1}").json()["id"],
                                "labels": ["not_a_category"]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "labels"
    assert client.post("/v1/review/items/0/decision", json={"labels": []}).json()["field"] == "id"
    assert client.post("/v1/review/items/-1/decision", json={"id": "x", "labels": []}).status_code == 422
    assert len(corrections.read_text(encoding="utf-8").splitlines()) == 2


def test_a_restart_skips_what_was_decided_and_survives_a_torn_line(loaded_tagger, queue_files):
    queue, corrections = queue_files
    client = TestClient(create_app(loaded_tagger, review=queue, corrections=corrections))
    first = client.get("/v1/review/items/0").json()
    assert client.post("/v1/review/items/0/decision", json={"id": first["id"], "labels": []}).status_code == 200
    with corrections.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "torn", "text": "被杀掉时写了一半')  # a kill in the middle of a write
    restarted = TestClient(create_app(loaded_tagger, review=queue, corrections=corrections))
    assert restarted.get("/v1/review").json() == {"total": 12, "decided": 1, "first_open": 1}
    assert restarted.get("/v1/review/items/0").json()["decision"] == []
    second = restarted.get("/v1/review/items/1").json()
    assert restarted.post("/v1/review/items/1/decision", json={"id": second["id"], "labels": []}).status_code == 200
    assert [json.loads(line)["id"] for line in corrections.read_text(encoding="utf-8").splitlines()] == [
        first["id"], second["id"]]


def test_a_tag_output_is_a_queue_its_texts_read_back_from_the_inputs(tmp_path, loaded_tagger):
    inputs = write_jsonl(tmp_path / "in.jsonl", EXAMPLES[:3])
    tag_output = write_jsonl(tmp_path / "tagged.jsonl", [
        {"id": EXAMPLES[0]["id"], "source": f"{inputs}:1", "labels": [], "scores": {}, "evidence": [], "error": None},
        {"id": "bad", "source": f"{inputs}:9", "labels": [], "scores": {}, "evidence": [], "error": "not JSON"},
        {"id": EXAMPLES[2]["id"], "source": "in.jsonl:3", "labels": [], "scores": {}, "evidence": [], "error": None},
    ])
    records = read_queue(tag_output)
    assert [(r.id, r.text) for r in records] == [(EXAMPLES[0]["id"], EXAMPLES[0]["text"]),
                                                (EXAMPLES[2]["id"], EXAMPLES[2]["text"])]
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"id": "x", "source": "missing.jsonl:1"}])
    with pytest.raises(Exception, match="missing.jsonl"):
        read_queue(broken)


def test_a_queue_needs_its_corrections_file(loaded_tagger, queue_files):
    with pytest.raises(ValueError):
        create_app(loaded_tagger, review=queue_files[0])


def test_without_a_queue_the_review_api_says_how_to_get_one(client):
    reply = client.get("/v1/review")
    assert reply.status_code == 404 and "--review" in reply.json()["message"]


def test_a_corrupt_corrections_file_is_refused(tmp_path):
    path = tmp_path / "corrections.jsonl"
    path.write_text('{"id": "a", "text": "t", "labels": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"corrections.jsonl:2"):
        CorrectionLog(path)


# ---- the command line

def test_serve_refuses_other_hosts_without_a_token(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "without a token" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--token", "short"]) == 2
    assert "at least 16 characters" in capsys.readouterr().err
    assert main(["serve", "--review", "queue.jsonl"]) == 2
    assert "--corrections" in capsys.readouterr().err


def test_serve_without_the_extra_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "fastapi", None)  # import fastapi now raises ImportError
    assert main(["serve"]) == 2
    assert "pip install 'misconduct-tagger[serve]'" in capsys.readouterr().err


# ---- corrections back into training

def test_later_files_override_earlier_ids(tmp_path):
    first = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": "甲", "labels": ["delay"]},
                                              {"id": "2", "text": "乙", "labels": []}])
    second = write_jsonl(tmp_path / "b.jsonl", [{"id": "2", "text": "乙", "labels": ["inaction"]},
                                               {"id": "3", "text": "丙", "labels": []}])
    reports, overrides = read_labelled_files([first, second])
    assert [(r.id, set(r.labels)) for r in reports] == [("1", {"delay"}), ("2", {"inaction"}), ("3", set())]
    assert [(o.id, o.earlier.name, o.later.name) for o in overrides] == [("2", "a.jsonl", "b.jsonl")]


def test_train_takes_the_corrections_file_beside_the_others(tmp_path, capsys):
    reports = read_labelled(ROOT / "data" / "train.jsonl")[::12]
    sample = write_jsonl(tmp_path / "sample.jsonl",
                         [{"id": r.id, "text": r.text, "labels": sorted(r.labels)} for r in reports])
    corrected = reports[0]
    corrections = write_jsonl(tmp_path / "corrections.jsonl", [
        {"id": corrected.id, "text": corrected.text, "labels": ["delay"], "reviewed_at": "2026-12-06T03:00:00+00:00",
         "tagger_labels": sorted(corrected.labels), "versions": {}},
        {"id": "review-new-1", "text": DIRECTIVE, "labels": [], "style": "directive",
         "reviewed_at": "2026-12-06T03:01:00+00:00", "tagger_labels": [], "versions": {}},
    ])
    assert main(["train", str(sample), str(corrections), "-o", str(tmp_path / "model"), "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert f"{corrections}: 1 report(s) replace those with the same id in {sample}: {corrected.id}" in captured.err
    assert f"trained on {len(reports) + 1} reports" in captured.out
    card = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    data = card["training_data"]
    assert data["path"] == "sample.jsonl+corrections.jsonl"
    assert [f["path"] for f in data["files"]] == ["sample.jsonl", "corrections.jsonl"]
    import hashlib

    assert data["sha256"] == hashlib.sha256(sample.read_bytes() + corrections.read_bytes()).hexdigest()
    assert data["files"][1]["sha256"] == hashlib.sha256(corrections.read_bytes()).hexdigest()
    assert card["metrics"]["n_reports"] == len(reports) + 1


def test_the_access_log_never_shows_the_token():
    import logging

    from misconduct_tagger.service.cli import RedactToken

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", f"/?token={TOKEN}&x=1", "1.1", 200), None)
    assert RedactToken().filter(record)
    assert TOKEN not in record.getMessage() and "/?token=***&x=1" in record.getMessage()


def test_the_api_docs_are_served_without_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    script = client.get("/static/swagger-ui-bundle.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert client.get("/openapi.json").json()["paths"]["/v1/tag"]
