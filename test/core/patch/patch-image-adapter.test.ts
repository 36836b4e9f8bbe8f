import { readFileSync } from "node:fs";
import { mkdir, readdir, stat, truncate, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import type { ImageAdapterWeights } from "../../../core/image-adapter/weights.js";
import { loadImageAdapter } from "../../../core/image-adapter/checkpoint.js";
import { encodeModel, readModel } from "../../../core/onnx/index.js";
import { patchImageAdapter } from "../../../core/patch/index.js";
import { loadSession, runSession } from "../../../core/runtime/session.js";
import { readSafetensors } from "../../../core/tensor/safetensors.js";
import type { Tensor } from "../../../core/tensor/tensor.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { TorchGraph } from "../../helpers/torch-graph.js";

const f32 = (data: Float32Array | number[], dims: number[]) => new ort.Tensor("float32", Float32Array.from(data), dims);
const GOLDEN_WIDTHS = [32, 64, 64, 64, 32, 32, 64];

/** `make`, run on the first call only; later calls get the same promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

function syntheticAdapter(widths: number[], contextDim: number, seed = 1): ImageAdapterWeights {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.2;
  const layer = (w: number): Tensor => ({ shape: [w, contextDim], data: Float32Array.from({ length: w * contextDim }, random) });
  return { imageProj: new Map(), ipLayers: new Map(widths.map((w, i) => [2 * i + 1, { toK: layer(w), toV: layer(w) }])) };
}

describeShared("patchImageAdapter on the golden UNets", "golden/unet", () => {
  const cases = readSafetensors(readFileSync(sharedPath("golden/unet/cases.safetensors"))).tensors;
  const row1 = (name: string) => {
    const t = cases.get(name)!;
    return f32(t.data.subarray(t.data.length / 2), [1, ...t.shape.slice(1)]);
  };
  const baseFeeds = () => ({
    sample: f32(cases.get("sample")!.data, [1, 4, 16, 16]),
    timestep: f32(cases.get("timestep")!.data, [1]),
    text_embeds: row1("text_embeds"),
    time_ids: row1("time_ids"),
    down_block_additional_residual_0: f32(new Float32Array(32 * 256), [1, 32, 16, 16]),
    down_block_additional_residual_1: f32(new Float32Array(32 * 256), [1, 32, 16, 16]),
    down_block_additional_residual_2: f32(new Float32Array(32 * 64), [1, 32, 8, 8]),
    down_block_additional_residual_3: f32(new Float32Array(64 * 64), [1, 64, 8, 8]),
    mid_block_additional_residual: f32(new Float32Array(64 * 64), [1, 64, 8, 8]),
  });
  const adapter = syntheticAdapter(GOLDEN_WIDTHS, 64);

  for (const variant of ["golden", "golden-anon", "golden-fused"]) {
    describe(variant, () => {
      const unet = sharedPath(variant, "unet", "unet.onnx");
      // Patching and opening a golden UNet cost seconds each: the tests below share what they would otherwise repeat
      // (the same patch with the synthetic adapter, its session, the golden checkpoint), each made on first use.
      const withAdapter = once(() => patchImageAdapter(readFileSync(unet), adapter));
      const withAdapterSession = once(async () => loadSession((await withAdapter()).bytes!, { what: "patched UNet" }));
      const goldenCheckpoint = once(() => loadImageAdapter(sharedPath(variant, "unet", "ip-adapter.bin")));

      it("patches all 7 cross-attention blocks in diffusers order (down, up, mid)", async () => {
        const { bytes, blocks } = await withAdapter();
        expect(bytes!.byteLength).toBeGreaterThan(0);
        expect(blocks.map((b) => [b.key, b.section, b.width])).toEqual([
          [1, "down", 32],
          [3, "down", 64],
          [5, "up", 64],
          [7, "up", 64],
          [9, "up", 32],
          [11, "up", 32],
          [13, "mid", 64],
        ]);
        if (variant !== "golden-anon") expect(blocks[6].module).toBe("mid_block.attentions.0.transformer_blocks.0.attn2");
        expect(new Set(blocks.map((b) => b.style))).toEqual(new Set([variant === "golden-fused" ? "fused" : "decomposed"]));
      });

      it("reproduces out_ip_scale0.7 and out_plain with the golden ip-adapter.bin", async () => {
        const { bytes, blocks } = await patchImageAdapter(readFileSync(unet), await goldenCheckpoint());
        expect(blocks).toHaveLength(7);
        const session = await loadSession(bytes!, { what: "patched UNet" });
        const feeds = {
          ...baseFeeds(),
          encoder_hidden_states: row1("prompt_embeds"),
          ip_tokens_0: f32(cases.get("face_tokens")!.data, [1, 16, 64]),
        };
        for (const [scale, expected] of [
          [0.7, "out_ip_scale0.7"],
          [0, "out_plain"],
        ] as const) {
          const out = await runSession(session, { ...feeds, ip_scale_0: f32([scale], [1]) }, "patched UNet");
          assertClose(out.out_sample.data as Float32Array, cases.get(expected)!.data, { abs: 2e-4, rel: 1e-3 }, expected);
        }
      });

      it("splits one identity across complementary image-resolution masks without changing the result", async () => {
        const { bytes } = await patchImageAdapter(readFileSync(unet), await goldenCheckpoint(), { identities: 2, masks: true });
        const session = await loadSession(bytes!, { what: "patched UNet" });
        const tokens = f32(cases.get("face_tokens")!.data, [1, 16, 64]);
        const out = await runSession(
          session,
          {
            ...baseFeeds(),
            encoder_hidden_states: row1("prompt_embeds"),
            ip_tokens_0: tokens,
            ip_tokens_1: tokens,
            ip_scale_0: f32([0.7], [1]),
            ip_scale_1: f32([0.7], [1]),
            ip_mask_0: f32(cases.get("mask_a")!.data, [1, 1, 128, 128]),
            ip_mask_1: f32(cases.get("mask_b")!.data, [1, 1, 128, 128]),
          },
          "patched UNet",
        );
        assertClose(out.out_sample.data as Float32Array, cases.get("out_ip_scale0.7")!.data, { abs: 2e-4, rel: 1e-3 }, "masked halves");
      });

      it("reproduces out_plain at scale 0 with any weights, and the image term changes the output at scale 0.7", async () => {
        const session = await withAdapterSession();
        const feeds = {
          ...baseFeeds(),
          encoder_hidden_states: row1("prompt_embeds"),
          ip_tokens_0: f32(cases.get("face_tokens")!.data, [1, 16, 64]),
        };
        const plain = await runSession(session, { ...feeds, ip_scale_0: f32([0], [1]) }, "patched UNet");
        assertClose(plain.out_sample.data as Float32Array, cases.get("out_plain")!.data, { abs: 2e-4, rel: 1e-3 }, "out_plain");
        const on = await runSession(session, { ...feeds, ip_scale_0: f32([0.7], [1]) }, "patched UNet");
        const moved = (on.out_sample.data as Float32Array).some((v, i) => Math.abs(v - cases.get("out_plain")!.data[i]) > 1e-3);
        expect(moved).toBe(true);
      });

      it("reads the image tokens from the last 16 context positions in context mode", async () => {
        const contextMode = await patchImageAdapter(readFileSync(unet), adapter, { tokens: "context" });
        expect(contextMode.inputs.tokens).toEqual([]);
        const text = row1("prompt_embeds").data as Float32Array;
        const tokens = cases.get("face_tokens")!.data;
        const scale = { ip_scale_0: f32([0.7], [1]) };
        const a = await runSession(
          await withAdapterSession(),
          { ...baseFeeds(), ...scale, encoder_hidden_states: f32(text, [1, 77, 64]), ip_tokens_0: f32(tokens, [1, 16, 64]) },
          "UNet",
        );
        const joined = new Float32Array(93 * 64);
        joined.set(text);
        joined.set(tokens, 77 * 64);
        const b = await runSession(
          await loadSession(contextMode.bytes!, { what: "UNet" }),
          { ...baseFeeds(), ...scale, encoder_hidden_states: f32(joined, [1, 93, 64]) },
          "UNet",
        );
        assertClose(b.out_sample.data as Float32Array, a.out_sample.data as Float32Array, { abs: 1e-5, rel: 1e-5 }, "context mode");
      });
    });
  }
});

describe("patchImageAdapter files", () => {
  async function externalModel(dir: string) {
    const g = new TorchGraph();
    g.externalFile = "weights.bin";
    const x = g.input("sample", ["batch", 4, 8]);
    const context = g.input("encoder_hidden_states", ["batch", 77, 16]);
    const w = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.1);
    const out = g.attention("down_blocks.1.attentions.0.transformer_blocks.0.attn2", x, context, 8, 16, 2, {
      toQ: w(64),
      toK: w(128),
      toV: w(128),
      toOut: w(64),
      toOutBias: w(8),
    });
    g.nodes.push({ input: [out], output: ["out_sample"], name: "out", opType: "Identity" });
    g.output("out_sample", ["batch", 4, 8]);
    const weights = g.initializers.filter((t) => t.externalData);
    const data = Buffer.concat(weights.map((t) => Buffer.from(w((t.dims as number[]).reduce((a, b) => a * b)).buffer)));
    await writeFile(join(dir, "weights.bin"), data);
    await writeFile(join(dir, "unet.onnx"), encodeModel(g.model()));
    return join(dir, "unet.onnx");
  }
  const run = async (path: string, scale: number) => {
    const session = await loadSession(path, { what: "UNet" });
    const feeds = {
      sample: f32(
        Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)),
        [1, 4, 8],
      ),
      encoder_hidden_states: f32(
        Float32Array.from({ length: 77 * 16 }, (_, i) => Math.sin(i * 0.3)),
        [1, 77, 16],
      ),
      ip_tokens_0: f32(
        Float32Array.from({ length: 16 * 16 }, (_, i) => Math.cos(i * 0.7)),
        [1, 16, 16],
      ),
      ip_scale_0: f32([scale], [1]),
    };
    return (await runSession(session, feeds, "UNet")).out_sample.data as Float32Array;
  };

  it("writes the patch beside the UNet, reading the original external data, and reuses it by hash", async () => {
    const dir = await tempDir();
    const unet = await externalModel(dir);
    const adapter = syntheticAdapter([8], 16);
    const first = await patchImageAdapter(unet, adapter);
    expect(first.cached).toBe(false);
    expect(first.modelPath).toMatch(/unet\.instantid-[0-9a-f]{16}\.onnx$/);
    const patched = await readModel(first.modelPath!);
    const locations = patched.graph.initializer.flatMap(
      (t) => t.externalData?.filter((e) => e.key === "location").map((e) => e.value) ?? [],
    );
    expect(new Set(locations)).toEqual(new Set(["weights.bin"]));
    expect((await readdir(dir)).filter((f) => f.endsWith(".bin"))).toEqual(["weights.bin"]);
    const second = await patchImageAdapter(unet, adapter);
    expect(second).toEqual({ ...first, cached: true });
    const other = await patchImageAdapter(unet, syntheticAdapter([8], 16, 2));
    expect(other.modelPath).not.toBe(first.modelPath);
    expect(await run(first.modelPath!, 0.8)).not.toEqual(await run(unet, 0.8));
  });

  it("re-points external data when written to a folder above the UNet's, and refuses folders ONNX Runtime cannot read from", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "models", "unet"), { recursive: true });
    const unet = await externalModel(join(dir, "models", "unet"));
    const result = await patchImageAdapter(unet, syntheticAdapter([8], 16), { outDir: dir });
    const patched = await readModel(result.modelPath!);
    const location = patched.graph.initializer.find((t) => t.externalData)!.externalData!.find((e) => e.key === "location")!.value;
    expect(location).toBe("models/unet/weights.bin");
    const beside = await patchImageAdapter(unet, syntheticAdapter([8], 16), { cache: false });
    assertClose(await run(result.modelPath!, 0.5), await run(beside.modelPath!, 0.5), { abs: 1e-6 }, "relocated");
    await expect(patchImageAdapter(unet, syntheticAdapter([8], 16), { outDir: join(dir, "elsewhere") })).rejects.toMatchObject({
      code: "INVALID_OPTION",
    });
  });

  it("never reads the external weights while patching", async () => {
    const dir = await tempDir();
    const unet = await externalModel(dir);
    await truncate(join(dir, "weights.bin"), 0);
    const result = await patchImageAdapter(unet, syntheticAdapter([8], 16));
    expect((await stat(result.modelPath!)).size).toBeGreaterThan(0);
  });

  it("moves large image projections to a side file when over inlineWeightLimit", async () => {
    const dir = await tempDir();
    const unet = await externalModel(dir);
    const side = await patchImageAdapter(unet, syntheticAdapter([8], 16), { inlineWeightLimit: 0, cache: false });
    expect(await readdir(dir)).toContain(`${basename(side.modelPath!)}.data`);
    const fromSideFile = await run(side.modelPath!, 0.8);
    const inline = await patchImageAdapter(unet, syntheticAdapter([8], 16), { cache: false });
    assertClose(fromSideFile, await run(inline.modelPath!, 0.8), { abs: 1e-6 }, "side file");
  });

  it("reports a missing UNet file as MODEL_NOT_FOUND", async () => {
    await expect(patchImageAdapter("/nonexistent/unet.onnx", syntheticAdapter([8], 16))).rejects.toMatchObject({ code: "MODEL_NOT_FOUND" });
  });

  it("validates its options at the boundary", async () => {
    await expect(patchImageAdapter(new Uint8Array(), syntheticAdapter([8], 16), { identities: 0 })).rejects.toThrow(/identities/);
  });
});
