// Answer JSON (CONTRACT.md POST /api/chat) → DOM. Text always goes in as text, never as HTML.

import { renderEligibility, renderScoreCard } from "./cards.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export { h };

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

// A short cell with a number in it ("255,961.28", "≥ 35%", "56 万元/人") never wraps: it scrolls.
const CJK = /[\u3400-\u9fff]/gu;
const isNumeric = (cell) => /\d/.test(cell) && cell.length <= 24 && (cell.match(CJK) || []).length <= 6;
// A short word ("年龄", "✓ 达到") is not broken into single characters either.
const cellClass = (cell) => (isNumeric(cell) ? "num" : cell.length <= 6 ? "short" : null);

function markdownTable(rows, byN, onOpen, { collapseAfter, collapsed }) {
  const data = rows.filter((r) => !/^\|?[\s:|-]+$/.test(r.trim())).map(cells);
  const [head, ...rest] = data;
  const table = h("div", { class: "table-wrap" }, h("table", { class: "md-table" },
    h("thead", {}, h("tr", {}, head.map((c) => inline(h("th", { scope: "col" }), c, byN, onOpen)))),
    h("tbody", {}, rest.map((r) => h("tr", {}, r.map((c) => inline(h("td", { class: cellClass(c) }), c, byN, onOpen))))),
  ));
  if (rest.length <= collapseAfter) return table;
  // a long table folds (closed on a phone) so that the answer around it stays in view
  return h("details", { class: "fold table-fold", open: !collapsed }, h("summary", {}, t("tableRows", rest.length)), table);
}

// A paragraph that is one bold phrase: the caption of the table after it.
const isCaption = (node) =>
  node?.tagName === "P" && node.childNodes.length === 1 && node.firstChild.tagName === "STRONG";

// The answer's light markdown: paragraphs, "- " lists, "|" tables, **bold**, [n] chips.
// Options: tables: false leaves the tables out (a card shows the same numbers); a table longer than
// collapseAfter rows folds, closed when collapsed is true.
export function renderAnswerText(text, citations = [], onOpen = () => {}, { tables = true, collapseAfter = 8, collapsed = false } = {}) {
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
      if (tables) body.append(markdownTable(rows, byN, onOpen, { collapseAfter, collapsed }));
      else if (isCaption(body.lastElementChild)) body.lastElementChild.remove(); // "**失分最多**" above a table left out
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
  if (c.status && c.status !== "in_force") rows.push([t("status"), t("docStatus")[c.status] || c.status]);
  return h(
    "div",
    { class: "passage" },
    h("h2", { id: "passage-title", class: "passage-title" }, `[${c.n}] ${c.title || c.doc}`),
    h("dl", { class: "passage-meta" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("blockquote", { class: "passage-text" }, c.text || ""),
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

// Results whose card shows every number of the table the answer text carries for other channels:
// with one of these on the page the text's tables are left out (one table, not two). An
// explanation's tables stay: they pick the indicators asked about, which the card only lists folded.
const CARD_COVERS_TEXT = new Set(["eligibility", "score_card"]);

export function cardsCoverText(toolCalls = []) {
  const kinds = toolCalls.filter((c) => c?.ok && c.result && typeof c.result === "object").map((c) => c.result.kind);
  return kinds.length > 0 && kinds.every((k) => CARD_COVERS_TEXT.has(k));
}

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
