// `npm run eval -- DIR [--json] [--checkout] [--check] [--cli FILE]`: scores the
// built CLI against the audited labels in eval/ (see eval/README.md).
// DIR holds one checkout per app of eval/apps.json, named as its `name`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import picomatch from "picomatch";
import { root } from "./lib.mjs";

const LINE_SLACK = 2;

function parseArgs(argv) {
  const opts = { json: false, checkout: false, check: false, cli: join(root, "pkg", "js", "cli.js"), dir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") opts.json = true;
    else if (a === "--checkout") opts.checkout = true;
    else if (a === "--check") opts.check = true;
    else if (a === "--cli") opts.cli = resolve(argv[++i]);
    else if (!a.startsWith("-") && !opts.dir) opts.dir = resolve(a);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.dir) throw new Error("usage: npm run eval -- DIR_OF_CHECKOUTS [--json] [--checkout] [--check] [--cli FILE]");
  return opts;
}

const git = (dir, ...args) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const cloneCommands = (app, dir) =>
  `git clone https://github.com/${app.repo} ${dir} && git -C ${dir} checkout --detach ${app.commit}`;

/** The checkout's problem, or null when it is at the pinned commit (after --checkout, which needs the network). */
function ensureCheckout(app, dir, checkout) {
  const head = () => { try { return git(dir, "rev-parse", "HEAD"); } catch { return null; } };
  if (head() === app.commit) return null;
  if (checkout) {
    if (!existsSync(dir)) execFileSync("git", ["clone", "--quiet", `https://github.com/${app.repo}`, dir], { stdio: "inherit" });
    try { git(dir, "cat-file", "-e", `${app.commit}^{commit}`); } catch { execFileSync("git", ["-C", dir, "fetch", "--quiet", "origin", app.commit], { stdio: "inherit" }); }
    execFileSync("git", ["-C", dir, "checkout", "--quiet", "--detach", app.commit], { stdio: "inherit" });
    if (head() === app.commit) return null;
  }
  const at = head();
  return at ? `${dir} is at ${at}, not ${app.commit}: git -C ${dir} checkout --detach ${app.commit}`
    : `${dir} is missing: ${cloneCommands(app, dir)} (or run with --checkout)`;
}

