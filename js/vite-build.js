// Run as a child process by `perf-optimizer check` on a Vite project (see
// vite-check.js): the project's own vite runs its build exactly as its
// `vite build` command does (createBuilder(inline config, null), then
// buildApp()), with perf-optimizer's check plugin added, which records each
// Worker environment's build (vite.js, checkPlugin). On failure it writes the
// error as one JSON line to RESULT_FILE and exits 1.
//   node vite-build.js VITE_ENTRY CONFIG_FILE RESULT_FILE [--sourcemap]
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { checkPlugin } from "./vite.js";

const [viteEntry, configFile, resultFile, ...flags] = process.argv.slice(2);
try {
  const vite = await import(pathToFileURL(viteEntry).href);
  if (typeof vite.createBuilder !== "function") {
    throw new Error(`vite ${vite.version ?? ""} has no createBuilder: perf-optimizer check needs Vite 6 or later`.replace("  ", " "));
  }
  const builder = await vite.createBuilder({ configFile, build: {}, plugins: [checkPlugin({ sourcemap: flags.includes("--sourcemap") })] }, null);
  await builder.buildApp();
  writeFileSync(resultFile, JSON.stringify({ ok: true, root: builder.config?.root }));
} catch (error) {
  const where = error?.id ? `${error.id.replace(/[?#].*$/, "")}${error.loc ? `:${error.loc.line}:${error.loc.column + 1}` : ""}` : undefined;
  writeFileSync(resultFile, JSON.stringify({ ok: false, message: String(error?.message ?? error), where, plugin: error?.plugin }));
  process.stderr.write(`error during build:\n${error?.stack ?? error}\n`);
  process.exitCode = 1;
}
