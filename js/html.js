// The self-contained HTML report (`--html FILE`): one file that opens offline.
// The report (and the history, when given) is embedded as JSON; the treemap
// layout is d3-hierarchy's, inlined from node_modules; the page's own script
// (the profile's views and flame graphs too) and styles are inline. Nothing
// is fetched when the page opens.
import { readFileSync } from "node:fs";
import { HTML_MARKER } from "./outputs.js";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let d3Source;
/** d3-hierarchy's UMD build (it defines `globalThis.d3`), read once. */
function d3Hierarchy() {
  if (d3Source === undefined) {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("d3-hierarchy");
    d3Source = readFileSync(join(dirname(entry), "d3-hierarchy.min.js"), "utf8");
  }
  return d3Source;
}

/**
 * The entries of a history file (`--history`, one JSON object a line), as
 * text or already parsed; lines that are not JSON objects are skipped.
 */
export function parseHistory(history) {
  if (!history) return [];
  if (Array.isArray(history)) return history.filter((e) => e && typeof e === "object");
  return String(history)
    .split("\n")
    .map((line) => {
      try {
        const entry = JSON.parse(line);
        return entry && typeof entry === "object" && !Array.isArray(entry) ? entry : null;
      } catch {
        return null;
      }
    })
    .filter(Boolean);
}

/** JSON that is safe inside a <script> element. */
const scriptJson = (value) =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Renders a report as one self-contained HTML page (the `--html` file). */
export function renderHtml(report, { history, title } = {}) {
  const data = { report, history: parseHistory(history) };
  const heading = title ?? "perf-optimizer report";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${HTML_MARKER}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(heading)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(heading)}</h1>
  <div id="summary"></div>
  <input id="search" type="search" placeholder="Search packages, modules, functions, findings…" aria-label="Search">
</header>
<main>
  <section id="profile" hidden></section>
  <section id="bundle">
    <div id="sizes"></div>
    <nav id="crumbs" aria-label="Treemap path"></nav>
    <div id="treemap" role="tree"></div>
    <div id="trend"></div>
  </section>
  <aside id="findings"><h2>Findings <span id="findings-count"></span></h2><ol id="findings-list"></ol></aside>
