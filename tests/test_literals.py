import re

from hypothesis import given
from hypothesis import strategies as st

from misconduct_tagger.rules import RuleEngine
from misconduct_tagger.rules.literals import trigger_literals
from misconduct_tagger.text import normalize_text

PATTERNS = [
    "(值班|值守)(期间|时)[^。]{0,8}(回家|外出)",
    "(?<!不)属实",
    "擅自(离岗)?外出",
    "[给交送]钱",
    "(a|b)?c+d",
    "x(?=y)z?",
    "(?:甲乙|丙)+丁",
]


def test_known_literals():
    assert trigger_literals(["擅自(离岗)?外出"]) in ({"擅自"}, {"外出"})
    assert trigger_literals(["(值班|值守)期间"]) in ({"值班", "值守"}, {"期间"})
    assert trigger_literals(["[给交送]钱"]) in ({"钱"}, {"给", "交", "送"})
    assert trigger_literals(["(?:a)?"]) is None
    assert trigger_literals(["值班", "[^。]{2}"]) is None


@given(st.sampled_from(PATTERNS), st.text(alphabet="值班守期间时回家外出不属实擅自离岗给交送钱abcdxyz甲乙丙丁。", max_size=40))
def test_a_text_without_the_literals_never_matches(pattern, text):
    literals = trigger_literals([pattern])
    if re.search(pattern, text):
        assert literals is None or any(literal in text for literal in literals)


def test_the_engine_runs_every_shipped_regex_that_matches_an_example():
    engine = RuleEngine.load()
    examples = [normalize_text(e.text) for rule in engine.rules for group in rule.examples.values() for e in group]
    for text in examples:
        triggered = set(engine._triggered(text))
        for index, (rule, regex) in enumerate(engine._regexes):
            if regex.search(text):
                assert index in triggered, (rule.id, text)
