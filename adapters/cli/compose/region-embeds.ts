import { ErrorCode, InstantIdError, type Composition, type Tensor } from "../../../core/index.js";
import { compositionRegionMasks } from "../../../core/internal.js";
import type { GenerateOptions } from "../../onnx-sdxl/index.js";
import type { CliIo } from "../command.js";
import { readEmbeddings } from "../commands/generate.js";
import { inIdentityOrder } from "./args.js";

/** `--region-embeds`: one per `--identity` in order, `-` or empty for none. */
export const regionEmbedsOption = {
  type: "string",
  multiple: true,
  value: "FILE",
  description:
    'local: embeddings of each identity\'s region prompt, in order (- for none): prompt_embeds of "PROMPT, REGION PROMPT", made ' +
    "like --embeds",
} as const;

/**
 * The runner's region prompts for `--backend local`: each `--region-embeds` file's prompt tokens
 * (read as `--embeds`; its pooled embedding is not used) with its identity's mask from
 * `compositionRegionMasks`. Warns for a region prompt without embeddings, which the runner cannot encode.
 * @throws InstantIdError INVALID_OPTION for a count that is not one per identity; SHAPE_MISMATCH for tokens shaped unlike --embeds'.
 */
export async function readRegionPrompts(
  composition: Composition,
  values: Record<string, unknown>,
  shared: Tensor,
  io: CliIo,
): Promise<NonNullable<GenerateOptions["regions"]>> {
  const files = inIdentityOrder(values["region-embeds"], composition.identities.length, "region-embeds", (text) =>
    text && text !== "-" ? text : undefined,
  );
  composition.identities.forEach((c, i) => {
    if (c.prompt && !files[i]) {
      io.stderr(
        `warning: ${c.name} has a region prompt but no --region-embeds, so its region uses the shared prompt (the local runner ` +
          `has no text encoder): encode "${composition.prompt}, ${c.prompt}" as --embeds is made and pass it as --region-embeds ` +
          `#${i + 1} (- for identities without)\n`,
      );
    }
  });
  const regions = compositionRegionMasks(
    composition,
    files.flatMap((file, i) => (file ? [i] : [])),
  );
  return Promise.all(
    regions.map(async ({ identity, mask }) => {
      const embeds = (await readEmbeddings(files[identity]!)).prompt.embeds;
      if (embeds.shape.join() !== shared.shape.join()) {
        throw new InstantIdError(
          ErrorCode.ShapeMismatch,
          `--region-embeds #${identity + 1} (${files[identity]}) has prompt_embeds [${embeds.shape.join(", ")}] but --embeds has ` +
            `[${shared.shape.join(", ")}]; encode the region prompt with the same text encoders and the same number of 77-token chunks`,
        );
      }
      return { embeds, mask };
    }),
  );
}
