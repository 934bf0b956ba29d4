// The set-up of `npm test`'s leg on the current toolchain, run by
// scripts/test.mjs in the background while the first leg's tests run (it is
// downloads and installs): Node 22 from the npm registry (cached) and the
// scratch project with the newest wrangler and @cloudflare/vite-plugin
// (tests/scratch.mjs). Writes `{ node, project }` as JSON to the file named
// by its argument.
import { writeFileSync } from "node:fs";
import { prepareScratchProject } from "../tests/scratch.mjs";
import { ensureNode } from "./lib.mjs";

const node = ensureNode(22);
const project = prepareScratchProject({ current: true });
writeFileSync(process.argv[2], JSON.stringify({ node, project }));
