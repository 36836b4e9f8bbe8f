import { identityEmbeds, loadIdentity } from "../../../core/index.js";
import { requireString } from "../cli-values.js";
import { defineCommand } from "../command.js";

function norm(values: Float32Array): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
}

/** `instantid identity show`: what an identity file holds. */
export const identityShowCommand = defineCommand({
  path: ["identity", "show"],
  summary: "Print what an identity file holds: references, embedding size, combine mode, keypoints and models.",
  positionals: "FILE",
  options: {
    json: { type: "boolean", description: "Print JSON instead of text" },
  },
  examples: ["instantid identity show alice.identity.safetensors"],
  async run({ values, positionals }, io) {
    const path = requireString(positionals[0], "FILE", "alice.identity.safetensors");
    const identity = await loadIdentity(path);
    const summary = {
      file: path,
      references: identity.embeddings.length,
      dimension: identity.embeddings[0].length,
      combine: identity.combine,
      tokens: identityEmbeds(identity).shape[1],
      norms: identity.embeddings.map((e) => Number(norm(e).toFixed(3))),
      sources: identity.sources,
      models: identity.models,
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    io.stdout(
      `${path}\n  references: ${summary.references} (embedding norms ${summary.norms.join(", ")})\n  dimension: ` +
        `${summary.dimension}\n  combine: ${summary.combine} (${summary.tokens} token${summary.tokens === 1 ? "" : "s"})\n`,
    );
    identity.sources.forEach((s, i) =>
      io.stdout(`  source ${i}: ${s.width}x${s.height}, kps ${s.kps.map(([x, y]) => `(${x.toFixed(1)}, ${y.toFixed(1)})`).join(" ")}\n`),
    );
    for (const m of identity.models) io.stdout(`  model: ${m.name} sha256 ${m.sha256}\n`);
    return 0;
  },
});
