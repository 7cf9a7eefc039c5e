#!/usr/bin/env python3
"""Seeded generator of synthetic training reports for misconduct-tagger.

Usage:
    python scripts/generate_train.py --seed 20261129 -n 1200 -o data/generated.jsonl

All wording lives in data/generator/*.yaml (lexicon, incident fragments, report templates,
no-label material); this script only composes reports from it. Each output line is
{"id": "gen-00001", "text": ..., "labels": [...], "style": ...}. The same seed gives
byte-identical output (one random.Random(seed), YAML order only, labels sorted by the
canonical category order). Traditional-character conversion uses the optional `opencc`
package; without it that step is skipped (and the output differs from a run with it).
"""
from __future__ import annotations

import argparse
import json
import re
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "generator"

try:  # optional: simplified -> traditional
    import opencc  # type: ignore

    _S2T = opencc.OpenCC("s2t")
except Exception:  # pragma: no cover - depends on the environment
    _S2T = None

ACTOR_REF = re.compile(r"^(actor|he|name)@(\d+)$")
RANGE = re.compile(r"^(\d+)-(\d+)$")
MONEY = re.compile(r"^money:(\d+)-(\d+)$")
YEAR = re.compile(r"(20\d\d)年")
EPIDEMIC = re.compile("疫情|核酸|隔离|封控|阳性|密接|疫苗|防疫|确诊|流调|方舱|健康码|红码|混检|口罩|堂食|中高风险")


def load_data(data_dir: Path) -> dict:
    out = {}
    for name in ("lexicon", "fragments", "templates", "nolabel"):
        with open(data_dir / f"{name}.yaml", encoding="utf-8") as fh:
            out[name] = yaml.safe_load(fh)
    return out


def split_top(s: str, sep: str = "|") -> list[str]:
    """Split on sep at brace depth 0."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


class Actor:
    def __init__(self, cls: str, role: str, name: str | None):
        self.cls, self.role, self.name = cls, role, name
        self.introduced = False

    def full(self) -> str:
        return self.role + (self.name or "")

    def short(self) -> str:
        return self.name or "其"


class Report:
    """Per-report state: fixed slot values, actors, pool cache."""

    def __init__(self, gen: "Generator", dom: str, complaint: bool = False):
        self.g, self.r = gen, gen.r
        self.complaint = complaint
        self.cache: dict[str, str] = {}
        self.actors: dict[int, Actor] = {}
        lex = gen.lex
        lo, hi = lex["years"].get(dom, lex["years"]["general"])
        y, m, d = self.r.randint(lo, hi), self.r.randint(1, 12), self.r.randint(1, 28)
        hm = m + self.r.randint(1, 3)
        hy = y + (hm - 1) // 12
        hm = (hm - 1) % 12 + 1
        self.y, self.hy = y, hy
        sur = self.r.choice(lex["surnames"])
        self.fixed = {
            "prov": self.r.choice(lex["provinces"]),
            "cty": self.r.choice(lex["cty"]),
            "year": str(y),
            "date": f"{y}年{m}月{d}日",
            "ym": f"{y}年{m}月",
            "md": f"{m}月{self.r.randint(1, 28)}日",
            "date_h": f"{hy}年{hm}月",
            "pname": sur + self.r.choice(["某", "某某"]),
        }
        self.used_public = False
        self.used_org = False

    def fix_years(self, text: str) -> str:
        """Epidemic material only fits 2020-2022: move the report's years there."""
        lo, hi = self.g.lex["years"]["epidemic"]
        if not EPIDEMIC.search(text) or lo <= self.y <= hi:
            return text
        ny = self.r.randint(lo, hi)
        mapping = {str(self.y): str(ny), str(self.hy): str(ny + self.hy - self.y)}
        return YEAR.sub(lambda m: mapping.get(m.group(1), m.group(1)) + "年", text)

    # ---------------------------------------------------------------- actors
    def new_actor(self, classes: list[str], anonymous: bool = False) -> int:
        cls = self.r.choice(classes)
        role = self.render(self.r.choice(self.g.lex["actors"][cls]))
        name = None if anonymous else self.r.choice(self.g.lex["surnames"]) + self.r.choice(["某", "某某"])
        k = len(self.actors) + 1
        self.actors[k] = Actor(cls, role, name)
        return k

    def _actor_ref(self, kind: str, k: int) -> str:
        a = self.actors[k]
        if not a.introduced:
            a.introduced = True
            return a.full()
        if kind == "he":
            if self.complaint:
                return "他"
            return self.r.choice([a.short(), a.short(), "其"]) if a.name else "其"
        return a.short()

    # ---------------------------------------------------------------- slots
    def resolve(self, inner: str) -> str:
        alts = split_top(inner)
        if len(alts) > 1:
            return self.render(self.r.choice(alts))
        m = RANGE.match(inner)
        if m:
            return str(self.r.randint(int(m.group(1)), int(m.group(2))))
        m = MONEY.match(inner)
        if m:
            v = self.r.randint(int(m.group(1)), int(m.group(2)))
            if v >= 10000:
                s = f"{v / 10000:.1f}".rstrip("0").rstrip(".")
                return s + "万元"
            return f"{v // 10 * 10}元"
        m = ACTOR_REF.match(inner)
        if m:
            return self._actor_ref(m.group(1), int(m.group(2)))
        if inner in ("actor", "he", "name"):
            if 1 not in self.actors:
                self.new_actor(self.g.lex["official_classes"])
            return self._actor_ref(inner, 1)
        if inner == "pname":
            self.used_public = True
        if inner in self.fixed:
            return self.fixed[inner]
        if inner in self.cache:
            return self.cache[inner]
        base = inner.rstrip("0123456789")
        pool = self.g.pools.get(base)
        if pool is None:
            raise KeyError(f"unknown slot {{{inner}}}")
        val = self.render(self.r.choice(pool))
        self.cache[inner] = val
        return val

    def render(self, s: str) -> str:
        out, i, n = [], 0, len(s)
        while i < n:
            ch = s[i]
            if ch == "{":
                depth, j = 1, i + 1
                while j < n and depth:
                    if s[j] == "{":
                        depth += 1
                    elif s[j] == "}":
                        depth -= 1
                    j += 1
                out.append(self.resolve(s[i + 1 : j - 1]))
                i = j
            else:
                out.append(ch)
                i += 1
        return "".join(out)


