// The score card and the eligibility card: typed tool results (CONTRACT.md) → DOM, for staff who
// are not scoring experts. Every number carries its unit, every rank says what it is out of, full
// names are one hover or tap away, and the method's internals sit in a folded 技术信息 section.

import { barList, radarChart } from "./charts.js";
import { indicatorValue, num, points, shown, unitText, weight } from "./format.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const label = (i) => `${i.code ? i.code + " " : ""}${i.name || ""}`.trim();

function flagText(flag) {
  if (typeof flag === "string") return flag;
  return flag?.message || flag?.text || flag?.reason || flag?.code || JSON.stringify(flag);
}

function missingOf(card) {
  if (Array.isArray(card.missing) && card.missing.length) return card.missing.map(String);
  return (card.indicators || [])
    .filter((i) => i.status === "missing" || i.value === null || i.value === undefined)
    .map((i) => `${i.code} ${i.name}`);
}

// "一级指标3「…」缺 3.4、3.7 的数据（现有赋权 5.3 / 10，不足 2/3）" for each primary without a score.
const gapsText = (park) =>
  (park.gaps || []).length ? park.gaps.map((g) => t("coverageGap", g)).join(t("listSeparator")) : park.reason || "";

// Which parks of the cohort have no rank, and why (only those the caller may see are named).
function unrankedNote(card) {
  const count = Math.max(0, (card.cohort_size || 0) - (card.rankable_count || card.cohort_size || 0));
  if (!count) return null;
  const named = (card.unrankable || []).filter((u) => u.park_id !== card.park_id);
  const self = (card.unrankable || []).find((u) => u.park_id === card.park_id);
  const others = count - named.length - (self ? 1 : 0);
  const items = named.map((u) => h("li", {}, h("strong", {}, `${u.park_id} ${u.name || ""}`.trim()), t("colon"), gapsText(u)));
  if (others > 0) items.push(h("li", {}, t("unrankedOthers", others)));
  return h(
    "div",
    { class: "unranked-note", role: "note" },
    h("p", {}, t("rankBasis", card.rankable_count, card.cohort_size)),
    items.length ? h("ul", {}, items) : null,
  );
}

function rankText(card) {
  if (card.rankable === false || card.total === null || card.rank === null || card.rank === undefined) return t("notRankable");
  return t("rankOf", card.rank, card.rankable_count || card.cohort_size);
}

function primaryTable(card) {
  const rows = (card.primaries || []).map((p) =>
    h(
      "tr",
      {},
      h("th", { scope: "row", "data-label": t("colPrimary") }, `${p.code ? p.code + " " : ""}${p.name}`),
      h("td", { class: "num", "data-label": t("colWeight") }, weight(p.weight)),
      h("td", { class: "num score", "data-label": t("colScore") }, points(p.score)),
      h("td", { class: "num median", "data-label": t("colMedian") }, points(p.median)),
      h("td", { class: "num rank", "data-label": t("colRank") },
        p.rank ? t("rankOfShort", p.rank, p.ranked || card.rankable_count || card.cohort_size) : t("noRank")),
    ),
  );
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "card-table primary-table" },
      h("caption", { class: "sr-only" }, t("primaries")),
      h("thead", {}, h("tr", {}, [t("colPrimary"), t("colWeight"), t("colScore"), t("colMedian"), t("colRank")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows),
    ),
  );
}

const STATUS_SHOWN = new Set(["derived", "missing", "no_reference", "median_imputed", "zero_filled"]);

