// Numbers as staff read them: grouped digits, per cent for shares, 万元/亿元 for large sums, and
// every number of a row in one unit. The scoring engine names the unit (display_unit) and the
// divisor (display_scale) of each indicator and each eligibility target; this only shows it.

import { lang, t } from "./i18n.js";

const missing = (value) => value === null || value === undefined || value === "" || Number.isNaN(Number(value));

// 12,345.67 (at most `digits` decimals); "–" for no value.
export function num(value, digits = 2) {
  if (missing(value)) return "–";
  return Number(value).toLocaleString(lang() === "en" ? "en-US" : "zh-CN", { maximumFractionDigits: digits });
}

// A unit as the interface's language writes it (the data's units are Chinese).
export function unitText(unit) {
  if (!unit) return "";
  const words = t("units");
  return Object.prototype.hasOwnProperty.call(words, unit) ? words[unit] : unit;
}

// value / scale with its unit: 0.095 with ("%", 0.01) → "9.5%", 560000 with ("万元/人", 10000) → "56 万元/人".
export function shown(value, unit = "", scale = 1) {
  if (missing(value)) return "–";
  const text = num(Number(value) / (Number(scale) || 1), 2);
  if (unit === "%") return `${text}%`;
  const word = unitText(unit);
  return word ? `${text} ${word}` : text;
}

// Scores and points (0–100 scale, contributions), always two decimals so that columns align:
// "36.26 分" / "3.00 pts".
export const points = (value) =>
  missing(value)
    ? "–"
    : `${Number(value).toLocaleString(lang() === "en" ? "en-US" : "zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${t("pointsUnit")}`;

// Weights arrive as fractions (0.3) or per cent (30); both read "30%".
export const weight = (w) => (missing(w) ? "" : `${num(Number(w) <= 1 ? w * 100 : w, 1)}%`);

// How a number of one indicator reads: the card's unit for it.
export const indicatorValue = (indicator, value = indicator.value) =>
  shown(value, indicator.display_unit || indicator.unit || "", indicator.display_scale || 1);
