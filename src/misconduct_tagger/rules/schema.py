"""What a rule file may say, and the errors it gets: each names the file, the rule id and the field."""

from __future__ import annotations

import hashlib
import re
import re._constants as sre_constants
import re._parser as sre_parse
from dataclasses import dataclass, field
from pathlib import Path

from ..datafile import read_yaml
from ..errors import DataFileError, MisconductTaggerError
from ..taxonomy import Taxonomy, default_taxonomy
from ..text import normalize_text

KINDS = ("phrase", "regex", "tokens")
EXAMPLE_KINDS = ("match", "no_match", "todo_match", "todo_no_match")
RULE_KEYS = {"id", "category", "kind", "patterns", "weight", "near", "unless", "examples", "description"}
WINDOW_KEYS = {"any", "within"}
SCOPES = ("clause", "sentence")
ASSERTION_NAMES = ("affirmed", "alleged", "negated", "directive")
MIN_EXAMPLES = 2
ID_PATTERN = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
# Files under rules/ that are not rule files.
NON_RULE_FILES = {"taxonomy.yaml", "context.yaml"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rule file."""

    path: Path
    message: str
    rule_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.rule_id:
            where += f" rule {self.rule_id}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.message}"


class RuleSetError(MisconductTaggerError, ValueError):
    """The ruleset cannot be used; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the rules:\n{lines}")


@dataclass(frozen=True)
class Example:
    text: str
    assertion: str | None = None


@dataclass(frozen=True)
class Window:
    """Regexes that must (near) or must not (unless) occur around a match."""

    patterns: tuple[str, ...]
    within: str | int


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    kind: str
    patterns: tuple
    weight: float
    source: Path
    near: Window | None = None
    unless: Window | None = None
    examples: dict[str, tuple[Example, ...]] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    directory: Path
    digest: str

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


def ruleset_digest(directory: Path) -> str:
    """A short SHA-256 over the rules folder's files, so a result names the ruleset it came from. Its
    Markdown files are documentation: editing them changes no result, so it asks for no retraining."""
    sha = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix != ".md"):
        sha.update(path.relative_to(directory).as_posix().encode())
        sha.update(b"\0")
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def nested_quantifier(pattern: str) -> bool:
    """True when a repeated group itself holds a repeat: the shape behind catastrophic backtracking."""

    def walk(items, inside_repeat: bool) -> bool:
        for op, av in items:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
                low, high, sub = av
                repeats = high is sre_constants.MAXREPEAT or high > 1
                if inside_repeat and repeats:
                    return True
                if walk(sub, inside_repeat or repeats):
                    return True
            elif op is sre_constants.SUBPATTERN:
                if walk(av[3], inside_repeat):
                    return True
            elif op is sre_constants.BRANCH:
                if any(walk(branch, inside_repeat) for branch in av[1]):
                    return True
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.ATOMIC_GROUP):
                sub = av[1] if op is not sre_constants.ATOMIC_GROUP else av
                if walk(sub, inside_repeat):
                    return True
        return False

    return walk(sre_parse.parse(pattern), False)


def check_regex(pattern: object) -> str | None:
    """Why `pattern` is not an acceptable regex, or None."""
    if not isinstance(pattern, str) or not pattern:
        return "a pattern must be a non-empty string"
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"invalid regex {pattern!r}: {exc}"
    if compiled.match(""):
        return f"regex {pattern!r} matches the empty string"
    if nested_quantifier(pattern):
        return f"regex {pattern!r} nests quantifiers (catastrophic backtracking); bound the inner repeat"
    return None


