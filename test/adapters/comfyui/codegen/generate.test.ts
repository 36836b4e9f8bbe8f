import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateNodeBuilders } from "../../../../adapters/comfyui/codegen/generate.js";
import { generatedPath, snapshotPath } from "../../../../adapters/comfyui/codegen/paths.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

describe("generateNodeBuilders", () => {
  it("matches the committed generated/nodes.ts (run npm run gen:comfy after editing object-info.json)", async () => {
    const snapshot = JSON.parse(await readFile(snapshotPath(root), "utf8"));
    expect(generateNodeBuilders(snapshot)).toBe(await readFile(generatedPath(root), "utf8"));
  });

  it("makes inputs with server defaults optional, links typed, and small fixed combos unions", () => {
    const source = generateNodeBuilders({
      Demo: {
        input: {
          required: { model: ["MODEL"], steps: ["INT", { default: 20, min: 1 }], mode: [["a", "b"]], file: [["x.safetensors"]] },
          optional: { mask: ["MASK"] },
        },
        output: ["LATENT"],
        name: "Demo",
      },
    });
    expect(source).toContain('readonly model: NodeOutput<"MODEL">;');
    expect(source).toContain("readonly steps?: number;");
    expect(source).toContain('readonly mode: "a" | "b";');
    expect(source).toContain("readonly file: string;");
    expect(source).toContain('readonly mask?: NodeOutput<"MASK">;');
    expect(source).toContain('graph.addNode("Demo", { ...{ "steps": 20 }, ...inputs }, ["LATENT"])');
  });
});
