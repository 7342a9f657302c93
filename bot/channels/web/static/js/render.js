// Answer JSON (CONTRACT.md POST /api/chat) → DOM. Text always goes in as text, never as HTML.

import { barChart, radarChart } from "./charts.js";
import { t } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const num = (value, digits = 2) =>
  value === null || value === undefined || value === "" || Number.isNaN(Number(value))
    ? "–"
    : Number(value).toLocaleString("zh-CN", { maximumFractionDigits: digits });

// ---- answer text with [n] chips ---------------------------------------------------------------

const TOKEN = /(\*\*[^*\n]+\*\*|\[\d+\])/g;

export function citationChip(citation, onOpen) {
  return h(
    "button",
    {
      type: "button",
      class: "chip",
      "data-n": citation.n,
      "aria-label": t("openSource", citation.n, citation.title || citation.doc),
      title: [citation.title, citation.section].filter(Boolean).join(" · "),
      onclick: () => onOpen(citation),
    },
    String(citation.n),
  );
}

function inline(parent, text, byN, onOpen) {
  for (const part of String(text).split(TOKEN)) {
    if (!part) continue;
    const marker = /^\[(\d+)\]$/.exec(part);
    if (marker && byN.has(Number(marker[1]))) parent.append(citationChip(byN.get(Number(marker[1])), onOpen));
    else if (/^\*\*[^*]+\*\*$/.test(part)) parent.append(h("strong", {}, part.slice(2, -2)));
    else parent.append(document.createTextNode(part));
  }
  return parent;
}

const cells = (line) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());

// The answer's light markdown: paragraphs, "- " lists, "|" tables, **bold**, [n] chips.
export function renderAnswerText(text, citations = [], onOpen = () => {}) {
  const byN = new Map(citations.map((c) => [Number(c.n), c]));
  const body = h("div", { class: "answer-text" });
  const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
    } else if (line.trim().startsWith("|")) {
      const rows = [];
      while (i < lines.length && lines[i].trim().startsWith("|")) rows.push(lines[i++]);
      const data = rows.filter((r) => !/^\|?[\s:|-]+$/.test(r.trim())).map(cells);
      const [head, ...rest] = data;
      body.append(
        h("div", { class: "table-wrap" }, h("table", { class: "md-table" },
          h("thead", {}, h("tr", {}, head.map((c) => inline(h("th", { scope: "col" }), c, byN, onOpen)))),
          h("tbody", {}, rest.map((r) => h("tr", {}, r.map((c) => inline(h("td"), c, byN, onOpen))))),
        )),
      );
    } else if (/^\s*[-*•]\s+/.test(line)) {
      const list = h("ul");
      while (i < lines.length && /^\s*[-*•]\s+/.test(lines[i])) {
        list.append(inline(h("li"), lines[i++].replace(/^\s*[-*•]\s+/, ""), byN, onOpen));
      }
      body.append(list);
    } else {
      const para = [];
      while (i < lines.length && lines[i].trim() && !lines[i].trim().startsWith("|") && !/^\s*[-*•]\s+/.test(lines[i])) {
        para.push(lines[i++].replace(/^#{1,6}\s+/, ""));
      }
      body.append(inline(h("p"), para.join("\n"), byN, onOpen));
    }
  }
  return body;
}

export function renderSources(citations = [], onOpen = () => {}) {
  if (!citations.length) return null;
  const list = h("ol", { class: "source-list" });
  for (const c of citations) {
    list.append(
      h(
        "li",
        { value: c.n },
        h(
          "button",
          { type: "button", class: "source-link", onclick: () => onOpen(c) },
          h("span", { class: "source-n" }, `[${c.n}]`),
          " ",
          c.title || c.doc,
          c.doc && c.doc !== c.title ? h("span", { class: "muted" }, ` ${c.doc}`) : null,
          c.section ? h("span", { class: "muted" }, ` · ${c.section}`) : null,
        ),
      ),
    );
  }
  return h("section", { class: "sources", "aria-label": t("sources") }, h("h3", {}, t("sources")), list);
}

