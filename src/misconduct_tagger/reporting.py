"""Evaluation reports: a text table for the terminal, JSON for machines and baselines, and one
self-contained HTML file (no script, no external resource) for reading errors with their evidence."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from wcwidth import wcswidth

from .evaluation import NONE, ModeEvaluation
from .taxonomy import default_taxonomy

MODE_COLOURS = {"rules": "#4e79a7", "model": "#f28e2b", "hybrid": "#59a14f"}
# The summary measures, in the order and with the titles every report shows them.
MEASURES = (("micro_precision", "micro precision"), ("micro_recall", "micro recall"), ("micro_f1", "micro F1"),
            ("macro_precision", "macro precision"), ("macro_recall", "macro recall"), ("macro_f1", "macro F1"),
            ("exact_match", "exact-set accuracy"),
            ("empty_false_positive_rate", "no-label reports given a label"))
# What an evaluation shows for the reports of each origin apart.
ORIGIN_MEASURES = ("micro_f1", "macro_f1", "empty_false_positive_rate")


def figure(value: float) -> str:
    """The one rounding every report prints a figure with."""
    return f"{value:.3f}"


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns: a Chinese character takes two."""
    return text + " " * max(0, width - max(wcswidth(text), 0))


def label_title(label: str, names: Mapping[str, str]) -> str:
    return f"{label} {names[label]}" if label in names else label


def to_json(evaluations: Mapping[str, ModeEvaluation], data: str) -> dict:
    """Every figure, rounded once; the text and HTML reports print from this."""
    modes = {}
    for mode, ev in evaluations.items():
        s = ev.scores
        modes[mode] = {
            "per_label": {p.label: {"precision": round(p.precision, 4), "recall": round(p.recall, 4),
                                    "f1": round(p.f1, 4), "support": p.support} for p in s.per_label},
            "micro_precision": round(s.micro_precision, 4),
            "micro_recall": round(s.micro_recall, 4),
            "micro_f1": round(s.micro_f1, 4),
            "macro_precision": round(s.macro_precision, 4),
            "macro_recall": round(s.macro_recall, 4),
            "macro_f1": round(s.macro_f1, 4),
            "exact_match": round(s.exact_match, 4),
            "empty_false_positive_rate": round(s.empty_false_positive_rate, 4),
            "empty_by_style": {style: {"given_a_label": g, "reports": n} for style, (g, n) in ev.empty_by_style.items()},
            "by_origin": {origin: {name: round(getattr(o, name), 4) for name in ORIGIN_MEASURES} | {"reports": o.n_reports}
                          for origin, o in ev.by_origin.items()},
            "confusion": [{"gold": g, "predicted": p, "reports": n}
                          for (g, p), n in sorted(ev.confusion.items(), key=lambda kv: (-kv[1], kv[0]))],
            "errors": [{"id": o.id, "text": o.text, "style": o.style, "gold": sorted(o.gold),
                        "predicted": sorted(o.predicted), "evidence": o.result.evidence_records(o.predicted - o.gold)}
                       for o in ev.errors],
        }
    n = next(iter(evaluations.values())).scores.n_reports if evaluations else 0
    names = {category.id: category.name for category in default_taxonomy()}
    return {"data": data, "n_reports": n, "names": names, "modes": modes}


