// The review page. Every piece of report text or server data reaches the DOM through textContent or
// createTextNode, never through HTML parsing, so a report holding <script> shows as text.
// Offsets from the server count Unicode code points (Python's str); JavaScript strings count UTF-16
// units, so the text is split into code points before slicing.
"use strict";

const TOKEN_KEY = "misconduct-tagger-token";
const REVIEWER_KEY = "misconduct-tagger-reviewer";
const state = { categories: [], colours: {}, names: {}, mode: "paste", queue: null, item: null, decision: [],
                ticked: new Set() };

// ---- the token: taken once from ?token= (then dropped from the address bar) or a prompt, kept for
// the tab's life in sessionStorage, sent as the Authorization header on every API call.
(function takeTokenFromAddress() {
  const params = new URLSearchParams(location.search);
  if (!params.has("token")) return;
  sessionStorage.setItem(TOKEN_KEY, params.get("token"));
  params.delete("token");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
})();

async function api(path, options = {}, retried = false) {
  const headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
  if (response.status === 401 && !retried) {
    const given = window.prompt("This server needs its access token 请输入访问令牌:");
    if (given) {
      sessionStorage.setItem(TOKEN_KEY, given.trim());
      return api(path, options, true);
    }
  }
  let body = null;
  try { body = await response.json(); } catch (e) { body = { message: response.statusText }; }
  return { status: response.status, ok: response.ok, body };
}

// ---- small DOM helpers
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const $ = (id) => document.getElementById(id);
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function setStatus(id, message, isError = false) {
  const node = $(id);
  node.textContent = message || "";
  node.classList.toggle("error", Boolean(isError));
}
function colourOf(id) { return state.colours[id] || "#dddddd"; }
function nameOf(id) { return state.names[id] || id; }

// ---- highlighting: cut the text at every span boundary; each piece knows the spans covering it
function evidenceSpans(result) {
  const spans = [];
  for (const label of result.labels) {
    for (const e of label.evidence) {
      if (e.end > e.start) spans.push({ label: label.id, start: e.start, end: e.end, source: e.source,
                                        assertion: e.assertion, cue: e.cue });
    }
  }
  return spans;
}

function renderText(container, text, result) {
  clear(container);
  const chars = Array.from(text);
  const spans = evidenceSpans(result);
  const cuts = new Set([0, chars.length]);
  for (const s of spans) { cuts.add(Math.min(s.start, chars.length)); cuts.add(Math.min(s.end, chars.length)); }
  const points = Array.from(cuts).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = chars.slice(a, b).join("");
    const covering = spans.filter((s) => s.start <= a && s.end >= b);
    if (!covering.length) { container.append(document.createTextNode(piece)); continue; }
    const labels = [...new Set(covering.map((s) => s.label))];
    const mark = el("mark", { dataset: { labels: labels.join(" "), start: String(a), end: String(b) } }, piece);
    mark.title = covering.map((s) => `${s.label} ${nameOf(s.label)} ← ${s.source}` +
                                     (s.cue ? ` (${s.assertion}, ${s.cue})` : "")).join("\n");
    if (labels.length === 1) {
      mark.style.backgroundColor = colourOf(labels[0]);
    } else {
      const band = 100 / labels.length;
      const stops = labels.map((id, k) => `${colourOf(id)} ${k * band}% ${(k + 1) * band}%`);
      mark.style.backgroundImage = `linear-gradient(to bottom, ${stops.join(", ")})`;
      mark.classList.add("overlap");
    }
    if (covering.every((s) => s.source === "model")) mark.classList.add("via-model");
    container.append(mark);
  }
}

function focusLabel(id, on) {
  for (const mark of document.querySelectorAll("#report-text mark")) {
    const has = mark.dataset.labels.split(" ").includes(id);
    mark.classList.toggle("focus", on && has);
    mark.classList.toggle("dim", on && !has);
  }
}