// Fill the passage dialog with one citation.
export function renderPassage(c) {
  const rows = [
    [t("docNo"), c.doc && c.doc !== c.title ? c.doc : "–"],
    [t("section"), c.section || "–"],
    [t("date"), c.date || "–"],
  ];
  if (c.status && c.status !== "in_force") rows.push([t("status"), c.status]);
  return h(
    "div",
    { class: "passage" },
    h("h2", { id: "passage-title", class: "passage-title" }, `[${c.n}] ${c.title || c.doc}`),
    h("dl", { class: "passage-meta" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("blockquote", { class: "passage-text" }, c.text || ""),
  );
}

// ---- score card --------------------------------------------------------------------------------

function missingOf(card) {
  if (Array.isArray(card.missing) && card.missing.length) return card.missing.map(String);
  return (card.indicators || [])
    .filter((i) => i.status === "missing" || i.value === null || i.value === undefined)
    .map((i) => `${i.code} ${i.name}`);
}

function flagText(flag) {
  if (typeof flag === "string") return flag;
  return flag?.message || flag?.text || flag?.reason || flag?.code || JSON.stringify(flag);
}

// Weights arrive as fractions (0.3) or per cent (30); both read "权重 30%".
const weightText = (w) =>
  w === null || w === undefined || Number.isNaN(Number(w)) ? "" : `${t("weight")} ${num(Number(w) <= 1 ? w * 100 : w, 1)}%`;

const label = (i) => `${i.code ? i.code + " " : ""}${i.name || ""}`.trim();

export function renderScoreCard(card) {
  const primaries = card.primaries || [];
  const maxScore = Math.max(100, ...primaries.map((p) => Number(p.score) || 0));
  const indicators = (card.indicators || []).filter((i) => i.status !== "missing");
  const top = [...indicators]
    .filter((i) => Number(i.contribution) > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 5)
    .map((i) => ({ label: label(i), value: i.contribution }));
  const headroom = [...indicators]
    .filter((i) => Number(i.headroom) > 0)
    .sort((a, b) => b.headroom - a.headroom)
    .slice(0, 5)
    .map((i) => ({ label: label(i), value: i.headroom }));
  const missing = missingOf(card);
  const rankText =
    card.rankable === false || card.total === null || card.rank === null || card.rank === undefined
      ? t("notRankable")
      : t("rankOf", card.rank, card.cohort_size);

  return h(
    "section",
    { class: "score-card", "aria-label": `${t("scoreCard")} ${card.name || card.park_id}` },
    h(
      "header",
      { class: "card-head" },
      h("h3", {}, `${t("scoreCard")} · ${card.name || card.park_id}`, card.year ? ` (${card.year})` : ""),
      card.synthetic ? h("span", { class: "badge synthetic", title: t("syntheticHint"), role: "note" }, t("synthetic")) : null,
    ),
    h(
      "div",
      { class: "kpis" },
      h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, t("total")), h("span", { class: "kpi-value total" }, num(card.total))),
      h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, t("rank")), h("span", { class: "kpi-value rank" }, rankText)),
    ),
    h(
      "div",
      { class: "card-grid" },
      h(
        "figure",
        { class: "figure" },
        radarChart(
          primaries.map((p) => ({ label: p.name || p.code, value: p.score })),
          { max: maxScore, label: t("primaries") },
        ),
        h("figcaption", {}, t("primaries")),
        h(
          "table",
          { class: "mini-table" },
          h("tbody", {}, primaries.map((p) =>
            h("tr", {}, h("th", { scope: "row" }, `${p.code ? p.code + " " : ""}${p.name}`), h("td", {}, num(p.score)),
              h("td", { class: "muted" }, weightText(p.weight))),
          )),
        ),
      ),
      h(
        "div",
        { class: "bars-col" },
        top.length ? h("figure", { class: "figure" }, h("figcaption", {}, t("topContributions")), barChart(top, { label: t("topContributions"), kind: "contrib" })) : null,
        headroom.length ? h("figure", { class: "figure" }, h("figcaption", {}, t("largestHeadroom")), barChart(headroom, { label: t("largestHeadroom"), kind: "headroom" })) : null,
      ),
    ),
    h(
      "dl",
      { class: "card-meta" },
      h("dt", {}, t("missing")),
      h("dd", { class: "missing" }, missing.length ? missing.join("、") : t("noMissing")),
      (card.flags || []).length
        ? [
            h("dt", {}, t("flags")),
            h("dd", {}, h("details", { class: "flags" },
              h("summary", {}, t("flagCount", card.flags.length)),
              h("ul", {}, card.flags.map((f) => h("li", {}, flagText(f)))))),
          ]
        : null,
      h("dt", {}, t("method")),
      h("dd", { class: "method" }, card.method || "–"),
      h("dt", {}, t("registry")),
      h("dd", { class: "registry" }, card.registry || "–"),
      card.input_sha256 ? [h("dt", {}, t("inputHash")), h("dd", { class: "mono" }, String(card.input_sha256).slice(0, 12))] : null,
    ),
    h("p", { class: "fineprint" }, card.synthetic ? `${t("syntheticHint")}${t("stop")}${t("unofficial")}` : t("unofficial")),
    card.notice ? h("p", { class: "fineprint notice-text" }, card.notice) : null,
  );
}