class Generator:
    def __init__(self, seed: int, data: dict):
        self.r = random.Random(seed)
        self.lex = data["lexicon"]
        self.frags = data["fragments"]
        self.tpl = data["templates"]
        self.nl = data["nolabel"]
        self.mix = self.tpl["mix"]
        self.cats: list[str] = list(self.lex["categories"])
        self.order = {c: i for i, c in enumerate(self.cats)}
        self.counts = {c: 0 for c in self.cats}
        self.pools = dict(self.lex["pools"])
        self.pools["surname"] = self.lex["surnames"]
        self.pools["hour"] = self.tpl["hour"]
        self.pools["title"] = self.nl["commendation"]["titles"]
        missing = [c for c in self.cats if c not in self.frags]
        if missing:
            raise SystemExit(f"fragments.yaml lacks categories: {missing}")

    # ------------------------------------------------------------ helpers
    def wpick(self, weights: dict):
        keys = list(weights)
        return self.r.choices(keys, weights=[float(weights[k]) for k in keys])[0]

    def balanced_cat(self, exclude=()) -> str:
        cands = [c for c in self.cats if c not in exclude]
        w = [1.0 / (1 + self.counts[c]) ** 3 for c in cands]
        return self.r.choices(cands, weights=w)[0]

    def sort_labels(self, labels) -> list[str]:
        return sorted(set(labels), key=self.order.__getitem__)

    def frag_labels(self, cat: str, f: dict) -> list[str]:
        return [cat] + list(f.get("also", []))

    def pick_fragment(self, cat: str, complaint: bool, dom: str | None, own_ok: bool = True) -> dict:
        pool = self.frags[cat]
        formal = [f for f in pool if f.get("v") != "c" and (own_ok or not f.get("own"))]
        if complaint:
            coll = [f for f in pool if f.get("v") == "c"]
            if coll and self.r.random() < self.mix["colloquial_in_complaint"]:
                return self.r.choice(coll)
        cands = formal
        if dom and self.r.random() < 0.7:
            same = [f for f in formal if f.get("dom", "general") in (dom, "general")]
            if same:
                cands = same
        return self.r.choice(cands)

    def choose_cats(self) -> list[str]:
        k = int(self.wpick(self.mix["fragments"]))
        cats = [self.balanced_cat()]
        for _ in range(k - 1):
            if self.r.random() < self.mix["same_category"]:
                cats.append(self.r.choice(cats))
                continue
            rel = [c for c in self.tpl["related"].get(cats[0], []) if c not in cats]
            if rel and self.r.random() < self.mix["related_pick"]:
                cats.append(self.r.choice(rel))
            else:
                cats.append(self.balanced_cat(exclude=cats))
        return cats

    def setting(self, rep: Report, dom: str) -> str:
        s = rep.render(self.r.choice(self.lex["settings"].get(dom, [""])))
        return s + "，" if s else ""

    # --------------------------------------------------- fragment assembly
    def assign(self, rep: Report, f: dict, current: int | None, anonymous: bool = False) -> int | None:
        """Actor index for a fragment (None for public/org fragments)."""
        if f.get("subj") in ("public", "org"):
            if f.get("subj") == "org":
                rep.used_org = True
            return None
        classes = f.get("who") or self.lex["official_classes"]
        if current is not None and rep.actors[current].cls in classes and self.r.random() < self.mix["reuse_actor"]:
            return current
        if f.get("v") == "c" and current is not None:
            return current
        return rep.new_actor(classes, anonymous=anonymous)

    @staticmethod
    def bind(text: str, k: int | None) -> str:
        if k is None:
            return text
        for key in ("actor", "he", "name"):
            text = text.replace("{" + key + "}", "{" + f"{key}@{k}" + "}")
        return text

    def compose(self, rep: Report, items: list[tuple[dict, int | None]]) -> str:
        conn = self.tpl["connectors"]
        pre = "c_" if rep.complaint else ""
        parts, prev = [], None
        for i, (f, k) in enumerate(items):
            t = self.bind(f["t"], k)
            own = f.get("own") or f.get("v") == "c"
            if own:
                s = t if i == 0 else self.r.choice(conn[pre + "own"]) + t
            elif i == 0:
                s = ("{he@%d}" if rep.complaint else "{actor@%d}") % k + t
            elif k == prev:
                s = self.r.choice(conn[pre + "same"]).replace("{he}", "{he@%d}" % k) + t
            else:
                s = self.r.choice(conn[pre + "new"]).replace("{actor}", "{actor@%d}" % k) + t
            if k is not None:
                prev = k
            parts.append(s)
        return "".join(parts)

    def handling(self, rep: Report, labels: set[str], who_idx: list[int]) -> str:
        h = self.tpl["handling"]
        out = []
        named = [k for k in who_idx if k is not None][:2]
        if named:
            if len(named) == 1:
                t = self.r.choice(h["single"])
                t = t.replace("{WHO}", "{name@%d}" % named[0])
                t = t.replace("{penalty}", self.r.choice(h["penalty"])).replace("{measure}", self.r.choice(h["measure"]))
                out.append(t)
            else:
                segs = ["{name@%d}%s" % (k, self.r.choice(h["penalty"])) for k in named]
                out.append("；".join(segs) + "。")
            if "dereliction" in labels and self.r.random() < 0.6:
                out.append(self.r.choice(h["severe"]).replace("{WHO}", "{name@%d}" % named[0]))
            elif labels & {"misappropriation", "extortion"} and self.r.random() < 0.4:
                out.append(self.r.choice(h["money"]))
        elif rep.used_public:
            out.append(self.r.choice(h["public"]).replace("{PNAME}", "{pname}"))
        elif rep.used_org:
            out.append(self.r.choice(h["org"]))
        return "".join(out)

    # ------------------------------------------------------- labelled reports
    def labelled(self) -> tuple[str, list[str], str]:
        style = self.wpick(self.tpl["style_weights"])
        complaint = style == "complaint"
        cats = self.choose_cats()
        if style == "partial" and len(cats) < 2:
            cats.append(self.balanced_cat(exclude=cats))
        first = self.pick_fragment(cats[0], complaint, None, own_ok=style != "partial")
        dom = first.get("dom", "general")
        rep = Report(self, dom, complaint=complaint)
        frags = [first] + [self.pick_fragment(c, complaint, dom, own_ok=style != "partial") for c in cats[1:]]
        anonymous = style == "inspection" and self.r.random() < self.mix["anonymous_in_inspection"]
        items, cur = [], None
        for f in frags:
            k = self.assign(rep, f, cur, anonymous=anonymous)
            if k is not None and cur is None:
                cur = k
            elif k is not None:
                cur = k if self.r.random() < 0.5 else cur
            items.append((f, k))
        labels: set[str] = set()
        for c, f in zip(cats, frags):
            labels.update(self.frag_labels(c, f))
        actor_idx = [k for _, k in items if k is not None]
        actor_idx = list(dict.fromkeys(actor_idx))

        tpl = self.r.choice(self.tpl["styles"][style])
        blocks = {
            "SETTING": self.setting(rep, dom),
            "CONSEQ": self.r.choice(self.tpl["consequences"]),
            "PENDING": self.r.choice(self.tpl["pending"]),
            "REPORT_CLOSE": self.r.choice(self.tpl["report_close"]),
            "INSP_CLOSE": self.r.choice(self.tpl["inspection"]["close"]),
        }
        if style == "partial":
            (fa, ka), (fb, kb) = items[0], items[1]
            labels = set(self.frag_labels(cats[0], fa))
            blocks["BODY_A"] = self.compose(rep, [items[0]])
            # B reads as a second allegation, about the same person where possible
            if fb.get("own"):
                blocks["BODY_B"] = self.bind(fb["t"], kb)
            elif kb is not None and kb != ka:
                blocks["BODY_B"] = "{actor@%d}" % kb + self.bind(fb["t"], kb)
            else:
                blocks["BODY_B"] = "{he@%d}" % ka + self.bind(fb["t"], ka)
            actor_idx = [ka] if ka is not None else []
        elif style == "inspection":
            blocks["ITEMS"] = self.items(rep, items)
        else:
            blocks["BODY"] = self.compose(rep, items)
        if "{HANDLING}" in tpl:
            p = {"notice": 0.9, "report": 0.45, "inspection": 0.35, "verification": 0.85, "partial": 0.8}.get(style, 0)
            blocks["HANDLING"] = self.handling(rep, labels, actor_idx) if self.r.random() < p else ""
        if complaint:
            c = self.tpl["complaint"]
            blocks.update(C_GREET=self.r.choice(c["greet"]), C_INTRO=self.r.choice(c["intro"]),
                          C_LEAD=self.r.choice(c["lead"]), C_PLEA=self.r.choice(c["plea"]),
                          C_PLEA2=self.r.choice(["", ""] + c["plea"]))
        text = tpl
        for key, val in blocks.items():
            text = text.replace("{" + key + "}", val)
        text = rep.render(text)
        # extras: a directive naming some category (no label), or a denial of another category
        if style in ("notice",) and self.r.random() < self.mix["warn_in_notice"]:
            c = self.r.choice(self.cats)
            clause = self.r.choice(self.nl["directive"]["clauses"][c])
            text += rep.render(self.r.choice(self.tpl["warn"]).replace("{CLAUSE}", clause))
        if style in ("notice", "report", "verification", "inspection") and self.r.random() < self.mix["append_denial"]:
            other = self.r.choice([c for c in self.cats if c not in labels])
            d = self.r.choice(self.nl["denials"][other])
            text += rep.render(self.r.choice(self.tpl["denial_wrap"]).replace("{DENIAL}", d))
        text = rep.fix_years(text)
        if complaint:
            text = self.roughen(text)
        out_style = {"alleged": "report", "partial": "verification"}.get(style, style)
        return text, self.sort_labels(labels), out_style

    def items(self, rep: Report, items: list[tuple[dict, int | None]]) -> str:
        loc = self.tpl["inspection"]["loc"]
        segs = []
        for i, (f, k) in enumerate(items):
            l = self.r.choice(loc).replace("{village}", "{village%d}" % i).replace("{site}", "{site%d}" % i)
            l = l.replace("{place_small}", "{place_small%d}" % i)
            t = self.bind(f["t"], k)
            if f.get("own"):
                segs.append(l + t)
            else:
                segs.append(l + "{actor@%d}" % k + t)
        if len(segs) > 1 and self.r.random() < 0.5:
            nums = self.tpl["inspection"]["numerals"]
            return "；".join(nums[i] + s for i, s in enumerate(segs))
        return "；".join(segs)

    # ---------------------------------------------------------- surface noise
    def roughen(self, text: str) -> str:
        c = self.tpl["complaint"]
        if self.r.random() < self.mix["complaint_english"]:
            cut = [m.end() for m in re.finditer("[。！？]", text)]
            pos = self.r.choice(cut) if cut else len(text)
            text = text[:pos] + self.r.choice(c["english"]) + text[pos:]
        if self.r.random() < self.mix["complaint_runon"]:
            body, last = text[:-1], text[-1:]
            body = body.replace("。", "，")
            if self.r.random() < 0.5:
                commas = [m.start() for m in re.finditer("，", body)]
                if commas:
                    p = self.r.choice(commas) + 1
                    body = body[:p] + self.r.choice(c["runon_fillers"]) + body[p:]
            text = body + last
        if self.r.random() < self.mix["complaint_typo"]:
            pairs = [p for p in c["typos"] if p[0] in text]
            for good, bad in self.r.sample(pairs, min(len(pairs), self.r.randint(1, 2))):
                idx = [m.start() for m in re.finditer(re.escape(good), text)]
                p = self.r.choice(idx)
                text = text[:p] + bad + text[p + len(good):]
        return text

    def surface(self, text: str) -> str:
        if self.r.random() < self.mix["halfwidth"]:
            for a, b in self.tpl["halfwidth"].items():
                text = text.replace(a, b)
        if self.r.random() < self.mix["traditional"] and _S2T is not None:
            text = _S2T.convert(text)
        return text

    # ------------------------------------------------------ no-label reports
    def unlabelled(self) -> tuple[str, list[str], str]:
        kind = self.wpick(self.nl["type_weights"])
        return getattr(self, "nl_" + kind)()

    def nl_directive(self):
        d = self.nl["directive"]
        rep = Report(self, "general")
        cats = self.r.sample(self.cats, self.r.randint(1, 4))
        clauses = [self.r.choice(d["clauses"][c]) for c in cats]
        clauses += self.r.sample(d["general"], self.r.randint(0, 3))
        self.r.shuffle(clauses)
        if len(clauses) > 1 and self.r.random() < 0.4:
            nums = self.tpl["inspection"]["numerals"]
            body = "；".join(nums[i] + c for i, c in enumerate(clauses))
        else:
            body = "；".join(clauses)
        text = self.r.choice(d["openings"]) + body + "。" + self.r.choice(d["endings"])
        return rep.fix_years(rep.render(text)), [], "directive"

    def nl_verification(self):
        v = self.nl["verification"]
        cats = [self.balanced_cat()]
        if self.r.random() < 0.25:
            cats.append(self.balanced_cat(exclude=cats))
        first = self.pick_fragment(cats[0], False, None, own_ok=False)
        dom = first.get("dom", "general")
        rep = Report(self, dom)
        frags = [first] + [self.pick_fragment(c, False, dom, own_ok=False) for c in cats[1:]]
        items, cur = [], None
        for f in frags:
            k = self.assign(rep, f, cur)
            cur = cur or k
            items.append((f, k))
        body = self.compose(rep, items)
        tpl = self.r.choice(v["templates"])
        text = tpl.replace("{BODY}", body).replace("{NEG}", self.r.choice(v["neg"]))
        text = text.replace("{actor}", "{actor@1}").replace("{name}", "{name@1}")
        return rep.fix_years(rep.render(text)), [], "verification"

    def nl_commendation(self):
        c = self.nl["commendation"]
        rep = Report(self, "general")
        rep.new_actor(self.lex["official_classes"])
        deeds = "，".join(self.r.sample(c["deeds"], self.r.randint(1, 3)))
        text = self.r.choice(c["templates"])
        text = text.replace("{DEEDS}", deeds).replace("{HONOR}", self.r.choice(c["honors"]))
        text = text.replace("{SETTING}", self.setting(rep, "general"))
        return rep.fix_years(rep.render(text)), [], "commendation"

    def nl_neutral(self):
        rep = Report(self, "general")
        parts = self.r.sample(self.nl["neutral"], self.r.randint(1, 2))
        return rep.fix_years(rep.render("".join(parts))), [], "neutral"

    def nl_denial(self):
        d = self.nl["denial"]
        rep = Report(self, "general")
        cats = self.r.sample(self.cats, self.r.randint(1, 2))
        phrases = [self.r.choice(self.nl["denials"][c]) for c in cats]
        den = phrases[0] if len(phrases) == 1 else phrases[0] + self.r.choice(d["joiner"]) + phrases[1]
        text = self.r.choice(d["templates"]).replace("{DENIALS}", den)
        return rep.fix_years(rep.render(text)), [], "report"

    # ----------------------------------------------------------------- main
    def generate(self, n: int) -> list[dict]:
        rows, seen = [], set()
        while len(rows) < n:
            if self.r.random() < self.mix["no_label"]:
                text, labels, style = self.unlabelled()
            else:
                text, labels, style = self.labelled()
            text = self.surface(text)
            if text in seen:
                continue
            seen.add(text)
            for c in labels:
                self.counts[c] += 1
            rows.append({"id": f"gen-{len(rows) + 1:05d}", "text": text, "labels": labels, "style": style})
        return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("-n", type=int, default=1200)
    ap.add_argument("-o", "--output", default=str(ROOT / "data" / "generated.jsonl"))
    ap.add_argument("--data-dir", default=str(DATA_DIR))
    args = ap.parse_args(argv)
    gen = Generator(args.seed, load_data(Path(args.data_dir)))
    rows = gen.generate(args.n)
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if _S2T is None:
        print("note: opencc not importable; traditional-character variants skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
