// Two small hand-written SVG charts: a radar of the primary scores and horizontal bars.
// Each chart is an <svg role="img"> with a text summary; the numbers also appear as text.

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

// items: [{label, value}] (value ≥ 0). Horizontal bars scaled to the largest value.
export function barChart(items, { label = "", unit = "", kind = "" } = {}) {
  const rowH = 26;
  const labelW = 190;
  const barW = 200;
  const width = labelW + barW + 60;
  const height = Math.max(rowH, items.length * rowH) + 6;
  const max = Math.max(...items.map((i) => Number(i.value) || 0), 0) || 1;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: `chart bars ${kind}`,
    role: "img",
    "aria-label": label + "：" + items.map((i) => `${i.label} ${fmt(i.value)}${unit}`).join("，"),
  });
  svg.append(el("title", {}, label));
  items.forEach((item, row) => {
    const y = row * rowH + 3;
    const value = Math.max(0, Number(item.value) || 0);
    const name = item.label.length > 14 ? item.label.slice(0, 13) + "…" : item.label;
    const text = el("text", { x: labelW - 8, y: y + rowH / 2, "text-anchor": "end", "dominant-baseline": "middle", class: "label" }, name);
    text.append(el("title", {}, item.label));
    svg.append(text);
    svg.append(el("rect", { x: labelW, y: y + 4, width: barW, height: rowH - 10, class: "track", rx: 3 }));
    svg.append(el("rect", { x: labelW, y: y + 4, width: (barW * value) / max, height: rowH - 10, class: "bar", rx: 3 }));
    svg.append(el("text", { x: labelW + barW + 6, y: y + rowH / 2, "dominant-baseline": "middle", class: "value" }, fmt(item.value) + unit));
  });
  return svg;
}