function indicatorTable(card) {
  const indicators = card.indicators || [];
  if (!indicators.length) return null;
  const rows = indicators.map((i) =>
    h(
      "tr",
      { class: `status-${i.status}` },
      h("th", { scope: "row", "data-label": t("colIndicator") }, label(i),
        STATUS_SHOWN.has(i.status) ? h("span", { class: "status-note" }, ` ${t("indicatorStatus")[i.status] || i.status}`) : null),
      h("td", { class: "num", "data-label": t("colParkValue") }, indicatorValue(i)),
      h("td", { class: "num median", "data-label": t("colMedian") }, indicatorValue(i, i.median)),
      h("td", { class: "num", "data-label": t("colNormalized") }, num(i.normalized)),
      h("td", { class: "num", "data-label": t("colContribution") }, points(i.contribution)),
      h("td", { class: "num", "data-label": t("colHeadroom") }, points(i.headroom)),
    ),
  );
  return h(
    "details",
    { class: "fold indicator-fold" },
    h("summary", {}, t("allIndicators", indicators.length)),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "card-table indicator-table" },
        h("thead", {}, h("tr", {}, [t("colIndicator"), t("colParkValue"), t("colMedian"), t("colNormalized"), t("colContribution"), t("colHeadroom")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows),
      ),
    ),
  );
}

function techInfo(card) {
  const rows = [
    [t("method"), card.method],
    [t("registry"), card.registry],
    [t("engineVersion"), card.engine_version],
    [t("inputHash"), card.input_sha256],
  ].filter(([, v]) => v);
  return h(
    "details",
    { class: "fold tech-info" },
    h("summary", {}, t("techInfo")),
    h("dl", { class: "card-meta" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", { class: k === t("inputHash") ? "mono" : null }, String(v))])),
    card.rounding_note ? h("p", { class: "fineprint" }, t("roundingNote")) : null,
  );
}

export function renderScoreCard(card) {
  const primaries = card.primaries || [];
  const maxScore = Math.max(100, ...primaries.map((p) => Number(p.score) || 0));
  const indicators = (card.indicators || []).filter((i) => i.status !== "missing");
  const bars = (key) =>
    [...indicators]
      .filter((i) => Number(i[key]) > 0)
      .sort((a, b) => b[key] - a[key])
      .slice(0, 5)
      .map((i) => ({ label: label(i), value: i[key], text: points(i[key]) }));
  const top = bars("contribution");
  const headroom = bars("headroom");
  const missing = missingOf(card);

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
      h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, t("total")), h("span", { class: "kpi-value total" }, num(card.total)),
        card.median_total !== null && card.median_total !== undefined
          ? h("span", { class: "kpi-median" }, `${t("median")} ${num(card.median_total)}`)
          : null),
      h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, t("rank")), h("span", { class: "kpi-value rank" }, rankText(card))),
    ),
    card.rankable === false && (card.reasons || []).length
      ? h("p", { class: "notice", role: "note" }, t("selfNotRanked"), gapsText((card.unrankable || []).find((u) => u.park_id === card.park_id) || { reason: card.reasons.join("；") }))
      : null,
    unrankedNote(card),
    primaryTable(card),
    h(
      "div",
      { class: "card-grid" },
      h(
        "figure",
        { class: "figure radar-figure" },
        radarChart(
          primaries.map((p) => ({ label: p.name || p.code, value: p.score })),
          { max: maxScore, label: t("primaries") },
        ),
        h("figcaption", {}, t("primaries")),
      ),
      h(
        "div",
        { class: "bars-col" },
        top.length ? h("figure", { class: "figure" }, h("figcaption", {}, t("topContributions")), barList(top, { label: t("topContributions"), kind: "contrib", expandLabel: t("showFullName") })) : null,
        headroom.length ? h("figure", { class: "figure" }, h("figcaption", {}, t("largestHeadroom")), barList(headroom, { label: t("largestHeadroom"), kind: "headroom", expandLabel: t("showFullName") })) : null,
      ),
    ),
    indicatorTable(card),
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
    ),
    techInfo(card),
    h("p", { class: "fineprint" }, card.synthetic ? `${t("syntheticHint")}${t("stop")}${t("unofficial")}` : t("unofficial")),
  );
}

// ---- eligibility --------------------------------------------------------------------------------

const OPERATORS = { ">=": "≥", "<=": "≤" };
const MARK = { true: "✓", false: "✗", null: "?" };

