import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from misconduct_tagger.text import _normalize_by_unit, normalize, normalize_text


def test_full_width_letters_digits_and_punctuation_fold():
    assert normalize_text("ＡＢＣ１２３") == "ABC123"
    assert normalize_text("值班期间,回家睡觉!") == "值班期间，回家睡觉！"
    assert normalize_text("值班期间，回家睡觉！") == "值班期间，回家睡觉！"


def test_traditional_becomes_simplified():
    assert normalize_text("擅離職守") == "擅离职守"
    assert normalize_text("瞞報謊報") == "瞒报谎报"
    assert normalize_text("黑龍江某縣") == "黑龙江某县"


def test_whitespace_runs_fold_and_invisible_characters_drop():
    norm = normalize("值班\u3000\u3000期间\n\n回家\u200b睡觉")
    assert norm.text == "值班 期间 回家睡觉"
    assert norm.to_original(2, 3) == (2, 4)  # the folded space covers both ideographic spaces
    start, end = norm.to_original(8, 10)
    assert norm.original[start:end] == "睡觉"


def test_offsets_point_into_the_original():
    original = "某縣幹部擅離職守，ＡＢ"
    norm = normalize(original)
    i = norm.text.index("擅离职守")
    start, end = norm.to_original(i, i + 4)
    assert original[start:end] == "擅離職守"
    j = norm.text.index("AB")
    assert original[slice(*norm.to_original(j, j + 2))] == "ＡＢ"


def test_combining_marks_stay_with_their_base():
    norm = normalize("cafe\u0301 值班")
    assert norm.text.startswith("café")
    assert norm.to_original(3, 4) == (3, 5)


def test_non_string_input_is_a_type_error():
    try:
        normalize(b"bytes")
    except TypeError as exc:
        assert "bytes" in str(exc)
    else:
        raise AssertionError("no TypeError")


@given(st.text())
def test_every_mapped_span_lies_inside_the_original(text):
    norm = normalize(text)
    n = len(norm.text)
    assert len(norm.starts) == len(norm.ends) == n
    previous_end = 0
    for i in range(n):
        start, end = norm.to_original(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert start >= previous_end or norm.starts[i] == norm.starts[i - 1]
        previous_end = end
    for a in range(0, n + 1, max(1, n // 7 or 1)):
        for b in range(a, n + 1, max(1, n // 5 or 1)):
            start, end = norm.to_original(a, b)
            assert 0 <= start <= end <= len(text)


# Characters whose normalisation does not depend on their neighbours.
ALPHABET = st.sampled_from(
    list("abcXYZ019.,;:!?()-") + list("ＡＢ１２，！？（）")
    + list("值班期间擅离职守瞒报回家睡觉某县") + list("擅離職守瞞報縣幹")
    + [" ", "\n", "\u3000", "\t", "\u200b", "\u0301", "\x07"]
)


@given(st.lists(ALPHABET, max_size=60).map("".join), st.data())
def test_spans_round_trip(text, data):
    norm = normalize(text)
    n = len(norm.text)
    a = data.draw(st.integers(0, n))
    b = data.draw(st.integers(a, n))
    start, end = norm.to_original(a, b)
    piece = normalize(text[start:end]).text
    expected = norm.text[a:b]
    if a == b:
        assert start == end
        return
    # A span that cuts one original character's output (a base and its combining mark) maps to the
    # whole character; a slice cut inside a whitespace run can fold to one space more or less.
    cut = any(0 < i < n and norm.starts[i] == norm.starts[i - 1] for i in (a, b))
    if cut:
        assert expected.strip(" ") in piece
    else:
        assert piece.strip(" ") == expected.strip(" ")


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_normalisation_is_idempotent_on_its_output(text):
    once = normalize(text).text
    assert normalize(once).text == once
    assert unicodedata.is_normalized("NFKC", once.translate({0xFF0C: ",", 0xFF1B: ";", 0xFF1A: ":", 0xFF01: "!", 0xFF1F: "?", 0xFF08: "(", 0xFF09: ")"}))


@given(st.one_of(st.text(), st.lists(ALPHABET, max_size=60).map("".join)))
def test_the_one_for_one_shortcut_agrees_with_the_full_procedure(text):
    shortcut, full = normalize(text), _normalize_by_unit(text)
    assert shortcut.text == full.text
    assert list(shortcut.starts) == list(full.starts) and list(shortcut.ends) == list(full.ends)