def text_report(evaluations: Mapping[str, ModeEvaluation], data: str, max_errors: int = 15) -> str:
    report = to_json(evaluations, data)
    modes = list(evaluations)
    per_label = {m: report["modes"][m]["per_label"] for m in modes}
    titles = {label: label_title(label, report["names"]) for label in per_label[modes[0]]}
    width = max(map(wcswidth, titles.values()), default=5) + 2
    lines = [f"{report['n_reports']} reports from {data}", ""]
    lines.append(pad("label", width) + "".join(f"{m + ' P      R      F1':>26}" for m in modes) + "  support")
    for label, title in titles.items():
        cells = "".join(f"{figure(per_label[m][label]['precision']):>12}{figure(per_label[m][label]['recall']):>7}"
                        f"{figure(per_label[m][label]['f1']):>7}" for m in modes)
        lines.append(f"{pad(title, width)}{cells}  {per_label[modes[0]][label]['support']:7d}")
    lines.append("")
    for name, title in MEASURES:
        lines.append(f"{title:32}" + "".join(f"{m}={figure(report['modes'][m][name])}  " for m in modes))
    for mode in modes:
        ev = evaluations[mode]
        if ev.empty_by_style:
            styles = ", ".join(f"{style} {g}/{n}" for style, (g, n) in ev.empty_by_style.items())
            lines.append(f"{mode}: no-label reports given a label, by style: {styles}")
    for mode in modes:
        for origin, o in report["modes"][mode]["by_origin"].items():
            lines.append(f"{mode}, {origin} reports only ({o['reports']}): micro F1 {figure(o['micro_f1'])}, "
                         f"macro F1 {figure(o['macro_f1'])}, no-label reports given a label "
                         f"{figure(o['empty_false_positive_rate'])}")
    for mode in modes:
        ev = evaluations[mode]
        top = sorted(ev.confusion.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        if top:
            lines.append(f"{mode}: missed → given instead: " + ", ".join(f"{g}→{p} {n}" for (g, p), n in top))
    last = evaluations[modes[-1]]
    lines.append("")
    lines.append(f"{len(last.errors)} reports with errors in {last.mode} mode" +
                 (f" (first {max_errors})" if len(last.errors) > max_errors else ""))
    for o in last.errors[:max_errors]:
        lines.append(f"- {o.id}: gold {sorted(o.gold) or NONE} predicted {sorted(o.predicted) or NONE}")
        lines.append(f"  {o.text[:100]}{'…' if len(o.text) > 100 else ''}")
        for e in o.result.evidence_records(o.predicted - o.gold)[:3]:
            lines.append(f"    {e['label']}: {e['text']!r} [{e['start']}:{e['end']}] from {e['source']}"
                         + (f" ({e['assertion']}, cue {e['cue']!r})" if e["cue"] else ""))
    return "\n".join(lines)


def check_baseline(current: dict, baseline: dict, mode: str, tolerance: float) -> list[str]:
    """Regressions of macro-F1 or of any label's F1 by more than `tolerance` against a baseline JSON."""
    now, then = current["modes"].get(mode), baseline.get("modes", {}).get(mode)
    if now is None or then is None:
        return [f"mode {mode!r} missing from the {'current results' if now is None else 'baseline'}"]
    problems = []
    if now["macro_f1"] < then["macro_f1"] - tolerance:
        problems.append(f"macro-F1 fell from {then['macro_f1']:.3f} to {now['macro_f1']:.3f}")
    for label, old in then["per_label"].items():
        new = now["per_label"].get(label)
        if new is None:
            problems.append(f"{label}: missing from the current results")
        elif new["f1"] < old["f1"] - tolerance:
            problems.append(f"{label}: F1 fell from {old['f1']:.3f} to {new['f1']:.3f}")
    return problems


def _highlight(text: str, spans: Sequence[dict]) -> str:
    """The text with evidence spans marked; overlapping spans are merged into one mark."""
    marks: list[list] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if marks and span["start"] < marks[-1][1]:
            marks[-1][1] = max(marks[-1][1], span["end"])
            marks[-1][2].append(span)
        else:
            marks.append([span["start"], span["end"], [span]])
    out, position = [], 0
    for start, end, members in marks:
        out.append(html.escape(text[position:start]))
        title = "; ".join(f"{m['label']} ← {m['source']} ({m['assertion'] or 'model'}"
                          + (f", cue {m['cue']}" if m["cue"] else "") + ")" for m in members)
        out.append(f'<mark title="{html.escape(title)}">{html.escape(text[start:end])}</mark>')
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def html_report(evaluations: Mapping[str, ModeEvaluation], data: str, max_errors: int = 200) -> str:
    report = to_json(evaluations, data)
    modes = list(report["modes"])
    labels = list(report["modes"][modes[0]]["per_label"])
    last = modes[-1]
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>misconduct-tagger evaluation: {html.escape(data)}</title><style>",
        "body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:2em;color:#222;max-width:1200px}",
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}",
        ".bar{display:inline-block;height:10px}.legend span{margin-right:1em}",
        "mark{background:#ffe08a;border-bottom:2px solid #e15759}.err{border-bottom:1px solid #ddd;padding:.6em 0}",
        ".gold{color:#2a7a2a}.pred{color:#b22}.small{color:#666;font-size:12px}</style></head><body>",
        f"<h1>Evaluation of {html.escape(data)}</h1>",
        f"<p>{report['n_reports']} reports. Modes: {', '.join(modes)}.</p>",
        "<h2>Summary</h2><table><tr><th>measure</th>" + "".join(f"<th>{m}</th>" for m in modes) + "</tr>",
    ]
    for name, title in MEASURES:
        parts.append(f"<tr><td>{title}</td>"
                     + "".join(f"<td>{figure(report['modes'][m][name])}</td>" for m in modes) + "</tr>")
    parts.append("</table><h2>F1 per label</h2><p class='legend'>"
                 + "".join(f"<span><span class='bar' style='width:20px;background:{MODE_COLOURS.get(m, '#999')}'>"
                           f"</span> {m}</span>" for m in modes) + "</p><table>")
    parts.append("<tr><th>label</th><th>support</th><th>F1</th></tr>")
    for label in labels:
        bars = "".join(
            f"<div><span class='bar' style='width:{report['modes'][m]['per_label'][label]['f1'] * 300:.0f}px;"
            f"background:{MODE_COLOURS.get(m, '#999')}'></span> {figure(report['modes'][m]['per_label'][label]['f1'])}</div>"
            for m in modes)
        parts.append(f"<tr><td>{html.escape(label_title(label, report['names']))}</td>"
                     f"<td>{report['modes'][modes[0]]['per_label'][label]['support']}</td>"
                     f"<td>{bars}</td></tr>")
    parts.append("</table>")
    confusion = {(c["gold"], c["predicted"]): c["reports"] for c in report["modes"][last]["confusion"]}
    peak = max(confusion.values(), default=1)
    axis = labels + [NONE]
    parts.append(f"<h2>Confusion ({last}): gold label missed (row) → label given instead (column)</h2><table><tr><th></th>"
                 + "".join(f"<th style='writing-mode:vertical-rl'>{html.escape(a)}</th>" for a in axis) + "</tr>")
    for g in axis:
        cells = []
        for p in axis:
            n = confusion.get((g, p), 0)
            shade = f"rgba(225,87,89,{n / peak:.2f})" if n else "transparent"
            cells.append(f"<td style='background:{shade};text-align:center'>{n or ''}</td>")
        parts.append(f"<tr><th>{html.escape(label_title(g, report['names']))}</th>{''.join(cells)}</tr>")
    parts.append("</table>")
    origins = {m: report["modes"][m]["by_origin"] for m in modes}
    if origins[last]:
        columns = [(m, name, title) for m in modes for name, title in MEASURES if name in ORIGIN_MEASURES]
        parts.append("<h2>By origin</h2><table><tr><th>origin</th><th>reports</th>"
                     + "".join(f"<th>{m}: {title}</th>" for m, _, title in columns) + "</tr>")
        for origin, counts in origins[last].items():
            parts.append(f"<tr><td>{html.escape(origin)}</td><td>{counts['reports']}</td>"
                         + "".join(f"<td>{figure(origins[m][origin][name])}</td>" for m, name, _ in columns) + "</tr>")
        parts.append("</table>")
    empty = report["modes"][last]["empty_by_style"]
    if empty:
        parts.append(f"<h2>No-label reports given a label ({last}), by style</h2><table><tr><th>style</th>"
                     "<th>given a label</th><th>reports</th></tr>"
                     + "".join(f"<tr><td>{html.escape(s)}</td><td>{v['given_a_label']}</td><td>{v['reports']}</td></tr>"
                               for s, v in empty.items()) + "</table>")
    errors = report["modes"][last]["errors"]
    parts.append(f"<h2>Errors ({last}): {len(errors)} reports</h2>")
    for e in errors[:max_errors]:
        parts.append(
            f"<div class='err'><b>{html.escape(e['id'])}</b> <span class='small'>{html.escape(e['style'] or '')}</span> "
            f"<span class='gold'>gold: {', '.join(e['gold']) or NONE}</span> · "
            f"<span class='pred'>predicted: {', '.join(e['predicted']) or NONE}</span>"
            f"<div>{_highlight(e['text'], e['evidence'])}</div></div>")
    parts.append("</body></html>")
    return "\n".join(parts)
