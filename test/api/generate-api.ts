import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { extractApi, renderApiMarkdown } from "./extract-api.js";

const root = resolve(process.argv[2] ?? ".");
writeFileSync(resolve(root, "docs/api.md"), renderApiMarkdown(extractApi(resolve(root, "core/index.ts"), resolve(root, "tsconfig.json"))));
console.log("wrote docs/api.md");
