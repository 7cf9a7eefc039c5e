"""The `misconduct-tagger` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from wcwidth import wcswidth

from . import __version__
from .errors import MisconductTaggerError


def _engine(rules_dir: str | None):
    from .rules import RuleEngine

    return RuleEngine.load(rules_dir)


def cmd_rules_lint(args: argparse.Namespace) -> int:
    from .errors import DataFileError
    from .resources import rules_dir
    from .rules import RuleEngine, load_context
    from .rules.harness import check_rules
    from .rules.schema import read_ruleset
    from .taxonomy import load_taxonomy

    directory = Path(args.rules_dir) if args.rules_dir else rules_dir()
    problems: list[str] = []
    taxonomy = None
    try:
        taxonomy = load_taxonomy(directory / "taxonomy.yaml") if (directory / "taxonomy.yaml").exists() else None
    except DataFileError as exc:
        problems.append(str(exc))
    ruleset, rule_problems = read_ruleset(directory, taxonomy)
    problems.extend(str(p) for p in rule_problems)
    context = None
    try:
        context = load_context(directory / "context.yaml" if (directory / "context.yaml").exists() else None)
    except DataFileError as exc:
        problems.append(str(exc))
    if context is not None and len(ruleset):
        from .nlp import load_pipeline

        engine = RuleEngine(ruleset, context, load_pipeline().vocab)
        for report in check_rules(engine):
            for failure in report.failures:
                problems.append(
                    f"{report.rule.source} rule {report.rule.id} [examples.{failure.kind}]: "
                    f"{failure.example.text!r}: {failure.explain()}"
                )
    for problem in problems:
        print(problem)
    print(f"{len(ruleset)} rules checked, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_rules_test(args: argparse.Namespace) -> int:
    from .rules.harness import check_rules

    engine = _engine(args.rules_dir)
    reports = check_rules(engine)
    failed = todo = todo_fixed = examples = 0
    for report in reports:
        examples += len(report.results)
        todo += len(report.todos)
        todo_fixed += sum(1 for r in report.todos if r.passed)
        if report.passed:
            if args.verbose:
                print(f"PASS {report.rule.id} ({len(report.results)} examples)")
            continue
        failed += 1
        print(f"FAIL {report.rule.id} ({report.rule.source.name})")
        for failure in report.failures:
            print(f"  {failure.kind}: {failure.example.text}")
            expected = f" (expected assertion {failure.example.assertion})" if failure.example.assertion else ""
            print(f"    got: {failure.explain()}{expected}")
    print(
        f"{len(reports) - failed} passed, {failed} failed: {len(reports)} rules, {examples} examples, "
        f"{todo} todo ({todo_fixed} of them now pass and can be promoted)"
    )
    return 1 if failed else 0


def cmd_rules_stats(args: argparse.Namespace) -> int:
    from .decision import rule_labels
    from .evaluation import score
    from .io.labelled import read_labelled
    from .nlp import make_docs
    from .rules.stats import rule_stats
    from .taxonomy import default_taxonomy

    labels = default_taxonomy().ids
    reports = read_labelled(args.data, set(labels))
    engine = _engine(args.rules_dir)
    hits = [engine.match(doc) for doc in make_docs(r.text for r in reports)]
    gold = [r.labels for r in reports]
    ids = [r.id for r in reports]
    print(f"{'rule':44} {'w':>4} {'hits':>5} {'cover':>6} {'prec':>5} {'overl':>6} {'confl':>6}  wrong")
    for s in rule_stats(engine.rules, hits, gold, ids):
        if args.category and s.category != args.category:
            continue
        wrong = ",".join(s.wrong_ids[:6]) + ("…" if len(s.wrong_ids) > 6 else "")
        print(f"{s.rule_id:44} {s.weight:4.2f} {s.reports:5d} {s.coverage:6.1%} {s.precision:5.2f} "
              f"{s.overlaps:6.1%} {s.conflicts:6.1%}  {wrong}")
    predicted = [rule_labels(h, args.min_weight) for h in hits]
    scores = score(gold, predicted, labels)
    print(f"\nrules alone (weight >= {args.min_weight}) on {args.data}: {len(reports)} reports")
    print(f"{'label':20} {'P':>5} {'R':>5} {'F1':>5} {'supp':>5}  missed / wrongly given")
    for s in scores.per_label:
        if args.category and s.label != args.category:
            continue
        missed = [i for i, g, p in zip(ids, gold, predicted) if s.label in g and s.label not in p]
        extra = [i for i, g, p in zip(ids, gold, predicted) if s.label not in g and s.label in p]
        print(f"{s.label:20} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f} {s.support:5d}  "
              f"{','.join(missed[:8])} / {','.join(extra[:8])}")
    print(f"micro P {scores.micro_precision:.3f} R {scores.micro_recall:.3f} F1 {scores.micro_f1:.3f}; "
          f"macro P {scores.macro_precision:.3f} R {scores.macro_recall:.3f} F1 {scores.macro_f1:.3f}; "
          f"no-label reports given a label: {scores.empty_false_positive_rate:.1%}")
    return 0


def cmd_rules_gaps(args: argparse.Namespace) -> int:
    from .decision import rule_labels
    from .io.labelled import read_labelled
    from .tagger import Tagger

    tagger = Tagger.load(args.model, rules=args.rules_dir)
    if args.category not in tagger.taxonomy:
        print(f"misconduct-tagger: error: unknown category {args.category!r}; the categories are "
              f"{', '.join(tagger.taxonomy.ids)}", file=sys.stderr)
        return 2
    reports = [r for r in read_labelled(args.data, set(tagger.taxonomy.ids)) if args.category in r.labels]
    analyses = tagger.analyse_many([r.text for r in reports])
    missed = [(r, a) for r, a in zip(reports, analyses) if args.category not in rule_labels(a.hits, args.min_weight)]
    read = tagger.model_clauses([a for _, a in missed], args.category)
    threshold = tagger.classifier.thresholds_[tagger.taxonomy.ids.index(args.category)]
    print(f"{len(reports)} reports labelled {args.category} in {args.data}; rules (weight >= {args.min_weight}) label "
          f"{len(reports) - len(missed)}; of the {len(missed)} they miss, the model reaches its threshold "
          f"({threshold:.2f}) on {sum(p >= threshold for p, _ in read)}.")
    print(f"{'report':24} {'model':>5}  clauses carrying the model's score")
    for i in sorted(range(len(missed)), key=lambda i: -read[i][0])[:args.top]:
        probability, clauses = read[i]
        print(f"{missed[i][0].id:24} {probability:5.2f}  {' | '.join(e.text for e in clauses) or '-'}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .io.labelled import read_labelled_files
    from .taxonomy import default_taxonomy
    from .training import train

    files = [Path(path) for path in args.data]
    reports, overrides = read_labelled_files(files, set(default_taxonomy().ids))
    replaced: dict[tuple[Path, Path], list[str]] = {}
    for override in overrides:
        replaced.setdefault((override.later, override.earlier), []).append(override.id)
    for (later, earlier), ids in replaced.items():
        print(f"{later}: {len(ids)} report(s) replace those with the same id in {earlier}: "
              f"{', '.join(ids[:10])}{'…' if len(ids) > 10 else ''}", file=sys.stderr)
    card = train(reports, args.output, rules=args.rules_dir, seed=args.seed, training_data=files)
    cv = card["metrics"]["cross_validation"]
    print(f"trained on {len(reports)} reports -> {args.output}")
    print(f"{cv['folds']}-fold cross-validation: macro-F1 {cv['macro_f1']:.3f}, micro-F1 {cv['micro_f1']:.3f}, "
          f"no-label reports given a label {cv['empty_false_positive_rate']:.1%}")
    for label, f1 in cv["per_label_f1"].items():
        print(f"  {label:20} F1 {f1:.3f}  threshold {card['thresholds'][label]:.3f}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .evaluation import run_modes
    from .io.labelled import read_labelled
    from .reporting import check_baseline, html_report, text_report, to_json
    from .tagger import Tagger
    from .taxonomy import default_taxonomy

    modes = ["rules", "model", "hybrid"] if args.mode == "all" else [args.mode]
    reports = read_labelled(args.data, set(default_taxonomy().ids))
    if args.cv:
        from .training import cross_validate

        evaluations = cross_validate(reports, args.cv, rules=args.rules_dir, seed=args.seed, modes=modes)
        source = f"{args.data} ({args.cv}-fold cross-validation)"
    else:
        needs_model = modes != ["rules"] or args.disagreements
        tagger = Tagger.load(args.model, rules=args.rules_dir, mode="hybrid" if needs_model else "rules")
        analyses = [tagger.analyse(r.text) for r in reports]
        evaluations = run_modes(tagger, reports, modes, analyses)
        source = args.data
        if args.disagreements:
            _write_disagreements(tagger, reports, analyses, Path(args.disagreements))
        if args.compare_rules:
            _compare_rules(args, reports, evaluations[modes[-1]], modes[-1])
    print(text_report(evaluations, source, args.max_errors))
    report = to_json(evaluations, str(source))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.html:
        Path(args.html).write_text(html_report(evaluations, str(source)), encoding="utf-8")
    if args.baseline:
        baseline = json.loads(Path(args.baseline).read_text(encoding="utf-8"))
        problems = check_baseline(report, baseline, modes[-1], args.tolerance)
        for problem in problems:
            print(f"REGRESSION ({modes[-1]}, tolerance {args.tolerance}): {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"no regression against {args.baseline} (tolerance {args.tolerance})", file=sys.stderr)
    return 0


def _write_disagreements(tagger, reports, analyses, path: Path) -> None:
    """Reports where rules alone and the model alone disagree, with both explanations: a review queue."""
    import json

    written = 0
    with path.open("w", encoding="utf-8") as handle:
        for report, by_rules, by_model in zip(reports, tagger.decide_many(analyses, "rules"),
                                              tagger.decide_many(analyses, "model")):
            if set(by_rules.label_ids) == set(by_model.label_ids):
                continue
            record = {
                "id": report.id, "text": report.text, "gold": sorted(report.labels),
                "rules": by_rules.to_dict()["labels"],
                "model": by_model.to_dict()["labels"],
                "only_rules": sorted(set(by_rules.label_ids) - set(by_model.label_ids)),
                "only_model": sorted(set(by_model.label_ids) - set(by_rules.label_ids)),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} reports where rules and model disagree -> {path}", file=sys.stderr)


def _compare_rules(args, reports, current, mode: str) -> None:
    """Which reports change labels under the old rules, and each label's F1 then and now."""
    from .evaluation import run_modes
    from .tagger import Tagger

    old_tagger = Tagger.load(args.model, rules=args.compare_rules, mode="hybrid" if mode != "rules" else "rules")
    old = run_modes(old_tagger, reports, [mode])[mode]
    changed = [(o_old, o_new) for o_old, o_new in zip(old.outcomes, current.outcomes) if o_old.predicted != o_new.predicted]
    print(f"rules {args.compare_rules} → {args.rules_dir or 'shipped rules'} ({mode}): "
          f"{len(changed)} reports change labels")
    for o_old, o_new in changed:
        print(f"  {o_new.id}: {sorted(o_old.predicted)} → {sorted(o_new.predicted)} (gold {sorted(o_new.gold)})")
    print(f"  {'label':20} {'F1 old':>7} {'F1 new':>7} {'change':>7}")
    for before, after in zip(old.scores.per_label, current.scores.per_label):
        if before.f1 != after.f1:
            print(f"  {after.label:20} {before.f1:7.3f} {after.f1:7.3f} {after.f1 - before.f1:+7.3f}")
    print(f"  {'macro F1':20} {old.scores.macro_f1:7.3f} {current.scores.macro_f1:7.3f} "
          f"{current.scores.macro_f1 - old.scores.macro_f1:+7.3f}\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from .io.readers import ReadOptions, read_inputs
    from .reporting import pad
    from .tagger import Tagger

    tagger = Tagger.load(args.model)
    counts: Counter[str] = Counter()
    records = list(read_inputs([args.data], ReadOptions()))
    good = [r for r in records if r.error is None]
    for record in records:
        if record.error:
            print(f"{record.id}: not tagged: {record.error}")
    for record, result in zip(good, tagger.tag_many(r.text for r in good)):
        counts.update(result.label_ids)
        print(f"{record.id}: {record.text[:60]}{'…' if len(record.text) > 60 else ''}")
        if not result.labels:
            print("    (no label)")
        for label in result.labels:
            spans = "; ".join(f"{e.text}[{e.start}:{e.end}]<-{e.source}" for e in label.evidence[:3])
            print(f"    {label.id} {label.name} score={label.score:.2f} {label.assertion} via {label.policy}: {spans}")
    print(f"\n{len(good)} reports tagged (rules {tagger.versions['ruleset']}, model {tagger.versions['model']})")
    for category in tagger.taxonomy:
        print(f"  {category.id:20} {pad(category.name, 18)} {counts.get(category.id, 0):3d}")
    return 1 if len(good) < len(records) else 0


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value}")
    return number


