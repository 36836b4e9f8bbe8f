import { loadIdentity, mixIdentities, saveIdentity } from "../../../core/index.js";
import { parseNumberList, requireString } from "../cli-values.js";
import { defineCommand } from "../command.js";

/** `instantid identity mix`: identity interpolation between two or more identity files. */
export const identityMixCommand = defineCommand({
  path: ["identity", "mix"],
  summary: "Blend two or more identities (the paper's identity interpolation): a weighted mix of their raw embeddings.",
  positionals: "FILE FILE...",
  options: {
    weights: { type: "string", value: "W,W...", description: "One weight per identity, normalised to sum to 1 (default: equal)" },
    out: { type: "string", short: "o", value: "FILE", description: "Identity file to write (required)" },
  },
  examples: ["instantid identity mix alice.identity.safetensors bob.identity.safetensors --weights 0.7,0.3 -o blend.identity.safetensors"],
  async run({ values, positionals }, io) {
    const out = requireString(values.out, "out", "blend.identity.safetensors");
    const identities = await Promise.all(positionals.map((path) => loadIdentity(path)));
    const weights = typeof values.weights === "string" ? parseNumberList(values.weights, "weights") : identities.map(() => 1);
    const mixed = mixIdentities(identities, weights);
    await saveIdentity(out, mixed);
    io.stdout(`${out}: mix of ${positionals.length} identities with weights ${weights.join(", ")}\n`);
    return 0;
  },
});
