// The fuzz harness (scripts/fuzz.mjs, `npm run fuzz`): a short bounded run
// against the installed package finds nothing, inputs are rebuilt exactly
// from (seed, iteration), and the harness itself is shown to catch each kind
// of failure it claims to (a throw, a poisoned core, a hang) with stand-in
// packages that fail on purpose.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { project } from "./helpers.mjs";
import { loadSeeds, makeInput } from "../scripts/fuzz/mutate.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const made = [];
const tempDir = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const fuzz = (args, env = {}) => {
  const out = tempDir("perf-optimizer-fuzz-test-");
  const r = spawnSync(process.execPath, [join(repo, "scripts", "fuzz.mjs"), "--quiet", "--out", out, ...args], {
    cwd: repo,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, ...env },
  });
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary, out };
};

describe("fuzz harness", () => {
  test("a bounded run over the installed package: no failure of any kind", () => {
    const r = fuzz([
      "--package", join(project, "node_modules", "perf-optimizer"),
      "--node-modules", join(project, "node_modules"),
      "--seed", "1", "--iterations", "400", "--seconds", "25",
      // A loaded CI machine is slower: the 2 s budget is the long run's.
      "--slow-ms", "15000",
    ]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(r.summary.inputs >= 50, `${r.summary.inputs} inputs`);
    assert.deepEqual(r.summary.byKind, {});
    assert.match(r.stdout, /^fuzz: \d+ inputs \(\d+ MB\) in \d+ s, [\d.]+\/s, seed 1; .*no failures$/m);
  });

  test("an input is rebuilt exactly from its seed and iteration, and every mutation is used", () => {
    const { seeds } = loadSeeds(repo, [join(project, "node_modules")]);
    assert.ok(seeds.length > 50, `${seeds.length} seeds`);
    assert.ok(seeds.some((s) => s.name.includes("node_modules/hono/")), "the shipped JS of installed packages seeds the corpus");
    const a = makeInput(seeds, 7, 123);
    const b = makeInput(seeds, 7, 123);
    assert.ok(a.bytes.equals(b.bytes) && a.ext === b.ext);
    assert.ok(!makeInput(seeds, 8, 123).bytes.equals(a.bytes));
    const used = new Set();
    for (let i = 0; i < 400; i++) for (const m of makeInput(seeds, 7, i).mutations) used.add(m);
    assert.deepEqual([...used].sort(), ["delete-tokens", "duplicate-tokens", "flip-bytes", "huge-literal", "long-line", "nest", "splice", "swap-lines", "unbalanced", "unicode"]);
  });

  describe("it catches what it claims to (stand-in packages that fail on purpose)", () => {
    /** A package whose `lint` misbehaves as `FAKE_FAILURE` says, from the `FAKE_AT`th call on. */
    const fake = () => {
      const dir = tempDir("perf-optimizer-fuzz-fake-");
      mkdirSync(join(dir, "js"));
      writeFileSync(
        join(dir, "js", "index.js"),
        `export class PerfOptimizerError extends Error {}
let calls = 0;
export async function lint() {
  calls++;
  const failing = calls >= Number(process.env.FAKE_AT);
  const failure = process.env.FAKE_FAILURE;
  if (failing && failure === "throw") throw new TypeError("Cannot read properties of undefined");
  if (failing && failure === "hang") for (;;);
  if (failing && failure === "poison") return { diagnostics: [], notes: [] };
  return { diagnostics: [{ rule: "json-deep-clone", line: 2, column: 15, message: "m" }], notes: [] };
}
export function render() { return ""; }
`,
      );
      return dir;
    };
    const run = (failure, extra = []) => fuzz(["--package", fake(), "--seed", "3", "--iterations", "30", "--no-minimize", ...extra], { FAKE_FAILURE: failure, FAKE_AT: "6" });

    test("a thrown TypeError", () => {
      const r = run("throw");
      assert.equal(r.code, 1);
      assert.ok(r.summary.byKind.threw >= 20, JSON.stringify(r.summary.byKind));
      // Each failing input is written with how to rebuild it.
      const notes = readdirSync(r.out).filter((f) => f.startsWith("threw-seed3-") && f.endsWith(".txt"));
      assert.ok(notes.length >= 1);
      assert.match(readFileSync(join(r.out, notes[0]), "utf8"), /rebuild and rerun: npm run fuzz -- --seed 3 --replay \d+/);
    });

    test("a core that stops giving findings after an input", () => {
      const r = run("poison");
      assert.equal(r.code, 1);
      assert.ok(r.summary.byKind.poisoned >= 1, JSON.stringify(r.summary.byKind));
    });

    test("a hang: the process is killed, the input recorded, the run goes on", () => {
      const r = run("hang", ["--hang-ms", "3000", "--iterations", "8"]);
      assert.equal(r.code, 1);
      assert.ok(r.summary.byKind.hang >= 1, JSON.stringify(r.summary.byKind));
      assert.ok(r.summary.restarts >= 1);
    });
  });
});