</main>
<script type="application/json" id="perf-data">${scriptJson(data)}</script>
<script>${d3Hierarchy()}</script>
<script>${APP}</script>
</body>
</html>
`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;align-items:center;gap:12px 24px;padding:12px 20px;background:#1d2430;color:#fff}
header h1{font-size:18px;margin:0}
#summary{flex:1;font-size:13px;opacity:.9}
#search{width:320px;max-width:100%;padding:6px 10px;border-radius:6px;border:1px solid #8893a4;font:inherit}
main{display:grid;grid-template-columns:minmax(0,1fr) 420px;gap:16px;padding:16px 20px}
@media (max-width:1000px){main{grid-template-columns:1fr}}
h2{font-size:15px;margin:0 0 8px}
#sizes table{border-collapse:collapse;margin-bottom:10px;font-size:13px}
#sizes th,#sizes td{padding:3px 10px;text-align:right;border-bottom:1px solid #dde1e7}
#sizes th:first-child,#sizes td:first-child{text-align:left}
#crumbs{margin:6px 0;font-size:13px;min-height:22px}
#crumbs button{font:inherit;border:0;background:none;color:#1769c4;cursor:pointer;padding:0}
#crumbs button:disabled{color:#1d2430;cursor:default;font-weight:600}
#crumbs .sep{margin:0 6px;color:#8893a4}
#treemap{position:relative;height:560px;background:#fff;border:1px solid #dde1e7;border-radius:6px;overflow:hidden}
.cell{position:absolute;overflow:hidden;border:1px solid rgba(255,255,255,.9);font-size:11px;padding:2px 4px;color:#10151d;cursor:pointer}
.cell.group{font-weight:600;font-size:12px;border:1px solid #fff}
.cell.leaf{cursor:default;font-weight:400}
.cell.group .cell{font-weight:400;font-size:11px}
.cell.zoomable:hover{outline:2px solid #1d2430;outline-offset:-2px;z-index:2}
.cell .size{font-weight:400;opacity:.75;margin-left:4px}
.empty{padding:24px;color:#5b6574}
#findings{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px;max-height:calc(100vh - 120px);overflow:auto}
#findings-list{list-style:none;margin:0;padding:0}
#findings-list li{border-bottom:1px solid #eef0f3;padding:8px 0}
.sev{display:inline-block;font-size:11px;font-weight:700;border-radius:3px;padding:0 5px;margin-right:6px;color:#fff;text-transform:uppercase}
.sev.error{background:#c62828}.sev.warning{background:#b26a00}.sev.info{background:#1769c4}
.rule{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#5b6574}
.loc{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;display:block;margin:2px 0;color:#1769c4}
.msg{margin:2px 0}
.help{white-space:pre-wrap;font-size:12px;color:#3d4655;background:#f6f7f9;border-radius:4px;padding:4px 6px;margin-top:4px}
#trend svg{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin-top:12px}
#trend .legend{font-size:12px}
#profile{grid-column:1/-1;min-width:0}
#profile .scroll{overflow-x:auto}
#profile .lead,#profile .line{margin:4px 0 10px;font-size:13px;color:#3d4655}
#profile table{border-collapse:collapse;font-size:13px;margin-bottom:12px;background:#fff}
#profile th,#profile td{padding:3px 8px;text-align:right;border-bottom:1px solid #dde1e7;vertical-align:top;white-space:nowrap}
#profile td.text{white-space:normal}
#profile th:first-child,#profile td:first-child,#profile td.text,#profile .functions th,#profile .queries th{text-align:left}
#profile .over{color:#c62828;font-weight:700}
#profile code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;white-space:pre-wrap;word-break:break-word}
.route{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px;margin:12px 0}
.route h3{font-size:15px;margin:0 0 8px;font-family:ui-monospace,Menlo,Consolas,monospace}
.route h4{font-size:13px;margin:12px 0 6px}
.figures{display:flex;flex-wrap:wrap;gap:8px 20px;margin:0}
.figures .fig{min-width:120px}
.figures dt{font-size:11px;color:#5b6574;text-transform:uppercase}
.figures dd{margin:0;font-variant-numeric:tabular-nums}
.meter{height:4px;background:#eef0f3;border-radius:2px;margin-top:3px;width:120px}
.meter span{display:block;height:4px;border-radius:2px;background:#2e7d32}
.fig.over .meter span{background:#c62828}
.errors{list-style:none;margin:6px 0;padding:0}
.errors li{padding:4px 0;border-bottom:1px solid #eef0f3}
.flame{position:relative;border:1px solid #dde1e7;border-radius:4px;overflow:hidden;background:#fafbfc}
.frame{position:absolute;height:17px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-size:11px;line-height:17px;padding:0 3px;border-right:1px solid #fff;border-bottom:1px solid #fff;cursor:pointer;color:#10151d}
.frame.root{background:#5b6574;color:#fff}
.frame.ancestor{opacity:.6}
.frame.dim{opacity:.25}
.frame:hover,.frame:focus{outline:2px solid #1d2430;outline-offset:-2px;z-index:2}
.flame-caption{font-size:12px;color:#5b6574;margin:4px 0}
`;

