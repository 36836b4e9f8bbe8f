// `npm run gen:comfy` (run from the project root): regenerates adapters/comfyui/generated/nodes.ts from the snapshot.
import { readFile, writeFile } from "node:fs/promises";
import { generateNodeBuilders } from "./generate.js";
import { generatedPath, snapshotPath } from "./paths.js";

const root = process.cwd();
const snapshot = JSON.parse(await readFile(snapshotPath(root), "utf8"));
await writeFile(generatedPath(root), generateNodeBuilders(snapshot));
console.log(`wrote ${generatedPath(root)}`);