def cmd_tag(args: argparse.Namespace) -> int:
    import signal

    from .batch import StrictStop, run
    from .io.readers import ReadOptions, plan_inputs, read_inputs
    from .io.writers import check_output, partial_path
    from .reporting import label_title, pad
    from .tagger import DEFAULT_BATCH_SIZE, Tagger, freeze_loaded_objects

    output = Path(args.output)
    plan = plan_inputs(args.inputs)
    check_output(output, plan.paths())
    options = ReadOptions(text_field=args.text_field, id_field=args.id_field, text_column=args.text_column,
                          id_column=args.id_column, per_file=args.per_file, encoding=args.encoding,
                          stdin_format=args.stdin_format)
    tagger = Tagger.load(args.model, rules=args.rules_dir)
    freeze_loaded_objects()
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        progress = tqdm(unit=" records", file=sys.stderr, dynamic_ncols=True)

    def note(message: str) -> None:
        (progress.write if progress else print)(f"misconduct-tagger: {message}", file=sys.stderr)

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        summary = run(read_inputs(plan, options, note), output, tagger, jobs=args.jobs,
                      batch_size=args.batch_size if args.batch_size is not None else DEFAULT_BATCH_SIZE,
                      strict=args.strict, resume=args.resume, on_record=progress.update if progress else None)
    except StrictStop as exc:
        print(f"misconduct-tagger: stopped at the first bad record (--strict): {exc}", file=sys.stderr)
        print(f"the records before it are in {partial_path(output)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nmisconduct-tagger: interrupted; the records done so far are in {partial_path(output)}; "
              "run the same command with --resume to continue", file=sys.stderr)
        return 130
    finally:
        if progress:
            progress.close()
    files = f"; {summary.files_failed} file(s) could not be read" if summary.files_failed else ""
    print(f"read {summary.read}, tagged {summary.tagged}, failed {summary.failed}"
          + (f", already done {summary.skipped}" if summary.skipped else "") + f"{files} -> {output}", file=sys.stderr)
    names = {category.id: category.name for category in tagger.taxonomy}
    titles = {label: label_title(label, names) for label in summary.labels}
    width = max(map(wcswidth, titles.values()), default=0)
    for label, count in summary.labels.most_common():
        print(f"  {pad(titles[label], width)} {count:6d}", file=sys.stderr)
    if summary.failed or summary.files_failed:
        print(f"first error: {summary.first_error}", file=sys.stderr)
        if not args.allow_errors:
            print("exit status 1 because records or files failed (--allow-errors to accept)", file=sys.stderr)
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="misconduct-tagger", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rules = sub.add_parser("rules", help="tools for rule authors").add_subparsers(dest="rules_command", required=True)
    lint = rules.add_parser("lint", help="validate every rule file and run the examples")
    lint.add_argument("rules_dir", nargs="?", help="rules folder (default: the shipped rules)")
    lint.set_defaults(func=cmd_rules_lint)
    test = rules.add_parser("test", help="run every rule's examples, pass/fail per rule")
    test.add_argument("rules_dir", nargs="?", help="rules folder (default: the shipped rules)")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing rules too")
    test.set_defaults(func=cmd_rules_test)
    stats = rules.add_parser("stats", help="per rule hits, coverage, precision, overlaps and conflicts on labelled data")
    stats.add_argument("data", help="labelled JSONL file (id, text, labels)")
    stats.add_argument("--rules-dir", help="rules folder (default: the shipped rules)")
    stats.add_argument("--category", help="show one category only")
    stats.add_argument("--min-weight", type=float, default=0.7, help="weight from which a rule labels alone")
    stats.set_defaults(func=cmd_rules_stats)

    gaps = rules.add_parser("gaps", help="reports of a category that no rule labels, with the clauses that carry "
                                         "the model's score: phrasings to write rules for")
    gaps.add_argument("data", help="labelled JSONL file (id, text, labels); use training data, never a measuring set")
    gaps.add_argument("--category", required=True, help="the category id")
    gaps.add_argument("--model", help="model folder (default: the shipped model)")
    gaps.add_argument("--rules-dir", help="rules folder (default: the shipped rules)")
    gaps.add_argument("--min-weight", type=float, default=0.7, help="weight from which a rule labels alone")
    gaps.add_argument("--top", type=int, default=30, help="how many reports to list, the model's surest first")
    gaps.set_defaults(func=cmd_rules_gaps)

    train = sub.add_parser("train", help="train the classifier on labelled JSONL files")
    train.add_argument("data", nargs="+", metavar="DATA",
                       help="labelled JSONL files (id, text, labels), concatenated; a later file's report "
                            "replaces an earlier one with the same id (so corrections from `serve` go last)")
    train.add_argument("-o", "--output", required=True, help="model folder to write (model.joblib, model.json)")
    train.add_argument("--rules-dir", help="rules folder whose hits are features (default: the shipped rules)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="score the tagger on a labelled JSONL file")
    evaluate.add_argument("data", help="labelled JSONL file (id, text, labels, optional style)")
    evaluate.add_argument("--mode", choices=["hybrid", "rules", "model", "all"], default="hybrid",
                          help="rules alone, the model alone, both combined (hybrid), or all three side by side "
                               "(default hybrid)")
    evaluate.add_argument("--model", help="model folder (default: the shipped model)")
    evaluate.add_argument("--rules-dir", help="rules folder (default: the shipped rules)")
    evaluate.add_argument("--json", metavar="OUT.json", help="write all figures and errors as JSON (usable as a baseline)")
    evaluate.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML report")
    evaluate.add_argument("--cv", type=int, metavar="K", help="cross-validate the model on DATA (a training file) instead")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds")
    evaluate.add_argument("--disagreements", metavar="OUT.jsonl", help="write reports where rules and model disagree")
    evaluate.add_argument("--compare-rules", metavar="OLD_RULES_DIR", help="show the effect of a rules change")
    evaluate.add_argument("--baseline", metavar="BASELINE.json", help="exit 1 if macro-F1 or a label's F1 drops")
    evaluate.add_argument("--tolerance", type=float, default=0.02, help="allowed F1 drop against the baseline")
    evaluate.add_argument("--max-errors", type=int, default=15, help="errors to print")
    evaluate.set_defaults(func=cmd_evaluate)

    tag = sub.add_parser("tag", help="tag report files (JSONL, CSV/TSV, TXT, folders, -) into a JSONL or CSV file")
    tag.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, or - for standard input")
    tag.add_argument("-o", "--output", required=True, help="output file, .jsonl or .csv")
    tag.add_argument("--text-field", default="text", help="JSONL field holding the text (default text)")
    tag.add_argument("--id-field", default="id", help="JSONL field holding the id (default id)")
    tag.add_argument("--text-column", help="CSV/TSV column holding the text (default: text, or else the first of "
                                           "内容, 正文, 文本, 反映内容, 问题描述)")
    tag.add_argument("--id-column", default="id", help="CSV/TSV column holding the id (default id)")
    tag.add_argument("--per-file", action="store_true", help="a .txt file is one report (default: one a line)")
    tag.add_argument("--encoding", help="force an encoding (default: detect UTF-8, GB18030/GBK or Big5)")
    tag.add_argument("--stdin-format", choices=["jsonl", "csv", "tsv", "txt"], help="format of standard input")
    tag.add_argument("--jobs", type=_positive_int, default=1, help="worker processes (default 1)")
    tag.add_argument("--batch-size", type=_positive_int, help="reports analysed together and sent to a worker together (default 256)")
    tag.add_argument("--strict", action="store_true", help="stop at the first bad record")
    tag.add_argument("--resume", action="store_true", help="continue an interrupted run from its .partial file")
    tag.add_argument("--allow-errors", action="store_true", help="exit 0 even when some records failed")
    tag.add_argument("--quiet", action="store_true", help="no progress bar")
    tag.add_argument("--model", help="model folder (default: the shipped model)")
    tag.add_argument("--rules-dir", help="rules folder (default: the shipped rules)")
    tag.set_defaults(func=cmd_tag)

    demo = sub.add_parser("demo", help="tag a JSONL file of reports and print labels, evidence and a per-label summary")
    demo.add_argument("data", help="JSONL file with id and text")
    demo.add_argument("--model", help="model folder (default: the shipped model)")
    demo.set_defaults(func=cmd_demo)

    from .service.cli import add_parser as add_serve_parser  # argparse only: FastAPI is imported when serving

    add_serve_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MisconductTaggerError as exc:
        print(f"misconduct-tagger: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
