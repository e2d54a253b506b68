/**
 * The dashboard page: plain HTML and JavaScript, no build step. It polls `/api/runs` every 2 s for experiments, runs
 * and live logs; each live log gets an inline-SVG chart fed by server-sent events from `/api/live`; each committed run
 * shows its summary.csv as a table (means to 6 significant digits, 95% CI) and its SVG figures.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>supplygym dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
  header { background: #1d2430; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header span { color: #aab; font-size: 12px; }
  main { padding: 12px 20px; }
  section.experiment { background: #fff; border: 1px solid #dde; border-radius: 6px; margin-bottom: 16px; padding: 8px 16px 16px; }
  h2 { font-size: 16px; margin: 8px 0; }
  h3 { font-size: 14px; margin: 12px 0 6px; color: #445; }
  .charts { display: flex; flex-wrap: wrap; gap: 12px; }
  .chart { border: 1px solid #e3e5ea; border-radius: 4px; padding: 6px; background: #fcfcfd; }
  .chart .title { font-size: 12px; color: #334; display: flex; justify-content: space-between; gap: 8px; }
  .badge { font-size: 11px; padding: 0 6px; border-radius: 8px; background: #e6f4ea; color: #1e7d32; }
  .badge.idle { background: #eee; color: #777; }
  table.summary { border-collapse: collapse; font-size: 12px; margin: 4px 0 8px; }
  table.summary th, table.summary td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: right; }
  table.summary th:first-child, table.summary th:nth-child(2), table.summary td:first-child, table.summary td:nth-child(2) { text-align: left; }
  details.run { margin: 6px 0; }
  details.run summary { cursor: pointer; font-weight: 600; }
  .figures img { max-width: 480px; border: 1px solid #eee; margin: 4px; background: #fff; }
  select { font-size: 12px; }
</style>
</head>
<body>
<header><h1>supplygym dashboard</h1><span id="root"></span><span id="status">loading…</span></header>
<main id="main"></main>
<script>
const charts = new Map();
const AVG = (p) => p.agent === undefined;
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}
const NS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
function fmt(x) { return x === null || x === undefined || x === "" || Number.isNaN(Number(x)) ? "-" : Number(x).toPrecision(6); }

function drawChart(c) {
  const W = 360, H = 180, L = 48, B = 22, T = 8, R = 8;
  const pts = c.points.filter((p) => p.metric === c.metric && AVG(p) && p.value !== null);
  c.box.setAttribute("data-points", String(pts.length));
  c.svg.replaceChildren();
  c.svg.append(svgEl("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "#fff", stroke: "#ccd" }));
  if (pts.length === 0) return;
  const xs = pts.map((p) => p.step), ys = pts.map((p) => p.value);
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R), sy = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  c.svg.append(svgEl("polyline", { points: pts.map((p) => sx(p.step) + "," + sy(p.value)).join(" "), fill: "none", stroke: "#1f77b4", "stroke-width": 1.6 }));
  for (const [y, v] of [[T + 10, y1], [H - B, y0]]) { const t = svgEl("text", { x: L - 4, y, "text-anchor": "end", "font-size": 10 }); t.textContent = Number(v).toPrecision(3); c.svg.append(t); }
  for (const [x, v, a] of [[L, x0, "start"], [W - R, x1, "end"]]) { const t = svgEl("text", { x, y: H - 6, "text-anchor": a, "font-size": 10 }); t.textContent = "step " + v; c.svg.append(t); }
  c.last.textContent = "step " + xs[xs.length - 1] + ": " + Number(ys[ys.length - 1]).toPrecision(4);
}

function liveChart(exp, task, parent) {
  const key = exp + "/" + task;
  if (charts.has(key)) return charts.get(key);
  const svg = svgEl("svg", { width: 360, height: 180, viewBox: "0 0 360 180" });
  const select = el("select", {});
  const badge = el("span", { class: "badge" }, "live");
  const last = el("span", {}, "");
  const box = el("div", { class: "chart", "data-experiment": exp, "data-task": task, "data-points": "0" },
    el("div", { class: "title" }, el("b", {}, task), badge), el("div", {}, select, " ", last), svg);
  parent.append(box);
  const c = { points: [], metric: "rollout/episode_return_mean", svg, box, select, badge, last, metrics: new Set() };
  select.onchange = () => { c.metric = select.value; drawChart(c); };
  const es = new EventSource("/api/live?experiment=" + encodeURIComponent(exp) + "&task=" + encodeURIComponent(task));
  es.addEventListener("reset", () => { c.points = []; drawChart(c); });
  es.onmessage = (ev) => {
    for (const p of JSON.parse(ev.data)) {
      c.points.push(p);
      const tag = p.agent === undefined ? p.metric : null;
      if (tag && !c.metrics.has(tag)) { c.metrics.add(tag); select.append(el("option", { value: tag }, tag)); select.value = c.metric; }
    }
    drawChart(c);
  };
  charts.set(key, c);
  drawChart(c);
  return c;
}

function summaryTable(rows) {
  const t = el("table", { class: "summary" });
  t.append(el("tr", {}, ...["condition", "metric", "mean", "95% CI", "n"].map((h) => el("th", {}, h))));
  for (const r of rows) {
    t.append(el("tr", { "data-condition": r.condition, "data-metric": r.metric },
      el("td", {}, r.condition), el("td", {}, r.metric), el("td", { class: "mean" }, fmt(r.mean)),
      el("td", {}, "[" + fmt(r.ci_low) + ", " + fmt(r.ci_high) + "]"), el("td", {}, r.n)));
  }
  return t;
}

const sections = new Map();
async function refresh() {
  let data;
  try { data = await (await fetch("/api/runs")).json(); } catch (e) { document.getElementById("status").textContent = "server unreachable"; return; }
  document.getElementById("root").textContent = data.root;
  document.getElementById("status").textContent = "updated " + new Date().toLocaleTimeString();
  const main = document.getElementById("main");
  if (data.experiments.length === 0 && main.children.length === 0) main.append(el("p", { id: "empty" }, "No runs yet under this results folder."));
  for (const exp of data.experiments) {
    document.getElementById("empty")?.remove();
    let s = sections.get(exp.name);
    if (!s) {
      const liveBox = el("div", { class: "charts" }), runsBox = el("div", {});
      const sec = el("section", { class: "experiment", "data-experiment": exp.name }, el("h2", {}, exp.name), el("h3", {}, "Live learning curves"), liveBox, el("h3", {}, "Finished runs"), runsBox);
      main.append(sec);
      s = { liveBox, runsBox, runs: new Set() };
      sections.set(exp.name, s);
    }
    for (const l of exp.live) {
      const c = liveChart(exp.name, l.task, s.liveBox);
      const running = Date.now() - l.mtime < 15000;
      c.badge.textContent = running ? "running" : "idle";
      c.badge.className = running ? "badge" : "badge idle";
    }
    for (const run of exp.runs) {
      if (s.runs.has(run.id)) continue;
      s.runs.add(run.id);
      const figs = el("div", { class: "figures" }, ...run.figures.map((f) => el("img", { src: "/files/" + encodeURIComponent(exp.name) + "/" + encodeURIComponent(run.id) + "/" + encodeURIComponent(f), alt: f, title: f })));
      const d = el("details", { class: "run", "data-run": run.id }, el("summary", {}, run.id), run.summary.length > 0 ? summaryTable(run.summary) : el("p", {}, "no summary.csv"), figs);
      if (s.runs.size === 1) d.open = true;
      s.runsBox.prepend(d);
    }
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
