// A hand-written SVG radar of the primary scores (an <svg role="img"> with a text summary) and
// horizontal bars as an HTML list; the numbers also appear as text.

import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const fmt = (value) => (value === null || value === undefined || Number.isNaN(value) ? "–" : Number(value).toFixed(1));

// Long Chinese labels go on two lines so the chart stays narrow.
function splitLabel(label) {
  const text = String(label ?? "");
  if (text.length <= 7) return [text];
  const cut = text.indexOf("和") > 1 && text.indexOf("和") < text.length - 2 ? text.indexOf("和") + 1 : Math.ceil(text.length / 2);
  return [text.slice(0, cut), text.slice(cut)];
}

// points: [{label, value}] with value in 0..max. Returns an <svg>.
export function radarChart(points, { max = 100, label = "", size = 280 } = {}) {
  const pad = 80;
  const width = size + pad * 2;
  const height = size + 90;
  const cx = width / 2;
  const cy = size / 2 + 45;
  const radius = size / 2 - 10;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart radar",
    role: "img",
    "aria-label": label + "：" + points.map((p) => `${p.label} ${fmt(p.value)}`).join("，"),
  });
  svg.append(el("title", {}, label));
  const n = points.length;
  if (n < 3) return svg;
  const angle = (i) => -Math.PI / 2 + (2 * Math.PI * i) / n;
  const at = (i, r) => [cx + r * Math.cos(angle(i)), cy + r * Math.sin(angle(i))];
  for (const ring of [0.25, 0.5, 0.75, 1]) {
    const pts = points.map((_, i) => at(i, radius * ring).join(",")).join(" ");
    svg.append(el("polygon", { points: pts, class: "grid" }));
  }
  points.forEach((p, i) => {
    const [x, y] = at(i, radius);
    svg.append(el("line", { x1: cx, y1: cy, x2: x, y2: y, class: "axis" }));
    const [lx, ly] = at(i, radius + 16);
    const anchor = Math.abs(lx - cx) < 4 ? "middle" : lx > cx ? "start" : "end";
    const lines = splitLabel(p.label);
    const top = ly < cy - 4 ? -(lines.length) * 1.2 + 0.6 : ly > cy + 4 ? 0 : -(lines.length * 1.2) / 2 + 0.6;
    const text = el("text", { x: lx, y: ly, "text-anchor": anchor, class: "label" });
    lines.forEach((line, k) => text.append(el("tspan", { x: lx, dy: k === 0 ? `${top}em` : "1.2em" }, line)));
    text.append(el("tspan", { x: lx, dy: "1.2em", class: "value" }, fmt(p.value)));
    svg.append(text);
  });
  const shape = points
    .map((p, i) => at(i, radius * Math.max(0, Math.min(1, (Number(p.value) || 0) / max))).join(","))
    .join(" ");
  svg.append(el("polygon", { points: shape, class: "shape" }));
  points.forEach((p, i) => {
    const [x, y] = at(i, radius * Math.max(0, Math.min(1, (Number(p.value) || 0) / max)));
    svg.append(el("circle", { cx: x, cy: y, r: 3.5, class: "dot" }));
  });
  return svg;
}

// items: [{label, value, text}] (value ≥ 0): horizontal bars as an HTML list, scaled to the largest
// value. A long name is cut with "…" to keep the bars aligned; its full text is the button's
// tooltip (hover) and a tap or Enter shows it in place.
export function barList(items, { label = "", kind = "", expandLabel = "" } = {}) {
  const max = Math.max(...items.map((i) => Number(i.value) || 0), 0) || 1;
  const list = h("ol", { class: `hbars ${kind}`, "aria-label": label });
  for (const item of items) {
    const value = Math.max(0, Number(item.value) || 0);
    const name = h("button", {
      type: "button",
      class: "hbar-label",
      title: item.label,
      "aria-expanded": "false",
      "aria-label": `${item.label}${expandLabel ? ` (${expandLabel})` : ""}`,
    }, item.label);
    name.addEventListener("click", () => {
      const open = name.getAttribute("aria-expanded") !== "true";
      name.setAttribute("aria-expanded", String(open));
    });
    const fill = h("span", { class: "hbar-fill" });
    fill.style.width = `${(100 * value) / max}%`; // CSSOM, allowed under the page's style-src 'self'
    list.append(
      h("li", { class: "hbar" }, name,
        h("span", { class: "hbar-track", "aria-hidden": "true" }, fill),
        h("span", { class: "hbar-value" }, item.text ?? fmt(value))),
    );
  }
  return list;
}
