import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { conformanceKinds, runConformance } from "../../../core/testing.js";
import { pipelineConformanceKind } from "../../onnx-sdxl/index.js";
import { defineCommand } from "../command.js";

// Kinds that run the reference runner live beside it (the core never imports an adapter).
const runnerKinds = [pipelineConformanceKind];

export const conformanceCommand = defineCommand({
  path: ["conformance"],
  opensSessions: true,
  summary:
    "Run reference case folders through the SDK and write what it computes to OUT/<kind>/.\nThe kind of each DIR is its folder " +
    "name (align, scrfd, real, pipeline, ...).",
  positionals: "DIR...",
  options: {
    out: { type: "string", short: "o", value: "OUT", description: "Folder to write results to (required)" },
    models: { type: "string", value: "DIR", description: "Folder with models.json, for kinds that run face models (real)" },
  },
  examples: [
    "instantid conformance reference/align reference/scrfd --out out",
    "instantid conformance reference/real --models models/antelopev2 --out out",
    "instantid conformance reference/pipeline --out out",
  ],
  async run({ values, positionals }, io) {
    const out = values.out as string | undefined;
    if (!out)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "Expected a folder for --out but received nothing; say where results go, e.g. --out out",
      );
    if (!positionals.length) {
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        `Expected at least one case folder; known kinds: ${[...conformanceKinds(runnerKinds).keys()].join(", ")}`,
      );
    }
    const summaries = await runConformance(positionals, {
      out,
      modelsDir: values.models as string | undefined,
      kinds: runnerKinds,
      onProgress: (message) => io.stderr(`${message}\n`),
    });
    for (const [kind, summary] of summaries) io.stdout(`${kind}: ${summary.cases} cases -> ${summary.files.join(", ")}\n`);
    return 0;
  },
});