// ---- eligibility table --------------------------------------------------------------------------

const RATIO_UNITS = new Set(["比例", "ratio", "%"]);

// Ratios are fractions in the API (0.085 = 8.5%); money and counts carry their unit.
export function quantity(value, unit) {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "object") return JSON.stringify(value);
  if (RATIO_UNITS.has(unit) && typeof value === "number") return `${num(value * 100, 2)}%`;
  return unit ? `${num(value, 4)} ${unit}` : num(value, 4);
}

export function renderEligibility(result) {
  const rows = (result.targets || []).map((target) => {
    const met = target.met === true ? "true" : target.met === false ? "false" : "null";
    return h(
      "tr",
      { class: `met-${met}` },
      h("th", { scope: "row" }, target.no ? `${target.no}. ${target.name}` : target.name),
      h("td", { class: "num" }, target.requirement || quantity(target.threshold, target.unit)),
      h("td", { class: "num" }, quantity(target.value, target.unit)),
      h("td", { class: "met" }, h("span", { class: `met-mark met-${met}`, "aria-hidden": "true" }, met === "true" ? "✓" : met === "false" ? "✗" : "?"), " ", t("met")[met]),
      h("td", { class: "num" }, quantity(target.gap, target.unit)),
    );
  });
  const overall = t("overall")[result.overall] || result.overall;
  return h(
    "section",
    { class: "eligibility", "aria-label": t("eligibility") },
    h("h3", {}, `${t("eligibility")} · ${result.category || ""}`, " ", h("span", { class: `badge overall-${result.overall}` }, overall)),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "elig-table" },
        h("thead", {}, h("tr", {}, [t("colTarget"), t("colThreshold"), t("colValue"), t("colMet"), t("colGap")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows),
      ),
    ),
    result.citation ? h("p", { class: "fineprint" }, `${t("basis")}：${[result.citation.doc, result.citation.section].filter(Boolean).join(" ")}`) : null,
  );
}

// Score cards and eligibility tables from an answer's typed tool results: each result names its
// kind (CONTRACT.md POST /api/chat, bot/assistant/types.py), so nothing here guesses a shape.
const CARDS_OF = {
  score_card: (r) => [r.card],
  explanation: (r) => [r.card],
  comparison: (r) => r.cards || [],
  what_if: (r) => [r.after],
};

export function renderToolResults(toolCalls = []) {
  const out = [];
  const seen = new Set();
  for (const call of toolCalls) {
    const result = call?.result;
    if (!call?.ok || !result || typeof result !== "object") continue;
    if (result.kind === "eligibility" && result.eligibility) {
      const report = result.eligibility;
      const key = `elig:${report.category}:${JSON.stringify((report.targets || []).map((x) => x.value))}`;
      if (!seen.has(key)) out.push(renderEligibility(report));
      seen.add(key);
      continue;
    }
    for (const card of (CARDS_OF[result.kind] || (() => []))(result)) {
      if (!card) continue;
      const key = `card:${card.park_id}:${card.input_sha256}:${card.total}`;
      if (!seen.has(key)) out.push(renderScoreCard(card));
      seen.add(key);
    }
  }
  return out;
}

// How a source reads in copied text: the server's citation_label (bot/channels/citations.py).
export function citationLabel(c) {
  const doc = `《${c.title || c.doc}》` + (c.doc && c.doc !== c.title ? `（${c.doc}）` : "");
  return `[${c.n}] ${doc} ${c.section || ""}`.trimEnd();
}

// The text copied by the draft-mode copy button: the letter and the documents it relies on.
export function plainText(answer) {
  const text = String(answer.answer || "").replace(/\*\*([^*]+)\*\*/g, "$1");
  const sources = (answer.citations || []).map(citationLabel);
  return sources.length ? `${text}\n\n${t("sources")}：\n${sources.join("\n")}` : text;
}
