import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertControlNet } from "../../../core/convert/convert.js";
import { convertTensorBytes } from "../../../core/convert/tensor-bytes.js";
import { writeRandomControlNet } from "../../../core/synthetic/random-checkpoint.js";
import { InstantIdError } from "../../../core/errors.js";
import { readModel } from "../../../core/onnx/model.js";
import type { ProgressEvent } from "../../../core/progress.js";
import { assertClose } from "../../helpers/assert-close.js";
import { describeShared, sharedPath, tempDir } from "../../helpers/shared.js";
import { REFERENCE_CONFIGS, type ReferenceCase, referenceInputs, sampledIndices } from "./reference-cases.js";
import { TORCH_REFERENCE } from "./reference-values.js";
import { initializerBytes } from "./initializer-bytes.js";
import { runConverted } from "./run-converted.js";

async function checkpoint(name: ReferenceCase, options: { shards?: number } = {}): Promise<string> {
  const dir = join(await tempDir("instantid-cn-"), "ControlNetModel");
  const { config, dtype } = REFERENCE_CONFIGS[name];
  await writeRandomControlNet(dir, config, { dtype, seed: 7, ...options });
  return dir;
}

async function expectMatchesTorch(name: ReferenceCase, model: string, tolerance = { abs: 2e-4, rel: 1e-3 }): Promise<void> {
  const outputs = await runConverted(model, referenceInputs(REFERENCE_CONFIGS[name].config));
  const expected = TORCH_REFERENCE[name];
  expect([...outputs.keys()].sort()).toEqual(Object.keys(expected).sort());
  for (const [output, { shape, values }] of Object.entries(expected)) {
    const actual = outputs.get(output)!;
    expect(actual.shape, output).toEqual(shape);
    assertClose(
      sampledIndices(actual.data.length).map((i) => actual.data[i]),
      values,
      tolerance,
      `${name} ${output}`,
    );
  }
}

async function expectRefusal(run: () => Promise<unknown>, code: string, text: RegExp): Promise<InstantIdError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InstantIdError);
  expect((error as InstantIdError).code).toBe(code);
  expect((error as InstantIdError).message).toMatch(text);
  return error as InstantIdError;
}