/** Findings of one CLI command run in the app's root, with files relative to it. */
function runCli(cli, command, cwd) {
  const res = spawnSync(process.execPath, [cli, command, ".", "--format", "json", "--no-color"], { cwd, encoding: "utf8", maxBuffer: 256 << 20 });
  if (res.status !== 0 && res.status !== 1) throw new Error(`${command} in ${cwd} exited ${res.status}: ${res.stderr.trim().split("\n").slice(-3).join(" ")}`);
  return JSON.parse(res.stdout).diagnostics
    .filter((d) => d.file)
    .map((d) => ({
      file: d.file.replace(/^\.\//, ""),
      line: d.line ?? 0,
      rule: d.rule,
      severity: d.severity,
      message: d.message,
      // One finding per package: its other imports are related places.
      also: (d.related ?? []).filter((r) => r.message === "also imported here").map((r) => ({ file: r.file.replace(/^\.\//, ""), line: r.line, rule: d.rule })),
    }));
}

function findingsOf(app, appRoot, opts) {
  const findings = runCli(opts.cli, "lint", appRoot);
  const hasWrangler = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"].some((f) => existsSync(join(appRoot, f)));
  if (opts.check && hasWrangler && existsSync(join(appRoot, "node_modules"))) {
    const seen = new Set(findings.map((f) => `${f.file}:${f.line}:${f.rule}`));
    for (const f of runCli(opts.cli, "check", appRoot)) if (!seen.has(`${f.file}:${f.line}:${f.rule}`)) findings.push(f);
  }
  return findings;
}

function workerMatcher(globs) {
  const include = picomatch(globs.filter((g) => !g.startsWith("!")), { dot: true });
  const excluded = globs.filter((g) => g.startsWith("!")).map((g) => g.slice(1));
  const exclude = excluded.length ? picomatch(excluded, { dot: true }) : () => false;
  return (file) => include(file) && !exclude(file);
}

const matches = (finding, label) =>
  finding.file === label.file && finding.rule === label.rule && Math.abs(finding.line - label.line) <= LINE_SLACK;
/** The label a finding is judged by: the nearest one it matches (a finding on
 * a must at line 139 does not also fire the traps at 138 and 141). */
function labelOf(finding, labels) {
  let best = null;
  for (const l of labels) {
    if (matches(finding, l) && (!best || Math.abs(finding.line - l.line) < Math.abs(finding.line - best.line))) best = l;
  }
  return best;
}
const ratio = (a, b) => (b === 0 ? null : a / b);

/** Every figure of one app from its findings and labels. */
function score(findings, labels, workerGlobs) {
  const isWorker = workerMatcher(workerGlobs);
  const musts = labels.filter((l) => l.kind === "must");
  const traps = labels.filter((l) => l.kind === "trap");
  const judged = findings.map((f) => ({ finding: f, label: labelOf(f, labels) }));
  const judgedBy = new Set(judged.map((j) => j.label).filter(Boolean));
  // A must at an import a package's one finding names as another of its places is found.
  const also = findings.flatMap((f) => f.also ?? []);
  const found = musts.filter((l) => judgedBy.has(l) || also.some((place) => matches(place, l)));
  const trapsFired = traps.filter((l) => judgedBy.has(l));
  const onMust = judged.filter((j) => j.label?.kind === "must");
  const onLabel = judged.filter((j) => j.label);
  // Warnings and errors are what a reviewer acts on (info findings are notes).
  const warnings = judged.filter((j) => j.finding.severity === "warning" || j.finding.severity === "error");
  const perRule = {};
  for (const f of findings) perRule[f.rule] = (perRule[f.rule] ?? 0) + 1;
  const outside = findings.filter((f) => !isWorker(f.file)).length;
  return {
    findings: findings.length,
    musts: musts.length,
    mustsFound: found.length,
    recall: ratio(found.length, musts.length),
    mustsMissed: musts.filter((l) => !found.includes(l)),
    traps: traps.length,
    trapsFired,
    outside,
    outsideShare: ratio(outside, findings.length),
    findingsOnMust: onMust.length,
    findingsOnLabel: onLabel.length,
    precisionProxy: ratio(onMust.length, onLabel.length),
    perRule,
    unlabelled: judged.filter((j) => !j.label).map((j) => j.finding),
    warnings: warnings.length,
    warningsOnMust: warnings.filter((j) => j.label?.kind === "must").length,
    warningsOnTrap: warnings.filter((j) => j.label?.kind === "trap").length,
  };
}

function total(results) {
  const sum = (k) => results.reduce((n, r) => n + r[k], 0);
  const perRule = {};
  for (const r of results) for (const [rule, n] of Object.entries(r.perRule)) perRule[rule] = (perRule[rule] ?? 0) + n;
  const t = {
    findings: sum("findings"), musts: sum("musts"), mustsFound: sum("mustsFound"), traps: sum("traps"),
    trapsFired: sum("trapsFiredCount"), outside: sum("outside"), findingsOnMust: sum("findingsOnMust"),
    findingsOnLabel: sum("findingsOnLabel"), unlabelled: sum("unlabelledCount"), perRule,
    warnings: sum("warnings"), warningsOnMust: sum("warningsOnMust"), warningsOnTrap: sum("warningsOnTrap"),
  };
  return { ...t, recall: ratio(t.mustsFound, t.musts), outsideShare: ratio(t.outside, t.findings), precisionProxy: ratio(t.findingsOnMust, t.findingsOnLabel) };
}

const pct = (x) => (x === null ? "n/a" : `${(x * 100).toFixed(0)}%`);
const where = (x) => `${x.file}:${x.line} ${x.rule}`;

function printText(results, totals, problems) {
  for (const r of results) {
    console.log(`\n== ${r.name} (${r.repo}@${r.commit.slice(0, 10)}) in ${r.ms} ms`);
    console.log(`  findings ${r.findings}, outside Worker code ${r.outside} (${pct(r.outsideShare)})`);
    console.log(`  recall ${r.mustsFound}/${r.musts} (${pct(r.recall)}), traps fired ${r.trapsFiredCount}/${r.traps}, precision proxy ${r.findingsOnMust}/${r.findingsOnLabel} (${pct(r.precisionProxy)})`);
    console.log(`  per rule: ${Object.entries(r.perRule).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
    for (const l of r.mustsMissed) console.log(`  missed must  ${where(l)}`);
    for (const l of r.trapsFired) console.log(`  trap fired   ${where(l)}`);
    for (const f of r.unlabelled) console.log(`  unlabelled   ${where(f)}: ${f.message.slice(0, 100)}`);
  }
  console.log(`\n== total over ${results.length} apps`);
  console.log(`  findings ${totals.findings}, outside Worker code ${totals.outside} (${pct(totals.outsideShare)}), unlabelled ${totals.unlabelled}`);
  console.log(`  recall ${totals.mustsFound}/${totals.musts} (${pct(totals.recall)}), traps fired ${totals.trapsFired}/${totals.traps}, precision proxy ${totals.findingsOnMust}/${totals.findingsOnLabel} (${pct(totals.precisionProxy)})`);
  console.log(`  warnings and errors ${totals.warnings}: on musts ${totals.warningsOnMust} (${pct(ratio(totals.warningsOnMust, totals.warnings))}), on traps ${totals.warningsOnTrap}, unlabelled ${totals.warnings - totals.warningsOnMust - totals.warningsOnTrap}`);
  console.log(`  per rule: ${Object.entries(totals.perRule).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  for (const p of problems) console.log(`  skipped: ${p}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.cli)) throw new Error(`${opts.cli} is missing: run \`npm run build\` first (or pass --cli)`);
  const evalDir = join(root, "eval");
  const { apps } = JSON.parse(readFileSync(join(evalDir, "apps.json"), "utf8"));
  const results = [];
  const problems = [];
  for (const app of apps) {
    const dir = join(opts.dir, app.name);
    const problem = ensureCheckout(app, dir, opts.checkout);
    if (problem) { problems.push(problem); continue; }
    const labels = JSON.parse(readFileSync(join(evalDir, "labels", `${app.name}.json`), "utf8"));
    const appRoot = join(dir, app.root);
    const started = Date.now();
    const findings = findingsOf(app, appRoot, opts);
    const s = score(findings, labels, app.worker);
    results.push({ name: app.name, repo: app.repo, commit: app.commit, ms: Date.now() - started, ...s,
      trapsFiredCount: s.trapsFired.length, unlabelledCount: s.unlabelled.length });
  }
  const totals = total(results);
  if (opts.json) console.log(JSON.stringify({ apps: results, total: totals, skipped: problems }, null, 2));
  else printText(results, totals, problems);
  if (problems.length) process.exitCode = 2;
}

main().catch((e) => { console.error(e.message); process.exitCode = 2; });
