import { createIdentity, saveIdentity, loadImage, savePng, largestFace } from "../../../core/index.js";
import { drawFacePreview } from "../../../core/internal.js";
import { assertCombineMode, type IdentityReference } from "../../../core/internal.js";
import { numberedPath, requireString } from "../cli-values.js";
import { defineCommand, type CliCommand } from "../command.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";

/** `instantid identity create`: an identity file from one or more face photos. */
export function identityCreateCommand(openFaceAnalysis: OpenFaceAnalysis): CliCommand {
  return defineCommand({
    path: ["identity", "create"],
    opensSessions: true,
    summary:
      "Make an identity file from one or more photos of the same person (the largest face of each).\nThe file holds embeddings, " +
      "keypoints and model hashes, never the photos.",
    positionals: "FACE...",
    options: {
      out: { type: "string", short: "o", value: "FILE", description: "Identity file to write, e.g. NAME.identity.safetensors (required)" },
      models: { type: "string", value: "DIR", description: "Folder with models.json for face analysis (required)" },
      combine: {
        type: "string",
        value: "MODE",
        default: "average",
        description: "How several photos combine: average | norm-average | concat",
      },
      preview: {
        type: "string",
        value: "FILE",
        description: "Also write each photo with its detected boxes and keypoints (FILE-1.png, ... for several)",
      },
    },
    examples: [
      "instantid identity create alice.jpg -o alice.identity.safetensors --models models",
      "instantid identity create a1.jpg a2.jpg a3.jpg --combine concat -o alice.identity.safetensors --models models --preview check.png",
    ],
    async run({ values, positionals }, io) {
      const out = requireString(values.out, "out", "NAME.identity.safetensors");
      const models = requireString(values.models, "models", "models");
      const combine = assertCombineMode(values.combine ?? "average");
      requireString(positionals[0], "FACE", "alice.jpg");
      const analysis = await openFaceAnalysis(models);
      const references: IdentityReference[] = [];
      for (const [index, photo] of positionals.entries()) {
        const image = await loadImage(photo);
        const faces = await analysis.analyzer.analyze(image);
        const face = largestFace(faces, photo);
        references.push({ embedding: face.embedding, kps: face.kps, width: image.width, height: image.height });
        if (typeof values.preview === "string")
          await savePng(numberedPath(values.preview, index, positionals.length), drawFacePreview(image, faces));
      }
      const identity = createIdentity(references, { combine, models: analysis.models });
      await saveIdentity(out, identity);
      io.stdout(
        `${out}: ${references.length} reference${references.length === 1 ? "" : "s"}, ${identity.embeddings[0].length}-value ` +
          `embeddings, combine ${combine}\n`,
      );
      return 0;
    },
  });
}