class _Reader:
    """Reads one rule file, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, taxonomy: Taxonomy, problems: list[Problem]):
        self.path = path
        self.taxonomy = taxonomy
        self.problems = problems

    def problem(self, message: str, rule_id: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(self.path, message, rule_id, field))

    def read(self) -> list[Rule]:
        try:
            data = read_yaml(self.path)
        except DataFileError as exc:
            where = f" (line {exc.line})" if exc.line else ""
            self.problem(f"{exc.message}{where}")
            return []
        if not isinstance(data, dict):
            self.problem("a rule file must be a mapping with 'category' and 'rules'")
            return []
        unknown = set(data) - {"category", "rules", "description"}
        if unknown:
            self.problem(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
        category = data.get("category")
        if category not in self.taxonomy:
            self.problem(f"unknown category {category!r}", field="category")
        entries = data.get("rules")
        if not isinstance(entries, list) or not entries:
            self.problem("'rules' must be a non-empty list", field="rules")
            return []
        rules = []
        for index, entry in enumerate(entries):
            rule = self.read_rule(entry, index, category)
            if rule is not None:
                rules.append(rule)
        return rules

    def read_rule(self, entry: object, index: int, file_category: object) -> Rule | None:
        if not isinstance(entry, dict):
            self.problem("a rule must be a mapping", field=f"rules[{index}]")
            return None
        rule_id = entry.get("id")
        if not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id):
            self.problem(f"id {rule_id!r} must look like 'category.name'", field=f"rules[{index}].id")
            rule_id = f"rules[{index}]"
        ok = True

        def bad(message: str, field: str) -> None:
            nonlocal ok
            ok = False
            self.problem(message, rule_id, field)

        unknown = set(entry) - RULE_KEYS
        if unknown:
            bad(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}", "keys")
        category = entry.get("category", file_category)
        if category not in self.taxonomy:
            bad(f"unknown category {category!r}", "category")
        elif category != file_category:
            bad(f"category {category!r} differs from the file's {file_category!r}", "category")
        kind = entry.get("kind")
        if kind not in KINDS:
            bad(f"kind must be one of {', '.join(KINDS)}, not {kind!r}", "kind")
        patterns = self.read_patterns(entry.get("patterns"), kind, bad)
        weight = entry.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            bad(f"weight must be a number in (0, 1], not {weight!r}", "weight")
        near = self.read_window(entry.get("near"), "near", "sentence", bad)
        unless = self.read_window(entry.get("unless"), "unless", "clause", bad)
        examples = self.read_examples(entry.get("examples"), bad)
        description = entry.get("description", "")
        if not ok:
            return None
        return Rule(
            id=rule_id,
            category=category,
            kind=kind,
            patterns=patterns,
            weight=float(weight),
            source=self.path,
            near=near,
            unless=unless,
            examples=examples,
            description=str(description),
        )

    def read_patterns(self, patterns: object, kind: object, bad) -> tuple:
        if not isinstance(patterns, list) or not patterns:
            bad("patterns must be a non-empty list", "patterns")
            return ()
        result = []
        for i, pattern in enumerate(patterns):
            where = f"patterns[{i}]"
            if kind == "phrase":
                if not isinstance(pattern, str) or not pattern.strip():
                    bad("a phrase must be a non-empty string", where)
                    continue
                result.append(normalize_text(pattern.strip()))
            elif kind == "regex":
                reason = check_regex(pattern)
                if reason:
                    bad(reason, where)
                    continue
                result.append(pattern)
            elif kind == "tokens":
                if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) and t for t in pattern):
                    bad("a tokens pattern must be a non-empty list of token-attribute mappings", where)
                    continue
                result.append(pattern)
        if kind == "regex" and len(result) == len(patterns):
            try:
                re.compile("|".join(f"(?P<p{i}>{p})" for i, p in enumerate(result)))
            except re.error as exc:
                bad(f"the patterns cannot be joined into one regex (the engine matches them together): {exc}",
                    "patterns")
        return tuple(result)

    def read_window(self, value: object, name: str, default_scope: str, bad) -> Window | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            bad("must be a mapping with 'any' and optional 'within'", name)
            return None
        unknown = set(value) - WINDOW_KEYS
        if unknown:
            bad(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}", name)
        patterns = value.get("any")
        if not isinstance(patterns, list) or not patterns:
            bad("'any' must be a non-empty list of regexes", f"{name}.any")
            return None
        for i, pattern in enumerate(patterns):
            reason = check_regex(pattern)
            if reason:
                bad(reason, f"{name}.any[{i}]")
        within = value.get("within", default_scope)
        if not (within in SCOPES or (isinstance(within, int) and not isinstance(within, bool) and within > 0)):
            bad(f"within must be clause, sentence or a positive number of characters, not {within!r}", f"{name}.within")
        return Window(tuple(str(p) for p in patterns), within)

    def read_examples(self, value: object, bad) -> dict[str, tuple[Example, ...]]:
        if not isinstance(value, dict):
            bad("examples must be a mapping with match and no_match lists", "examples")
            return {}
        unknown = set(value) - set(EXAMPLE_KINDS)
        if unknown:
            bad(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}", "examples")
        result: dict[str, tuple[Example, ...]] = {}
        for kind in EXAMPLE_KINDS:
            items = value.get(kind) or []
            if not isinstance(items, list):
                bad("must be a list", f"examples.{kind}")
                continue
            parsed = []
            for i, item in enumerate(items):
                where = f"examples.{kind}[{i}]"
                if isinstance(item, str) and item.strip():
                    parsed.append(Example(item))
                elif isinstance(item, dict) and isinstance(item.get("text"), str) and set(item) <= {"text", "assertion"}:
                    assertion = item.get("assertion")
                    if assertion is not None and assertion not in ASSERTION_NAMES:
                        bad(f"assertion must be one of {', '.join(ASSERTION_NAMES)}", where)
                        continue
                    parsed.append(Example(item["text"], assertion))
                else:
                    bad("an example is a sentence or a mapping with 'text' and optional 'assertion'", where)
            result[kind] = tuple(parsed)
        for kind in ("match", "no_match"):
            if len(result.get(kind, ())) < MIN_EXAMPLES:
                bad(f"needs at least {MIN_EXAMPLES} examples", f"examples.{kind}")
        return result


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in NON_RULE_FILES)


def read_ruleset(directory: Path | str, taxonomy: Taxonomy | None = None) -> tuple[RuleSet, list[Problem]]:
    """Every valid rule of the folder, and every problem found on the way."""
    directory = Path(directory)
    taxonomy = taxonomy or default_taxonomy()
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem(directory, "not a folder of rule files"))
        return RuleSet((), directory, ""), problems
    files = rule_files(directory)
    if not files:
        problems.append(Problem(directory, "holds no rule files (*.yaml)"))
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in files:
        for rule in _Reader(path, taxonomy, problems).read():
            if rule.id in seen:
                problems.append(Problem(path, f"duplicate id, first defined in {seen[rule.id].name}", rule.id, "id"))
                continue
            seen[rule.id] = path
            rules.append(rule)
    return RuleSet(tuple(rules), directory, ruleset_digest(directory)), problems


def load_ruleset(directory: Path | str, taxonomy: Taxonomy | None = None) -> RuleSet:
    """The ruleset of a folder; raises RuleSetError listing every problem if any rule is invalid."""
    ruleset, problems = read_ruleset(directory, taxonomy)
    if problems:
        raise RuleSetError(problems)
    return ruleset