function renderLabels(container, result) {
  clear(container);
  $("label-count").textContent = `(${result.labels.length})`;
  if (!result.labels.length) {
    container.append(el("p", { class: "none" }, "No label. 未发现问题类别。"));
    return;
  }
  for (const label of result.labels) {
    const card = el("div", { class: "label-card", dataset: { label: label.id } },
      el("div", { class: "label-head" },
        el("span", { class: "swatch", style: { backgroundColor: colourOf(label.id) } }),
        el("strong", { class: "label-name" }, label.name), " ",
        el("code", { class: "label-id" }, label.id),
        el("span", { class: "score", title: "score: noisy-OR of model probability and rule weights" },
           label.score.toFixed(2))),
      el("div", { class: "label-facts" },
        el("span", { class: "fact" }, "assertion ", el("b", {}, label.assertion)),
        el("span", { class: "fact" }, "policy ", el("b", {}, label.policy))));
    const list = el("ul", { class: "evidence" });
    for (const e of label.evidence) {
      list.append(el("li", { class: e.source === "model" ? "from-model" : "from-rule" },
        el("span", { class: "quote" }, "「", e.text, "」"),
        el("span", { class: "where" }, ` [${e.start}–${e.end}] `),
        el("code", { class: "source" }, e.source),
        e.assertion ? el("span", { class: "assert" }, ` ${e.assertion}`) : null,
        e.cue ? el("span", { class: "cue" }, " cue ", el("q", {}, e.cue)) : null));
    }
    card.append(list);
    if (label.model) {
      const m = label.model;
      const features = (m.top_features || []).map(([f, w]) => `${f} (${Number(w).toFixed(2)})`).join(", ");
      card.append(el("div", { class: "model" },
        `model p=${m.probability.toFixed(2)} · threshold ${m.threshold.toFixed(2)}`,
        features ? el("div", { class: "ngrams" }, "n-grams: ", features) : null));
    }
    card.addEventListener("mouseenter", () => focusLabel(label.id, true));
    card.addEventListener("mouseleave", () => focusLabel(label.id, false));
    container.append(card);
  }
}

function showResult(text, result) {
  $("result").hidden = false;
  renderText($("report-text"), text, result);
  renderLabels($("labels"), result);
}

// ---- paste mode
async function tagPasted() {
  const text = $("paste-text").value;
  if (!text.trim()) { setStatus("paste-status", "Paste a report first. 请先粘贴文本。", true); return; }
  setStatus("paste-status", "tagging… 标注中");
  const reply = await api("/v1/tag", { method: "POST", headers: { "Content-Type": "application/json" },
                                       body: JSON.stringify({ text }) });
  if (!reply.ok) { setStatus("paste-status", reply.body.message || `error ${reply.status}`, true); return; }
  setStatus("paste-status", `${reply.body.labels.length} label(s)`);
  showResult(text, reply.body);
}

// ---- queue mode
async function loadItem(position) {
  const reply = await api(`/v1/review/items/${position}`);
  if (!reply.ok) { setStatus("queue-progress", reply.body.message || `error ${reply.status}`, true); return; }
  const item = reply.body;
  state.item = item;
  state.queue.decided = item.decided;
  $("queue-position").textContent = `report ${item.position + 1} of ${item.total}`;
  $("queue-meta").textContent = "";
  $("queue-meta").append(el("span", {}, "id "), el("code", {}, item.id), el("span", {}, ` · ${item.reason}`));
  if (item.style) $("queue-meta").append(el("span", {}, ` · style ${item.style}`));
  updateProgress();
  showResult(item.text, item.result);
  state.decision = item.decision ? [...item.decision] : item.result.labels.map((l) => l.id);
  state.ticked = new Set(state.decision);
  renderDecision();
}

function updateProgress() {
  const q = state.queue;
  $("queue-progress").textContent = `decided ${q.decided} of ${q.total} 已审 ${q.decided}/${q.total}`;
  $("queue-progress").classList.remove("error");
  $("progress-bar").style.width = q.total ? `${(100 * q.decided) / q.total}%` : "0";
}

function renderDecision() {
  const decided = Boolean(state.item.decision);
  $("decision").hidden = false;
  const list = $("decision-list");
  clear(list);
  state.decision.forEach((id, k) => {
    const box = el("input", { type: "checkbox", checked: state.ticked.has(id), disabled: decided,
                              dataset: { label: id } });
    box.addEventListener("change", () => { box.checked ? state.ticked.add(id) : state.ticked.delete(id); });
    list.append(el("li", {}, el("label", {}, box, " ", k < 9 ? el("kbd", {}, String(k + 1)) : null, " ",
      el("span", { class: "swatch", style: { backgroundColor: colourOf(id) } }), " ",
      el("span", {}, nameOf(id)), " ", el("code", {}, id))));
  });
  if (!state.decision.length) list.append(el("li", { class: "none" }, "no label 无标签"));
  const select = $("add-label");
  clear(select);
  select.append(el("option", { value: "" }, "+ add a label… 添加"));
  for (const c of state.categories) {
    if (!state.decision.includes(c.id)) select.append(el("option", { value: c.id }, `${c.name} ${c.id}`));
  }
  select.disabled = decided;
  $("save-button").disabled = decided;
  setStatus("decision-status", decided ? "decided 已审: " + (state.item.decision.map(nameOf).join("、") || "no label 无标签") : "");
}

function addLabel(id) {
  if (!id || state.decision.includes(id)) return;
  state.decision.push(id);
  state.ticked.add(id);
  renderDecision();
}

function toggle(k) {
  const id = state.decision[k];
  if (id === undefined || state.item.decision) return;
  state.ticked.has(id) ? state.ticked.delete(id) : state.ticked.add(id);
  const box = document.querySelector(`#decision-list input[data-label="${CSS.escape(id)}"]`);
  if (box) box.checked = state.ticked.has(id);
}

