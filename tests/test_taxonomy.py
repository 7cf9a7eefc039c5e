import pytest

from misconduct_tagger.errors import DataFileError
from misconduct_tagger.taxonomy import default_taxonomy, load_taxonomy

GUIDE_IDS = [
    "concealment", "leaving_post", "delay", "desertion", "perfunctory", "falsification", "feigned_compliance",
    "inaction", "reckless_action", "buck_passing", "formalism", "dereliction", "misappropriation", "extortion",
]


def test_shipped_taxonomy_has_the_fourteen_categories_of_the_guide():
    taxonomy = default_taxonomy()
    assert list(taxonomy.ids) == GUIDE_IDS
    assert taxonomy["leaving_post"].name == "擅离职守"
    assert taxonomy["extortion"].name == "吃拿卡要"
    assert all(c.definition and c.gloss and c.group for c in taxonomy)


def test_unknown_id_lookup_names_the_known_ids():
    with pytest.raises(KeyError, match="concealment"):
        default_taxonomy()["bribery"]


def _write(tmp_path, text):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = "  - {id: a, name: 甲, gloss: g, group: x, definition: d}\n"


@pytest.mark.parametrize(
    "body, key, message",
    [
        ("categories:\n  - {id: a, name: 甲, gloss: g, group: x}\n", "categories[0].definition", "missing"),
        ("categories:\n" + ENTRY + ENTRY, "categories[1].id", "duplicate"),
        ("categories:\n  - {id: a, name: 甲, gloss: g, group: x, definition: d, colour: red}\n", "categories[0]", "unknown field"),
        ("categories: {}\n", "categories", "expected"),
        ("categories: []\n", "categories", "no categories"),
    ],
)
def test_malformed_taxonomy_names_file_and_key(tmp_path, body, key, message):
    path = _write(tmp_path, body)
    with pytest.raises(DataFileError) as info:
        load_taxonomy(path)
    assert info.value.key == key
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_invalid_yaml_names_file_and_line(tmp_path):
    path = _write(tmp_path, "categories:\n  - id: a\n   name: [\n")
    with pytest.raises(DataFileError) as info:
        load_taxonomy(path)
    assert str(path) in str(info.value) and info.value.line is not None


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_taxonomy(tmp_path / "nope.yaml")