describe("convertControlNet", () => {
  it(
    "gives the outputs of diffusers' ControlNetModel (independent PyTorch reference) for InstantX's layout: lists, linear " +
      "projections, fp16 file",
    async () => {
      const dir = await checkpoint("published");
      const output = join(await tempDir(), "identitynet.onnx");
      const result = await convertControlNet({ dir, output, dtype: "fp32" });
      expect(result).toMatchObject({ model: output, data: `${output}.data`, dtype: "fp32" });
      await expectMatchesTorch("published", output);
    },
  );

  it(
    "gives diffusers' outputs for the other value of every supported key (ints, bgr, conv projections, global pooling, padding " +
      "0, sin first, shift 1, num_attention_heads, mid scale, fp32 file)",
    async () => {
      const output = join(await tempDir(), "variant.onnx");
      await convertControlNet({ dir: await checkpoint("variant"), output, dtype: "fp32" });
      await expectMatchesTorch("variant", output);
    },
  );

  it(
    "keeps fp16 weights as fp16 by linking the checkpoint: the data file is the safetensors file, each tensor read where its " +
      "header puts it",
    async () => {
      const dir = await checkpoint("published");
      const out = await tempDir();
      const half = await convertControlNet({ dir, output: join(out, "half.onnx") });
      const full = await convertControlNet({ dir, output: join(out, "full.onnx"), dtype: "fp32" });
      expect(half).toMatchObject({ dtype: "fp16", linked: true });
      expect(full.linked).toBe(false);
      const source = await stat(join(dir, "diffusion_pytorch_model.safetensors"));
      const data = await stat(half.data);
      expect([data.ino, data.dev, data.size, half.dataBytes]).toEqual([source.ino, source.dev, source.size, source.size]);
      const model = await readModel(half.model);
      expect(model.graph.initializer.filter((t) => t.dataLocation === 1).every((t) => t.dataType === 10)).toBe(true);
      expect(model.graph.node.filter((n) => n.opType === "Cast")).toHaveLength(half.tensors);
      // The fp32 file holds the same weights widened exactly, tensor by tensor.
      const halves = await initializerBytes(half.model);
      const floats = await initializerBytes(full.model);
      expect([...halves.keys()].sort()).toEqual([...floats.keys()].sort());
      for (const [key, bytes] of halves) {
        const widened = new Uint8Array(bytes.byteLength * 2);
        convertTensorBytes(bytes, "F16", "fp32", widened);
        expect(Buffer.compare(widened, floats.get(key)!), key).toBe(0);
      }
      // The file's weights are fp16 already, so keeping them loses nothing.
      await expectMatchesTorch("published", half.model);
    },
  );

  it("converts again in place: the linked data file is replaced by itself and no temp file is left", async () => {
    const dir = await checkpoint("published");
    const out = await tempDir();
    const output = join(out, "identitynet.onnx");
    const first = await convertControlNet({ dir, output });
    const before = await readFile(output);
    const second = await convertControlNet({ dir, output });
    expect(second).toEqual(first);
    expect((await readdir(out)).sort()).toEqual(["identitynet.onnx", "identitynet.onnx.data"]);
    expect(Buffer.compare(await readFile(output), before)).toBe(0);
  });

  it("writes fp16 from an fp32 file by rounding each weight (residuals within fp16 precision of the reference)", async () => {
    const output = join(await tempDir(), "variant16.onnx");
    await convertControlNet({ dir: await checkpoint("variant"), output, dtype: "fp16" });
    await expectMatchesTorch("variant", output, { abs: 5e-3, rel: 1e-2 });
  });

  it("reads sharded weights (index.json + shards) into the same tensors as one file (streamed, since shards cannot be linked)", async () => {
    const out = await tempDir();
    const single = await convertControlNet({ dir: await checkpoint("variant"), output: join(out, "single.onnx"), dtype: "fp32" });
    const sharded = await convertControlNet({
      dir: await checkpoint("variant", { shards: 3 }),
      output: join(out, "sharded.onnx"),
      dtype: "fp32",
    });
    expect([single.linked, sharded.linked]).toEqual([true, false]);
    expect((await stat(sharded.data)).size).toBe(sharded.dataBytes);
    const one = await initializerBytes(single.model);
    const split = await initializerBytes(sharded.model);
    expect([...split.keys()]).toEqual([...one.keys()]);
    for (const [key, bytes] of split) expect(Buffer.compare(bytes, one.get(key)!), key).toBe(0);
    await expectMatchesTorch("variant", sharded.model);
  });

  it("reports one convert event per tensor, in order, naming it", async () => {
    const events: ProgressEvent[] = [];
    const result = await convertControlNet({
      dir: await checkpoint("published"),
      output: join(await tempDir(), "cn.onnx"),
      onProgress: (e) => events.push(e),
    });
    expect(events).toHaveLength(result.tensors);
    expect(events.map((e) => e.completed)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e.stage === "convert" && e.total === result.tensors && typeof e.message === "string")).toBe(true);
    expect(events[0].message).toBe("time_embedding.linear_1.weight");
  });

  it("leaves nothing behind when cancelled half-way (linked or streamed), and keeps an earlier conversion in place", async () => {
    const dir = await checkpoint("published");
    const out = await tempDir();
    const output = join(out, "identitynet.onnx");
    await convertControlNet({ dir, output, dtype: "fp32" });
    const before = [await readFile(output), await readFile(`${output}.data`)];
    for (const dtype of ["fp16", "fp32"] as const) {
      const controller = new AbortController();
      const onProgress = (e: ProgressEvent) => e.completed === 10 && controller.abort();
      await expectRefusal(() => convertControlNet({ dir, output, dtype, onProgress, signal: controller.signal }), "ABORTED", /cancelled/);
      expect((await readdir(out)).sort()).toEqual(["identitynet.onnx", "identitynet.onnx.data"]);
      expect(Buffer.compare(await readFile(output), before[0])).toBe(0);
      expect(Buffer.compare(await readFile(`${output}.data`), before[1])).toBe(0);
    }
  });

  it("refuses weights that do not match config.json (missing, extra or misshapen tensors) before writing anything", async () => {
    const dir = await checkpoint("published");
    const out = await tempDir();
    const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, layers_per_block: 3 }));
    const missing = await expectRefusal(
      () => convertControlNet({ dir, output: join(out, "a.onnx") }),
      "MODEL_INVALID",
      /missing: down_blocks\.0\.resnets\.2\./,
    );
    expect(missing.details?.keys).toContain("controlnet_down_blocks.11.weight");
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, layers_per_block: 1 }));
    await expectRefusal(
      () => convertControlNet({ dir, output: join(out, "b.onnx") }),
      "MODEL_INVALID",
      /not part of the model the config describes: .*down_blocks\.0\.resnets\.1\./,
    );
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, cross_attention_dim: 64 }));
    await expectRefusal(
      () => convertControlNet({ dir, output: join(out, "c.onnx") }),
      "MODEL_INVALID",
      /attn2\.to_k\.weight \[64, 48\], expected \[64, 64\]/,
    );
    expect(await readdir(out)).toEqual([]);
  });

  it("says where it looked when the folder has no config.json or no safetensors weights", async () => {
    const empty = await tempDir();
    await expectRefusal(() => convertControlNet({ dir: empty, output: join(empty, "x.onnx") }), "MODEL_NOT_FOUND", /config\.json/);
    await writeFile(join(empty, "config.json"), JSON.stringify(REFERENCE_CONFIGS.published.config));
    await writeFile(join(empty, "diffusion_pytorch_model.bin"), "pickle");
    await expectRefusal(
      () => convertControlNet({ dir: empty, output: join(empty, "x.onnx") }),
      "MODEL_NOT_FOUND",
      /diffusion_pytorch_model\.safetensors.*pickled weights are not read/,
    );
  });
});

describeShared("convertControlNet on the published layout", "golden/pipeline/controlnet", () => {
  it("converts ../shared/golden/pipeline/controlnet (config.json + fp16 safetensors) into a graph the IdentityNet runner loads", async () => {
    const output = join(await tempDir(), "identitynet.onnx");
    const result = await convertControlNet({ dir: sharedPath("golden", "pipeline", "controlnet"), output });
    expect(result.tensors).toBe(322);
    const config = JSON.parse(await readFile(sharedPath("golden", "pipeline", "controlnet", "config.json"), "utf8"));
    const inputs = referenceInputs({ ...config, cross_attention_dim: config.cross_attention_dim });
    const outputs = await runConverted(output, inputs);
    expect([...outputs.values()].map((t) => t.shape)).toEqual([
      [2, 32, 8, 8],
      [2, 32, 8, 8],
      [2, 32, 8, 8],
      [2, 32, 4, 4],
      [2, 64, 4, 4],
      [2, 64, 4, 4],
      [2, 64, 2, 2],
      [2, 64, 2, 2],
      [2, 64, 2, 2],
      [2, 64, 2, 2],
    ]);
    expect([...outputs.values()].every((t) => t.data.every(Number.isFinite))).toBe(true);
  });
});
