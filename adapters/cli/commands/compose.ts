import { drawCompositionPreview, ErrorCode, InstantIdError, savePng, type Composition } from "../../../core/index.js";
import { defineCommand, type CliCommand, type CliIo } from "../command.js";
import { composeOptions, parseComposeArgs, type ComposeBackendName } from "../compose/args.js";
import type { ComposeBackend } from "../compose/backend.js";
import { buildCliLayout } from "../compose/layout.js";
import { printCompositionWarnings } from "../compose/warnings.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";

function report(composition: Composition, io: CliIo): void {
  const { width, height, identities } = composition;
  io.stdout(`composition ${width}x${height}, ${identities.length} identit${identities.length === 1 ? "y" : "ies"}\n`);
  printCompositionWarnings(composition, io);
}

/**
 * `instantid compose`: several identities in one picture, each in its region, on the local runner,
 * A1111 or ComfyUI. `backends` are the backends this build has; the options of all are accepted.
 */
export function composeCommand(
  openFaceAnalysis: OpenFaceAnalysis,
  backends: Partial<Record<ComposeBackendName, ComposeBackend>>,
): CliCommand {
  const backendOptions = Object.assign({}, ...Object.values(backends).map((b) => b!.options));
  return defineCommand({
    path: ["compose"],
    opensSessions: true,
    summary:
      "Several identities in one picture: each identity file with its region (--region in the same order) and its " +
      "keypoints\n(fitted into its region, from a --pose group photo left to right, or --kps-rect). --preview draws the layout first.",
    options: { ...composeOptions, ...backendOptions },
    examples: [
      "instantid compose --identity a.identity.safetensors --region 0,0,512,1024 --identity b.identity.safetensors --region " +
        '512,0,1024,1024 --prompt "two friends" --preview layout.png',
      "instantid compose --identity a.identity.safetensors --identity b.identity.safetensors --pose group.jpg --models models " +
        '--region face --region face --prompt "two friends" --backend a1111 --dry-run request.json',
    ],
    async run({ values }, io) {
      const args = parseComposeArgs(values);
      const { composition, pose } = await buildCliLayout(args, openFaceAnalysis);
      report(composition, io);
      if (args.preview) {
        await savePng(args.preview, drawCompositionPreview(composition, { background: pose }));
        io.stdout(`${args.preview}: layout preview\n`);
      }
      if (!args.backend) return 0;
      if (!args.out && !args.dryRun) {
        if (args.preview) return 0;
        throw new InstantIdError(
          ErrorCode.InvalidOption,
          "Expected -o OUT.png (generate) or --dry-run FILE (a1111/comfyui: write the request) but received neither",
        );
      }
      const backend = backends[args.backend];
      if (!backend) {
        throw new InstantIdError(
          ErrorCode.InvalidOption,
          `The ${args.backend} backend is not part of this build; available: ${Object.keys(backends).join(", ") || "none (preview only)"}`,
        );
      }
      return backend.run(composition, args, values, io);
    },
  });
}
