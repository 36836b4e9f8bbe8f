import { modelCatalog, pullModels } from "../../../core/index.js";
import { invalidOption, type ModelPack, type PulledFile } from "../../../core/internal.js";
import { defineCommand, type CliCommand, type CliIo, type CliOption } from "../command.js";
import { createDownloadProgress } from "../download-progress.js";
import { modelsDirFrom } from "./models-dir.js";

/** `instantid models pull` over a given catalogue (the built-in one for the real CLI; fixtures in tests). */
export function createModelsPullCommand(catalog: readonly ModelPack[] = modelCatalog): CliCommand {
  const packOptions: Record<string, CliOption> = {};
  for (const pack of catalog) {
    packOptions[`${pack.name}-base`] = {
      type: "string",
      value: "URL",
      description:
        `Folder URL of the ${pack.name} files (default: $${pack.baseUrlEnv}, else ` + `<base-url>/${pack.repo}/resolve/${pack.revision})`,
    };
  }
  return defineCommand({
    path: ["models", "pull"],
    summary:
      "Download model files into DIR, resuming partial downloads and verifying SHA-256 before each file appears,\n" +
      "then convert instantid/ControlNetModel to instantid/identitynet.onnx (skipped when that is up to date).\n" +
      `PACK is ${catalog.map((p) => p.name).join(", ")} or all (the default). Files already present and verified are kept.`,
    positionals: "[PACK...]",
    options: {
      dir: { type: "string", short: "d", value: "DIR", description: "Models folder (default: $INSTANTID_MODELS)" },
      "base-url": {
        type: "string",
        value: "URL",
        description: "Hugging Face host or mirror (default: $INSTANTID_HF_BASE, else https://huggingface.co)",
      },
      ...packOptions,
      optional: { type: "boolean", description: "Also fetch the pack files InstantID does not use (antelopev2 landmarks, gender/age)" },
      retries: { type: "string", value: "N", description: "Retries after a dropped connection without progress", default: "5" },
      timeout: {
        type: "string",
        value: "SECONDS",
        description: "Seconds of silence before a download attempt is dropped and retried",
        default: "60",
      },
    },
    examples: [
      "instantid models pull --dir models",
      "instantid models pull antelopev2 --dir models --base-url https://hf-mirror.com",
      "INSTANTID_MODELS=models instantid models pull instantid",
    ],
    async run({ values, positionals }, io) {
      const dir = modelsDirFrom(values.dir, "models pull");
      const packBase = Object.fromEntries(catalog.map((pack) => [pack.name, values[`${pack.name}-base`] as string | undefined]));
      const result = await pullModels({
        dir,
        catalog,
        packs: positionals.length ? positionals : "all",
        includeOptional: values.optional === true,
        sources: { hfBase: values["base-url"] as string | undefined, packBase },
        retries: parseRetries(values.retries),
        idleTimeoutMs: parseTimeout(values.timeout),
        onProgress: createDownloadProgress(io),
      });
      printPulled(io, result.files, result.manifests, result.converted);
      io.stdout(`Verify any time with: instantid models check ${dir}\n`);
      return 0;
    },
  });
}

/** The `models pull` command over the built-in catalogue. */
export const modelsPullCommand = createModelsPullCommand();

function printPulled(io: CliIo, files: readonly PulledFile[], manifests: readonly string[], converted: readonly string[]): void {
  for (const file of files) {
    const resumed = file.resumedFrom ? `, resumed at byte ${file.resumedFrom}` : "";
    const what = file.action === "present" ? "present, verified" : `downloaded ${file.bytes} bytes${resumed}`;
    io.stdout(`${file.pack}/${file.path}: ${what}\n`);
  }
  for (const manifest of manifests) io.stdout(`wrote ${manifest}\n`);
  for (const model of converted) io.stdout(`converted IdentityNet to ${model}\n`);
}

function parseRetries(value: unknown): number {
  const retries = Number(value ?? 5);
  if (!Number.isInteger(retries) || retries < 0) throw invalidOption("--retries", "a whole number >= 0", value);
  return retries;
}

function parseTimeout(value: unknown): number {
  const seconds = Number(value ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0) throw invalidOption("--timeout", "a positive number of seconds", value);
  return seconds * 1000;
}