const targetUnit = (target) => [target.display_unit ?? target.unit ?? "", target.display_scale || 1];

// "≥ 50 万元/人": the threshold in the row's unit; a compound or yes/no target as printed.
function requirement(target) {
  const [unit, scale] = targetUnit(target);
  if (OPERATORS[target.op || ">="] && target.threshold !== null && target.threshold !== undefined) {
    return `${OPERATORS[target.op || ">="]} ${shown(target.threshold, unit, scale)}`;
  }
  return target.requirement || "–";
}

function parkValue(target) {
  if ((target.parts || []).length) {
    return h(
      "ul",
      { class: "parts" },
      target.parts.map((p, k) =>
        h(
          "li",
          { class: `part met-${p.met}` },
          k > 0 && p.alternative && target.parts[k - 1].alternative ? h("span", { class: "muted" }, `${t("or")} `) : null,
          `${p.label} `,
          h("span", { class: "num" }, t("partCount", p.value, p.required, unitText(p.unit))),
          " ",
          h("span", { class: `met-mark met-${p.met}`, "aria-label": t("met")[String(p.met)] }, MARK[String(p.met)]),
        ),
      ),
    );
  }
  if (target.op === "is_true") return target.value === null || target.value === undefined ? "–" : t("yesNo")[String(Boolean(target.value))];
  const [unit, scale] = targetUnit(target);
  return shown(target.value, unit, scale);
}

function gap(target) {
  if (target.met !== false || target.gap === null || target.gap === undefined) return "";
  if ((target.parts || []).length) return num(target.gap);
  const [unit, scale] = targetUnit(target);
  return shown(target.gap, unit, scale);
}

export function renderEligibility(result) {
  const rows = (result.targets || []).map((target) => {
    const met = target.met === true ? "true" : target.met === false ? "false" : "null";
    const compound = (target.parts || []).length > 0;
    return h(
      "tr",
      { class: `met-${met}${compound ? " compound" : ""}` },
      h("th", { scope: "row", "data-label": t("colTarget") }, target.no ? `${target.no}. ${target.name}` : target.name),
      h("td", { class: compound ? "requirement" : "num requirement", "data-label": t("colThreshold"), title: target.requirement || null }, requirement(target)),
      h("td", { class: compound ? "value" : "num value", "data-label": t("colValue") }, parkValue(target)),
      h("td", { class: "met", "data-label": t("colMet") },
        h("span", { class: `met-mark met-${met}`, "aria-hidden": "true" }, MARK[met]), " ", t("met")[met],
        target.near_miss ? h("span", { class: "badge near-miss" }, t("nearMiss")) : null),
      h("td", { class: "num gap", "data-label": t("colGap") }, gap(target)),
    );
  });
  const overall = t("overall")[result.overall] || result.overall;
  return h(
    "section",
    { class: "eligibility", "aria-label": t("eligibility") },
    h(
      "header",
      { class: "card-head" },
      h("h3", {}, `${t("eligibility")} · ${result.category || ""}`, " ", h("span", { class: `badge overall-${result.overall}` }, overall)),
      result.synthetic ? h("span", { class: "badge synthetic", title: t("syntheticHint"), role: "note" }, t("synthetic")) : null,
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "elig-table card-table" },
        h("thead", {}, h("tr", {}, [t("colTarget"), t("colThreshold"), t("colValue"), t("colMet"), t("colGap")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows),
      ),
    ),
    (result.notes || []).length ? h("ul", { class: "fineprint notes" }, result.notes.map((n) => h("li", {}, n))) : null,
    result.citation ? h("p", { class: "fineprint" }, `${t("basis")}${t("colon")}${[result.citation.doc, result.citation.section].filter(Boolean).join(" ")}`) : null,
    result.synthetic ? h("p", { class: "fineprint" }, `${t("syntheticHint")}${t("stop")}`) : null,
  );
}
