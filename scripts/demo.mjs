// `npm run demo`: builds the package, installs the example Workers'
// dependencies, and analyzes them the way a user would (`perf-optimizer
// check`): the example Worker, its corrected variant for comparison, and the
// Vite example (check runs its `vite build`, then analyzes the Worker's output).
// Then profiles the example Workers (`perf-optimizer profile`, 30 requests each).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { build } from "./build.mjs";
import { ensureNpmPackages, root } from "./lib.mjs";

build();
const cli = join(root, "pkg", "js", "cli.js");
for (const example of ["worker", "worker-fixed", "vite-worker"]) {
  const dir = join(root, "examples", example);
  if (!existsSync(join(dir, "node_modules", example === "vite-worker" ? "vite" : "wrangler"))) ensureNpmPackages(dir);
  console.log(`
=== perf-optimizer check examples/${example}${example === "worker" ? " --startup --html" : ""}
`);
  const args = [cli, "check", join("examples", example)];
  if (example === "worker") {
    // Startup measured in workerd (wrangler check startup), by package and module,
    // and the self-contained HTML report (treemap, findings, search).
    args.push("--startup", "--runs", "3", "--html", join("examples", example, "perf-report.html"));
  }
  if (process.stdout.isTTY) args.push("--color");
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  console.log(`(exit code ${result.status})`);
  if (example === "worker") console.log(`HTML report: examples/${example}/perf-report.html`);
}

// `perf-optimizer profile`: each example Worker run locally in workerd and
// driven by a small scenario (its parameter-free GET routes, read from the
// source, 30 requests in all: the demo stays fast), with the table per route.
for (const example of ["worker", "caching-worker"]) {
  const dir = join(root, "examples", example);
  // caching-worker has no wrangler of its own: the workspace's is found above it.
  ensureNpmPackages(dir);
  console.log(`
=== perf-optimizer profile examples/${example} --requests 30
`);
  const args = [cli, "profile", join("examples", example), "--requests", "30"];
  if (process.stdout.isTTY) args.push("--color");
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  console.log(`(exit code ${result.status})`);
}
