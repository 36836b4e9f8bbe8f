import { checkModels, modelCatalog, type ModelsCheckReport } from "../../../core/index.js";
import { isUsable, type ModelPack } from "../../../core/internal.js";
import { defineCommand, type CliCommand, type CliIo } from "../command.js";
import { createProgressBar } from "../progress-bar.js";
import { modelsDirFrom } from "./models-dir.js";

/** `instantid models check` over a given catalogue (the built-in one for the real CLI; fixtures in tests). */
export function createModelsCheckCommand(catalog: readonly ModelPack[] = modelCatalog): CliCommand {
  return defineCommand({
    path: ["models", "check"],
    summary:
      "Verify a models folder: every file's size and SHA-256 (read as a stream), and say what is missing or corrupt\n" +
      "and the command that fixes it. Exits 1 when a required file is missing or corrupt.",
    positionals: "[DIR]",
    options: {
      dir: { type: "string", short: "d", value: "DIR", description: "Models folder, as the DIR argument (default: $INSTANTID_MODELS)" },
      pack: {
        type: "string",
        multiple: true,
        value: "PACK",
        description: `Check only this pack (${catalog.map((p) => p.name).join(", ")})`,
      },
      json: { type: "boolean", description: "Print the report as JSON" },
    },
    examples: ["instantid models check models", "instantid models check models --pack antelopev2"],
    async run({ values, positionals }, io) {
      const dir = modelsDirFrom(positionals[0] ?? values.dir, "models check");
      const packs = (values.pack as string[] | undefined) ?? "all";
      const report = await checkModels(dir, { catalog, packs, onProgress: createProgressBar(io) });
      if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(io, report);
      return report.complete ? 0 : 1;
    },
  });
}

/** The `models check` command over the built-in catalogue. */
export const modelsCheckCommand = createModelsCheckCommand();

function printReport(io: CliIo, report: ModelsCheckReport): void {
  const width = Math.max(...report.files.map((file) => file.path.length));
  for (const file of report.files) {
    io.stdout(`${file.path.padEnd(width)}  ${file.message}${file.required ? "" : " (optional)"}\n`);
  }
  if (report.complete) {
    const unverified = report.files.filter((file) => file.state === "unverified").length;
    io.stdout(
      `Complete: every required file is in ${report.dir}${unverified ? ` (${unverified} without a published digest to verify)` : ""}.\n`,
    );
    return;
  }
  const broken = report.files.filter((file) => file.required && !isUsable(file.state));
  io.stdout(`Incomplete: ${broken.length} required file${broken.length === 1 ? "" : "s"} missing or corrupt.\nFix: ${report.fix}\n`);
}