async function saveDecision() {
  const item = state.item;
  if (!item || item.decision) return;
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  const labels = state.decision.filter((id) => state.ticked.has(id));
  const reviewer = $("reviewer").value.trim();
  localStorage.setItem(REVIEWER_KEY, reviewer);
  setStatus("decision-status", "saving… 保存中");
  const reply = await api(`/v1/review/items/${item.position}/decision`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ id: item.id, labels }, reviewer ? { reviewer } : {})),
  });
  if (!reply.ok) { setStatus("decision-status", reply.body.message || `error ${reply.status}`, true); return; }
  state.queue.decided = reply.body.decided;
  updateProgress();
  setStatus("decision-status", "saved 已保存");
  if (reply.body.next_open === null) {
    item.decision = labels;
    renderDecision();
    setStatus("decision-status", `All ${reply.body.total} reports decided. 全部审查完毕。`);
    return;
  }
  await loadItem(reply.body.next_open);
}

function step(delta) {
  if (!state.item) return;
  const next = state.item.position + delta;
  if (next >= 0 && next < state.queue.total) loadItem(next);
}

function setMode(mode) {
  state.mode = mode;
  $("paste-panel").hidden = mode !== "paste";
  $("queue-panel").hidden = mode !== "queue";
  $("decision").hidden = true;
  $("result").hidden = true;
  $("tab-paste").classList.toggle("active", mode === "paste");
  $("tab-queue").classList.toggle("active", mode === "queue");
  $("tab-paste").setAttribute("aria-pressed", String(mode === "paste"));
  $("tab-queue").setAttribute("aria-pressed", String(mode === "queue"));
  if (mode === "queue") {
    const start = state.item ? state.item.position : (state.queue.first_open ?? 0);
    if (state.queue.total) loadItem(start); else setStatus("queue-progress", "The queue is empty. 队列为空。");
  }
}

function typing(event) {
  const t = event.target;
  return t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement ||
         (t instanceof HTMLInputElement && t.type === "text");
}

function onKey(event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && state.mode === "paste") {
    event.preventDefault(); tagPasted(); return;
  }
  if (event.key === "Enter" && event.target === $("add-label")) {
    event.preventDefault(); addLabel($("add-label").value); $("add-label").blur(); return;
  }
  if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Enter" && event.target instanceof HTMLButtonElement) return;  // the button's own click
  if (event.key === "?") { $("help").hidden = !$("help").hidden; return; }
  if (state.mode !== "queue" || !state.item) return;
  const key = event.key;
  if (key === "Enter" || key === "a") { event.preventDefault(); saveDecision(); }
  else if (/^[1-9]$/.test(key)) toggle(Number(key) - 1);
  else if (key === "+" || key === "l") { event.preventDefault(); $("add-label").focus(); }
  else if (key === "j" || key === "ArrowRight") step(1);
  else if (key === "k" || key === "ArrowLeft") step(-1);
}

async function start() {
  $("reviewer").value = localStorage.getItem(REVIEWER_KEY) || "";
  $("tag-button").addEventListener("click", tagPasted);
  $("save-button").addEventListener("click", saveDecision);
  $("prev-button").addEventListener("click", () => step(-1));
  $("next-button").addEventListener("click", () => step(1));
  // A mouse pick adds at once; arrow keys on a closed list also fire "change" in Chromium, so from the
  // keyboard the label is added by Enter (see onKey), not while browsing the list.
  let browsingByKeys = false;
  $("add-label").addEventListener("keydown", (e) => { if (e.key !== "Enter") browsingByKeys = true; });
  $("add-label").addEventListener("blur", () => { browsingByKeys = false; });
  $("add-label").addEventListener("change", (e) => { if (!browsingByKeys) addLabel(e.target.value); });
  $("tab-paste").addEventListener("click", () => setMode("paste"));
  $("tab-queue").addEventListener("click", () => setMode("queue"));
  $("help-toggle").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
  document.addEventListener("keydown", onKey);

  const taxonomy = await api("/v1/taxonomy");
  if (!taxonomy.ok) { setStatus("paste-status", taxonomy.body.message || "cannot reach the server", true); return; }
  state.categories = taxonomy.body.categories;
  for (const c of state.categories) { state.colours[c.id] = c.colour; state.names[c.id] = c.name; }
  const health = await api("/health");
  if (health.ok) {
    const v = health.body.versions;
    $("versions").textContent = `library ${v.library} · rules ${v.ruleset} · model ${v.model ?? "none"}`;
  }
  const queue = await api("/v1/review");
  if (queue.ok) {
    state.queue = queue.body;
    $("tab-queue").hidden = false;
    setMode("queue");
  }
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