// The page's script: plain DOM, textContent only (no HTML from the data).
const APP = String.raw`
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("perf-data").textContent);
  var report = data.report || {};
  var bundle = report.bundle || null;
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function fmt(n) {
    if (n == null || isNaN(n)) return "–";
    if (n < 1024) return n + " B";
    if (n < 1023.95 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1048576).toFixed(2) + " MiB";
  }
  var outputs = bundle ? bundle.outputs || [] : [];
  var total = { bytes: 0, gzipBytes: 0, brotliBytes: 0 };
  outputs.forEach(function (o) { total.bytes += o.bytes; total.gzipBytes += o.gzipBytes; total.brotliBytes += o.brotliBytes; });
  var gzipRatio = total.bytes ? total.gzipBytes / total.bytes : 0;

  // Summary line.
  var s = report.summary || {};
  var parts = [];
  if (bundle) parts.push(fmt(total.bytes) + " raw · " + fmt(total.gzipBytes) + " gzip · " + fmt(total.brotliBytes) + " brotli");
  parts.push((s.errors || 0) + " errors, " + (s.warnings || 0) + " warnings, " + (s.infos || 0) + " infos");
  var failed = (report.budgets || []).filter(function (b) { return !b.passed; });
  if ((report.budgets || []).length) parts.push(failed.length ? failed.length + " budget(s) exceeded" : "budgets met");
  if (report.tool) parts.push(report.tool.name + " " + report.tool.version);
  $("summary").textContent = parts.join("  —  ");

  // Output sizes.
  if (outputs.length) {
    var table = el("table"); var head = el("tr");
    ["Output", "Raw", "Gzip", "Brotli"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(head);
    outputs.forEach(function (o) {
      var tr = el("tr");
      [o.path, fmt(o.bytes), fmt(o.gzipBytes), fmt(o.brotliBytes)].forEach(function (v) { tr.appendChild(el("td", null, v)); });
      table.appendChild(tr);
    });
    $("sizes").appendChild(table);
  }

  // The tree: bundle → packages (and first-party code, runtime) → modules.
  // A module's path inside its package: the core's package folders (paths)
  // are the prefixes, so the page never works out package names itself.
  function moduleLabel(path, pkg) {
    var roots = (pkg.paths || []).filter(function (r) { return path.indexOf(r + "/") === 0; });
    var root = roots.sort(function (a, b) { return b.length - a.length; })[0];
    return root ? path.slice(root.length + 1) : path;
  }
  function buildTree() {
    var root = { name: "bundle", kind: "root", children: [] };
    if (!bundle) return root;
    var modules = bundle.modules || [];
    var counts = {};
    (bundle.packages || []).forEach(function (p) { counts[p.name] = (counts[p.name] || 0) + 1; });
    var byKey = {};
    (bundle.packages || []).forEach(function (p) {
      var node = { name: counts[p.name] > 1 && p.version ? p.name + "@" + p.version : p.name, kind: "package", pkg: p, search: p.name + " " + (p.paths || []).join(" "), bytes: p.bytes, children: [] };
      byKey[p.name + "\u0000" + (p.version || "")] = node;
      root.children.push(node);
    });
    var firstParty = { name: "first-party code", kind: "first-party", search: "first-party", bytes: bundle.firstPartyBytes || 0, children: [] };
    modules.forEach(function (m) {
      var parent = m.package != null ? byKey[m.package + "\u0000" + (m.version || "")] : firstParty;
      if (!parent) return;
      parent.children.push({ name: m.package != null ? moduleLabel(m.path, parent.pkg) : m.path, kind: "module", path: m.path, search: m.path, bytes: m.bytes });
    });
    if (firstParty.bytes > 0) root.children.push(firstParty);
    if (bundle.runtimeBytes > 0) root.children.push({ name: "runtime & shims", kind: "runtime", search: "runtime shims", bytes: bundle.runtimeBytes, children: [] });
    root.children.forEach(function (c) {
      // Bytes the module list does not cover stay visible as their own cell.
      var covered = c.children.reduce(function (a, m) { return a + m.bytes; }, 0);
      if (c.children.length && c.bytes > covered) c.children.push({ name: "(other)", kind: "module", search: "", bytes: c.bytes - covered });
      if (!c.children.length) delete c.children;
    });
    return root;
  }
  var tree = buildTree();
  var totalBytes = tree.children.reduce(function (a, c) { return a + c.bytes; }, 0);

  function hue(str) { var h = 0; for (var i = 0; i < str.length; i++) h = (h * 31 + str.charCodeAt(i)) >>> 0; return h % 360; }
  function colour(node) {
    if (node.kind === "runtime") return "#c9ced6";
    if (node.kind === "first-party") return "hsl(205 70% 78%)";
    return "hsl(" + hue(node.name.replace(/@[^@]*$/, "") || node.name) + " 55% 80%)";
  }

  var query = "";
  var focus = [];  // names from the root down to the zoomed node
  function matches(node) { return !query || (node.search || node.name).toLowerCase().indexOf(query) >= 0 || node.name.toLowerCase().indexOf(query) >= 0; }
  /** A copy of the node keeping what the search matches (a matching group keeps all of it). */
  function filtered(node) {
    if (!node.children) return matches(node) ? node : null;
    if (node.kind !== "root" && matches(node)) return node;
    var kids = node.children.map(filtered).filter(Boolean);
    if (!kids.length && node.kind !== "root") return null;
    var copy = {}; for (var k in node) copy[k] = node[k];
    copy.children = kids;
    return copy;
  }
  function focusedNode(root) {
    var node = root, path = [root];
    for (var i = 0; i < focus.length; i++) {
      var next = (node.children || []).filter(function (c) { return c.name === focus[i]; })[0];
      if (!next) break;
      node = next; path.push(node);
    }
    focus = path.slice(1).map(function (n) { return n.name; });
    return { node: node, path: path };
  }

  function renderCrumbs(path) {
    var nav = $("crumbs"); nav.textContent = "";
    path.forEach(function (n, i) {
      if (i) nav.appendChild(el("span", "sep", "›"));
      var b = el("button", null, i === 0 ? "bundle" : n.name);
      b.disabled = i === path.length - 1;
      b.addEventListener("click", function () { focus = focus.slice(0, i); draw(); });
      nav.appendChild(b);
    });
    if (path.length > 1) {
      nav.appendChild(el("span", "sep", "·"));
      var back = el("button", null, "← back"); back.id = "back";
      back.addEventListener("click", function () { focus.pop(); draw(); });
      nav.appendChild(back);
    }
  }

  function draw() {
    var box = $("treemap"); box.textContent = "";
    if (!bundle) { box.appendChild(el("div", "empty", "No bundle data in this report (perf-optimizer lint analyzes sources only).")); renderCrumbs([tree]); return; }
    var root = filtered(tree) || { name: "bundle", kind: "root", children: [] };
    var f = focusedNode(root);
    renderCrumbs(f.path);
    if (!f.node.children || !f.node.children.length) { box.appendChild(el("div", "empty", query ? "Nothing matches “" + query + "”." : "Empty.")); return; }
    var width = box.clientWidth || 800, height = box.clientHeight || 560;
    var h = d3.hierarchy(f.node, function (d) { return d.children; })
      .sum(function (d) { return d.children && d.children.length ? 0 : Math.max(d.bytes, 0); })
      .sort(function (a, b) { return b.value - a.value; });
    d3.treemap().tile(d3.treemapSquarify).size([width, height]).paddingInner(1)
      .paddingTop(function (d) { return d.depth === 1 && d.children ? 18 : 0; })(h);
    h.descendants().forEach(function (d) {
      if (d.depth === 0 || d.depth > 2) return;
      var w = d.x1 - d.x0, hh = d.y1 - d.y0;
      if (w < 1 || hh < 1) return;
      var node = d.data;
      var zoomTarget = d.depth === 1 ? d : d.parent;
      var zoomable = !!(zoomTarget.data.children && zoomTarget.data.children.length);
      var cell = el("div", "cell " + (d.children ? "group" : "leaf") + (zoomable ? " zoomable" : ""));
      // Module cells sit inside their package's cell (positions relative to its padding box).
      var ox = d.depth === 2 ? d.parent.x0 + 1 : 0, oy = d.depth === 2 ? d.parent.y0 + 1 : 0;
      cell.style.left = (d.x0 - ox) + "px"; cell.style.top = (d.y0 - oy) + "px"; cell.style.width = w + "px"; cell.style.height = hh + "px";
      var base = f.node.kind !== "root" ? f.node : d.depth === 1 ? node : d.parent.data;
      cell.style.background = colour(base);
      if (d.depth === 2) cell.style.filter = "brightness(1.06)";
      cell.dataset.name = node.name; cell.dataset.kind = node.kind; cell.dataset.depth = d.depth;
      var pct = totalBytes ? (100 * d.value / totalBytes).toFixed(1) : "0";
      var tip = (node.path || node.name) + "\n" + fmt(d.value) + " raw (" + pct + "% of the bundle), ≈" + fmt(Math.round(d.value * gzipRatio)) + " gzip";
      if (node.pkg) tip += "\n" + (node.pkg.version ? "version " + node.pkg.version + ", " : "") + node.pkg.modules + " module(s)\n" + (node.pkg.paths || []).join("\n");
      cell.title = tip;
      if (w > 30 && hh > 12) {
        var label = el("span", "label", node.name); cell.appendChild(label);
        if (w > 90) cell.appendChild(el("span", "size", fmt(d.value)));
      }
      if (zoomable) {
        cell.tabIndex = 0;
        var go = function (ev) { ev.stopPropagation(); focus.push(zoomTarget.data.name); draw(); };
        cell.addEventListener("click", go);
        cell.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(ev); });
      }
      d.cell = cell;
      (d.depth === 2 && d.parent.cell ? d.parent.cell : box).appendChild(cell);
    });
  }

  // Findings.
  var diags = (report.diagnostics || []).slice();
  var order = { error: 0, warning: 1, info: 2 };
  diags.sort(function (a, b) { return (order[a.severity] - order[b.severity]) || String(a.file || "").localeCompare(String(b.file || "")) || (a.line || 0) - (b.line || 0); });
  function drawFindings() {
    var list = $("findings-list"); list.textContent = "";
    var shown = 0;
    diags.forEach(function (d) {
      var text = [d.rule, d.message, d.file, d.help, d.category].join(" ").toLowerCase();
      if (query && text.indexOf(query) < 0) return;
      shown++;
      var li = el("li"); li.dataset.rule = d.rule;
      li.appendChild(el("span", "sev " + d.severity, d.severity));
      li.appendChild(el("span", "rule", d.rule));
      if (d.file) li.appendChild(el("span", "loc", d.file + (d.line ? ":" + d.line + (d.column ? ":" + d.column : "") : "")));
      li.appendChild(el("div", "msg", d.message));
      if (d.help) li.appendChild(el("div", "help", d.help));
      list.appendChild(li);
    });
    if (!shown) list.appendChild(el("li", "empty", diags.length ? "No finding matches." : "No findings."));
    $("findings-count").textContent = "(" + shown + (shown !== diags.length ? " of " + diags.length : "") + ")";
  }

  // The trend of sizes over the history (--history).
  function drawTrend() {
    var hist = (data.history || []).filter(function (e) { return typeof e.bytes === "number"; });
    var box = $("trend"); box.textContent = "";
    if (!hist.length) return;
    box.appendChild(el("h2", null, "Size over time (" + hist.length + " run" + (hist.length > 1 ? "s" : "") + ")"));
    var W = 720, H = 200, L = 64, R = 16, T = 12, B = 36;
    var ns = "http://www.w3.org/2000/svg";
    function svg(tag, attrs, text) { var e = document.createElementNS(ns, tag); for (var k in attrs) e.setAttribute(k, attrs[k]); if (text != null) e.textContent = text; return e; }
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Bundle size over time" });
    var max = 0;
    hist.forEach(function (e) { max = Math.max(max, e.bytes, e.gzipBytes || 0); });
    max = max || 1;
    var x = function (i) { return hist.length === 1 ? L + (W - L - R) / 2 : L + i * (W - L - R) / (hist.length - 1); };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    [0, 0.5, 1].forEach(function (t) {
      root.appendChild(svg("line", { x1: L, x2: W - R, y1: y(max * t), y2: y(max * t), stroke: "#eef0f3" }));
      root.appendChild(svg("text", { x: L - 6, y: y(max * t) + 4, "text-anchor": "end", "font-size": 11, fill: "#5b6574" }, fmt(Math.round(max * t))));
    });
    [["bytes", "#1769c4", "raw"], ["gzipBytes", "#2e7d32", "gzip"]].forEach(function (series, k) {
      var pts = hist.filter(function (e) { return typeof e[series[0]] === "number"; });
      if (!pts.length) return;
      var d = hist.map(function (e, i) { return typeof e[series[0]] === "number" ? x(i).toFixed(1) + "," + y(e[series[0]]).toFixed(1) : null; }).filter(Boolean).join(" ");
      root.appendChild(svg("polyline", { points: d, fill: "none", stroke: series[1], "stroke-width": 2, "class": "series-" + series[2] }));
      hist.forEach(function (e, i) {
        if (typeof e[series[0]] !== "number") return;
        var c = svg("circle", { cx: x(i), cy: y(e[series[0]]), r: 3, fill: series[1] });
        c.appendChild(svg("title", {}, series[2] + " " + fmt(e[series[0]]) + " — " + (e.time || "") + (e.commit ? " " + String(e.commit).slice(0, 8) : "")));
        root.appendChild(c);
      });
      root.appendChild(svg("text", { x: L + 8 + k * 70, y: H - 8, "font-size": 12, fill: series[1], "class": "legend" }, "— " + series[2]));
    });
    var day = function (e) { return e.time ? String(e.time).slice(0, 10) : ""; };
    root.appendChild(svg("text", { x: L, y: H - B + 14, "font-size": 11, fill: "#5b6574" }, day(hist[0])));
    root.appendChild(svg("text", { x: W - R, y: H - B + 14, "text-anchor": "end", "font-size": 11, fill: "#5b6574" }, day(hist[hist.length - 1])));
    box.appendChild(root);
  }

  // The profile (perf-optimizer profile): the routes side by side, then a
  // section per route with its figures, errors, top functions and the CPU
  // profile as a flame graph (icicle: callers above their callees, widths
  // by total time). Every field is optional: a report of another version
  // shows what it has.
  var profile = report.profile && typeof report.profile === "object" ? report.profile : null;
  var list = function (v) { return Array.isArray(v) ? v : []; };
  function fixed(n, digits) { return typeof n === "number" && isFinite(n) ? n.toFixed(digits) : "–"; }
  function ms(n) { return fixed(n, 1); }
  function spreadText(s) { return s && typeof s === "object" ? [s.p50, s.p95, s.max].map(ms).join(" / ") : "–"; }
  function countText(s) { return s && typeof s === "object" ? s.p50 + " / " + s.max : "–"; }
  function place(x) { return x.file ? x.file + (x.line ? ":" + x.line : "") : x.package || ""; }
  function statusText(r) {
    var s = r.status && typeof r.status === "object" ? r.status : {};
    var parts = Object.keys(s).map(function (k) { return k + "×" + s[k]; });
    return parts.length ? parts.join(" ") : "–";
  }
  function cell(tr, text, cls, tag) { var c = el(tag || "td", cls, text); tr.appendChild(c); return c; }
  /** A heading and a table with its header row, in parent. */
  function titledTable(parent, title, cls, headers) {
    parent.appendChild(el("h4", null, title));
    var table = el("table", cls); row(table, headers, "th"); parent.appendChild(table);
    return table;
  }
  function row(table, cells, tag) { var tr = el("tr"); cells.forEach(function (c) { cell(tr, c, null, tag); }); table.appendChild(tr); return tr; }
  var cpuLimit = profile && typeof profile.cpuLimitMs === "number" ? profile.cpuLimitMs : 0;
  var overLimit = function (s) { return cpuLimit > 0 && s && s.max > cpuLimit; };

  function drawProfile() {
    var box = $("profile");
    if (!profile) return;
    box.hidden = false;
    var routes = list(profile.routes);
    box.appendChild(el("h2", null, "Profile"));
    box.appendChild(el("p", "lead", (profile.requests != null ? profile.requests + " requests" : "Requests") +
      (profile.cutOff ? ", cut off by the time cap after " + profile.completed : "") +
      (profile.concurrency != null ? ", concurrency " + profile.concurrency : "") +
      ", measured locally in workerd" + (cpuLimit ? " · CPU limit " + cpuLimit + " ms per request" + (profile.plan ? " (" + profile.plan + " plan)" : "") : "") +
      ". Another CPU than Cloudflare's edge, no limit enforced" + (profile.outbound && profile.outbound.stubbed === false ? "" : ", subrequests answered by a local stub") + ": compare routes and changes, not the exact figures."));
    var table = el("table", "routes");
    row(table, ["Route", "Requests", "Status", "Wall ms", "CPU ms", "workerd CPU ms", "Subrequests", "Peak conn.", "D1 queries", "Rows read", "Rows written"], "th");
    routes.forEach(function (r, i) {
      var tr = el("tr");
      var first = cell(tr, null, "text"); var a = el("a", null, r.route); a.href = "#route-" + i; first.appendChild(a);
      var d1 = r.d1 || {};
      [String(r.requests), statusText(r), spreadText(r.wallMs), spreadText(r.cpuMs), spreadText(r.processCpuMs), countText(r.subrequests), String(r.peakConnections == null ? "–" : r.peakConnections),
        countText(d1.queries), countText(d1.rowsRead), countText(d1.rowsWritten)].forEach(function (v, k) {
        var c = cell(tr, v, k === 1 ? "text" : null);
        if (k === 3 && overLimit(r.cpuMs)) c.className = "over";
      });
      table.appendChild(tr);
    });
    var scroll = el("div", "scroll"); scroll.appendChild(table); box.appendChild(scroll);
    box.appendChild(el("p", "line", "Times are p50 / p95 / max over the answered requests, counts p50 / max" + (cpuLimit ? "; red: CPU over the " + cpuLimit + " ms limit." : ".")));
    routes.forEach(drawRoute);
    var h = profile.heap;
    if (h && typeof h === "object") box.appendChild(el("p", "line heap", "Heap after a forced GC: " + fixed(h.startMb, 2) + " MB at the start, " + fixed(h.endMb, 2) + " MB at the end (" + (h.growthMbPer1k >= 0 ? "+" : "") + fixed(h.growthMbPer1k, 2) + " MB per 1,000 requests" + (h.limitMb ? "; limit " + h.limitMb + " MB" : "") + ")."));
    var o = profile.outbound;
    if (o && typeof o === "object") box.appendChild(el("p", "line", "Outbound fetches: " + o.requests + (o.stubbed === false ? " sent to the network (--allow-network)" : " answered by the local stub") + "; at most " + o.peakOpen + " open at once."));
    var queries = list(profile.queries);
    if (queries.length) {
      var qt = titledTable(box, "D1 queries", "queries", ["Query", "Sent", "Plan", "Sent from"]);
      queries.forEach(function (q) {
        var tr = el("tr"); tr.dataset.fullScan = q.fullScan ? "true" : "false";
        cell(tr, null, "text").appendChild(el("code", null, q.sql));
        cell(tr, String(q.count));
        var plan = cell(tr, null, "text" + (q.fullScan ? " over" : ""));
        plan.appendChild(el("code", null, q.plan || "–"));
        if (q.fullScan) plan.appendChild(el("div", null, "full scan of " + (q.table || "a table")));
        var loc = cell(tr, null, "text"); if (q.file) loc.appendChild(el("span", "loc", place(q)));
        qt.appendChild(tr);
      });
    }
    var notes = list(profile.notes);
    if (notes.length) {
      var ul = el("ul", "notes");
      notes.forEach(function (n) { ul.appendChild(el("li", null, n)); });
      box.appendChild(ul);
    }
  }

  function drawRoute(r, i) {
    var art = el("article", "route"); art.id = "route-" + i; art.dataset.route = r.route;
    art.appendChild(el("h3", null, r.route));
    var dl = el("dl", "figures");
    function fig(label, value, extra) {
      var d = el("div", "fig"); d.appendChild(el("dt", null, label)); var dd = el("dd", null, value); d.appendChild(dd);
      if (extra) extra(d);
      dl.appendChild(d);
    }
    var d1 = r.d1 || {};
    fig("requests", String(r.requests));
    fig("status", statusText(r));
    fig("wall ms p50 / p95 / max", spreadText(r.wallMs));
    fig("CPU ms p50 / p95 / max", spreadText(r.cpuMs), function (d) {
      if (!cpuLimit || !r.cpuMs) return;
      if (overLimit(r.cpuMs)) d.className += " over";
      var m = el("div", "meter"); m.title = "max " + ms(r.cpuMs.max) + " ms of the " + cpuLimit + " ms limit";
      var bar = el("span"); bar.style.width = Math.min(100, (100 * r.cpuMs.max) / cpuLimit).toFixed(1) + "%"; m.appendChild(bar); d.appendChild(m);
    });
    if (r.processCpuMs) fig("workerd CPU ms", spreadText(r.processCpuMs));
    fig("subrequests p50 / max", countText(r.subrequests));
    fig("peak connections", String(r.peakConnections == null ? "–" : r.peakConnections));
    if (r.d1) { fig("D1 queries", countText(d1.queries)); fig("rows read", countText(d1.rowsRead)); fig("rows written", countText(d1.rowsWritten)); }
    art.appendChild(dl);
    var errors = list(r.errors);
    if (errors.length) {
      art.appendChild(el("h4", null, "Errors (not in the figures)"));
      var ul = el("ul", "errors");
      errors.forEach(function (e) {
        var li = el("li"); li.dataset.kind = e.kind;
        li.appendChild(el("span", "sev error", e.kind + " ×" + e.count));
        if (e.file) li.appendChild(el("span", "loc", place(e)));
        li.appendChild(el("div", "msg", e.message));
        ul.appendChild(li);
      });
      art.appendChild(ul);
    }
    var top = list(r.topFunctions);
    if (top.length) {
      var t = titledTable(art, "Top functions by self CPU time", "functions", ["Function", "Where", "Self ms", "Share"]);
      top.forEach(function (f) {
        var tr = el("tr"); tr.dataset.name = f.name;
        cell(tr, null, "text").appendChild(el("code", null, f.name));
        var loc = cell(tr, null, "text"); if (place(f)) loc.appendChild(el("span", f.file ? "loc" : "pkg", place(f)));
        cell(tr, ms(f.selfMs)); cell(tr, typeof f.share === "number" ? (100 * f.share).toFixed(0) + "%" : "–");
        t.appendChild(tr);
      });
    }
    var tree = r.callTree && Array.isArray(r.callTree.nodes) && r.callTree.nodes.length ? r.callTree : null;
    if (tree) {
      art.appendChild(el("h4", null, "CPU flame graph"));
      art.appendChild(el("p", "flame-caption", "Sampled CPU of the route's " + r.requests + " requests: " + ms(tree.nodes[0].totalMs) + " ms. Callers above their callees, width by total time" +
        (tree.foldedNodes ? "; " + tree.foldedNodes + " small call(s) folded into their callers" : "") + ". Click a frame to zoom in, the top row to zoom out."));
      var flame = el("div", "flame"); flame.dataset.route = r.route;
      art.appendChild(flame);
      drawFlame(flame, tree.nodes, r.route);
    }
    $("profile").appendChild(art);
  }

  function frameColour(n, root) {
    if (root) return null;
    if (n.file) return "hsl(" + (190 + (hue(n.name) % 40)) + " 65% 76%)";
    if (n.package) return "hsl(" + hue(String(n.package)) + " 55% 78%)";
    return /^\(/.test(n.name) ? "#c9ced6" : "hsl(40 60% 80%)";
  }
  function frameMatches(f) { return !query || f.dataset.search.indexOf(query) >= 0; }
  function highlightFrames() {
    var frames = document.querySelectorAll(".flame .frame");
    for (var i = 0; i < frames.length; i++) frames[i].classList.toggle("dim", !!query && !frameMatches(frames[i]));
  }

  /** An icicle of the nodes (depth first, each with its caller's index) in box; a click zooms. */
  function drawFlame(box, nodes, route) {
    var kids = nodes.map(function () { return []; });
    nodes.forEach(function (n, i) { if (i > 0 && typeof n.parent === "number" && n.parent >= 0 && n.parent < i) kids[n.parent].push(i); });
    var rootTotal = nodes[0].totalMs || 0;
    var ROW = 18;
    var focus = 0;
    function parentOf(i) { return i > 0 && typeof nodes[i].parent === "number" && nodes[i].parent < i ? nodes[i].parent : null; }
    function frame(i, depth, x, w, ancestor) {
      var n = nodes[i];
      var f = el("div", "frame" + (i === 0 ? " root" : "") + (ancestor ? " ancestor" : ""));
      f.style.left = (100 * x).toFixed(3) + "%"; f.style.width = (100 * w).toFixed(3) + "%"; f.style.top = depth * ROW + "px";
      var c = frameColour(n, i === 0); if (c) f.style.background = c;
      var share = rootTotal > 0 ? (100 * (n.totalMs || 0)) / rootTotal : 0;
      f.textContent = i === 0 ? "all of " + route + " — " + ms(n.totalMs) + " ms" : n.name;
      f.title = (i === 0 ? route : n.name) + (place(n) ? "\n" + place(n) : "") + "\n" + ms(n.totalMs) + " ms total (" + share.toFixed(1) + "% of the route), " + ms(n.selfMs) + " ms self";
      f.dataset.index = i; f.dataset.name = n.name; f.dataset.depth = depth;
      if (n.file) { f.dataset.file = n.file; f.dataset.line = n.line; }
      if (n.package) f.dataset.package = n.package;
      f.dataset.search = (n.name + " " + place(n)).toLowerCase();
      if (query && !frameMatches(f)) f.classList.add("dim");
      f.tabIndex = 0;
      var go = function (ev) { ev.stopPropagation(); focus = i === focus && i !== 0 ? parentOf(i) || 0 : i; draw(); };
      f.addEventListener("click", go);
      f.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(ev); });
      box.appendChild(f);
    }
    function draw() {
      box.textContent = "";
      var path = [];
      for (var p = focus; p != null; p = parentOf(p)) path.unshift(p);
      if (path[0] !== 0) path.unshift(0);
      path.forEach(function (i, depth) { if (i !== focus) frame(i, depth, 0, 1, true); });
      var deepest = 0;
      (function walk(i, depth, x, w) {
        deepest = Math.max(deepest, depth);
        frame(i, depth, x, w, false);
        var total = nodes[i].totalMs || 0;
        kids[i].forEach(function (k) {
          var kw = total > 0 ? (w * (nodes[k].totalMs || 0)) / total : 0;
          if (kw >= 0.002) walk(k, depth + 1, x, kw);
          x += kw;
        });
      })(focus, path.length - 1, 0, 1);
      box.style.height = (deepest + 1) * ROW + 2 + "px";
    }
    draw();
  }

  $("search").addEventListener("input", function (ev) { query = ev.target.value.trim().toLowerCase(); draw(); drawFindings(); highlightFrames(); });
  var resizeTimer;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 100); });
  drawProfile(); draw(); drawFindings(); drawTrend();
  document.body.dataset.ready = "true";
})();
`;
