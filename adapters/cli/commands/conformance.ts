import { ErrorCode, InstantIdError, conformanceKinds, runConformance } from "../../../core/index.js";
import { defineCommand } from "../command.js";

export const conformanceCommand = defineCommand({
  path: ["conformance"],
  opensSessions: true,
  summary:
    "Run reference case folders through the SDK and write what it computes to OUT/<kind>/.\nThe kind of each DIR is its folder name (align, scrfd, real, ...).",
  positionals: "DIR...",
  options: {
    out: { type: "string", short: "o", value: "OUT", description: "Folder to write results to (required)" },
    models: { type: "string", value: "DIR", description: "Folder with models.json, for kinds that run face models (real)" },
  },
  examples: ["instantid conformance ../shared/golden/align ../shared/golden/scrfd --out out", "instantid conformance ../shared/real --models ../shared/real/models --out out"],
  async run({ values, positionals }, io) {
    const out = values.out as string | undefined;
    if (!out) throw new InstantIdError(ErrorCode.InvalidOption, "Expected a folder for --out but received nothing; say where results go, e.g. --out out");
    if (!positionals.length) {
      throw new InstantIdError(ErrorCode.InvalidOption, `Expected at least one case folder; known kinds: ${[...conformanceKinds().keys()].join(", ")}`);
    }
    const summaries = await runConformance(positionals, {
      out,
      modelsDir: values.models as string | undefined,
      onProgress: (message) => io.stderr(`${message}\n`),
    });
    for (const [kind, summary] of summaries) io.stdout(`${kind}: ${summary.cases} cases -> ${summary.files.join(", ")}\n`);
    return 0;
  },
});
