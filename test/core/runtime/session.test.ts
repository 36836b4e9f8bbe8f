import { readFile, stat, utimes, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { encodeModel, OnnxDataType, type OnnxModel, type OnnxValueInfo } from "../../../core/onnx/model.js";
import { checkDevice, configureRuntime, currentDevice, parseDevice } from "../../../core/runtime/device.js";
import { loadSession, runSession, sessionOptions, toOrtTensor } from "../../../core/runtime/session.js";
import { optimizedModelPath, SessionPool } from "../../../core/runtime/session-pool.js";
import { floatToHalf, halfToFloat } from "../../../core/tensor/dtype.js";
import { float16ToFloat32, float32ToFloat16 } from "../../../core/runtime/float16.js";
import { tempDir } from "../../helpers/shared.js";

const value = (name: string, elemType: number, dims: string[]): OnnxValueInfo => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
});

/** y = x · 3 + x in float16 throughout (inputs, initializer, output): a graph as fp16 exports are. */
function float16Graph(): OnnxModel {
  const three = new Uint16Array([floatToHalf(3)]);
  return {
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    producerName: "instantid-test",
    graph: {
      name: "half",
      node: [
        { input: ["x", "three"], output: ["t"], name: "mul", opType: "Mul" },
        { input: ["t", "x"], output: ["y"], name: "add", opType: "Add" },
      ],
      initializer: [{ name: "three", dims: [1], dataType: OnnxDataType.Float16, rawData: new Uint8Array(three.buffer) }],
      input: [value("x", OnnxDataType.Float16, ["n"])],
      output: [value("y", OnnxDataType.Float16, ["n"])],
    },
  };
}

describe("float16 graphs at the session boundary", () => {
  it("fails in ONNX Runtime itself when fed float32 (what the SDK used to pass through)", async () => {
    const session = await loadSession(encodeModel(float16Graph()), { what: "float16 graph" });
    await expect(session.run({ x: new ort.Tensor("float32", new Float32Array([1]), [1]) })).rejects.toThrow(/float16/);
  });

  it("casts float32 feeds to float16 and gives float32 outputs, rounded as float16 computes", async () => {
    const session = await loadSession(encodeModel(float16Graph()), { what: "float16 graph" });
    const x = new Float32Array([0.1, -2.5, 1000, 1e-5, 0]);
    const out = await runSession(session, { x: toOrtTensor({ shape: [5], data: x }) }, "float16 graph");
    expect(out.y.type).toBe("float32");
    const half = (v: number) => halfToFloat(floatToHalf(v));
    expect([...(out.y.data as Float32Array)]).toEqual([...x].map((v) => half(half(half(v) * 3) + half(v))));
  });

  it("converts whole arrays both ways like the scalar conversions (round to nearest even, subnormals, infinities)", () => {
    const values = new Float32Array([0, -0, 1, 65504, 70000, -70000, 6e-8, 2.98e-8, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Number.NaN]);
    const bits = float32ToFloat16(values);
    expect([...bits]).toEqual([...values].map(floatToHalf));
    expect([...float16ToFloat32(bits)]).toEqual([...bits].map(halfToFloat));
  });
});

describe("operator threads", () => {
  it("gives a session every core Node may use unless intraOpThreads says otherwise (ONNX Runtime's own count chose 1 of 2)", () => {
    expect(sessionOptions({ what: "x" }).intraOpNumThreads).toBe(availableParallelism());
    expect(sessionOptions({ what: "x", intraOpThreads: 1 }).intraOpNumThreads).toBe(1);
  });
});

describe("execution providers (device)", () => {
  afterEach(() => configureRuntime({ device: "cpu" }));

  it("parses one name, a comma list or an array, lower-cased, in order", () => {
    expect(parseDevice("CUDA, cpu")).toEqual(["cuda", "cpu"]);
    expect(parseDevice(["coreml", "cpu", "cpu"])).toEqual(["coreml", "cpu"]);
    expect(() => parseDevice(" , ")).toThrow(/execution provider name/);
  });

  it("gives every session the process's providers (CPU by default, configureRuntime to change)", () => {
    expect(currentDevice()).toEqual(["cpu"]);
    expect(sessionOptions({ what: "x" }).executionProviders).toEqual(["cpu"]);
    configureRuntime({ device: "cuda,cpu" });
    expect(sessionOptions({ what: "x" }).executionProviders).toEqual(["cuda", "cpu"]);
    expect(sessionOptions({ what: "x", device: "dml" }).executionProviders).toEqual(["dml"]);
  });

  it("refuses a provider this build lacks with DEVICE_UNAVAILABLE, naming what it has and what to install", () => {
    const linux = [
      { name: "cpu", bundled: true },
      { name: "webgpu", bundled: true },
      { name: "cuda", bundled: false },
    ];
    expect(() => checkDevice(["dml"], linux)).toThrow(
      expect.objectContaining({
        code: "DEVICE_UNAVAILABLE",
        message: expect.stringMatching(/it has cpu, webgpu, cuda.*DirectML ships with onnxruntime-node on Windows/),
      }),
    );
    expect(() => checkDevice(["cuda"], linux, () => false)).toThrow(
      expect.objectContaining({
        code: "DEVICE_UNAVAILABLE",
        message: expect.stringMatching(
          /libonnxruntime_providers_cuda.so.*--onnxruntime-node-install=skip.*--onnxruntime-node-install=cuda12/,
        ),
      }),
    );
    expect(() => checkDevice(["cuda", "cpu"], linux, () => true)).not.toThrow();
  });

  it("refuses, before opening anything, a session on a provider this install cannot run", async () => {
    const available = ort.listSupportedBackends().map((b) => b.name);
    const missing = ["dml", "coreml"].find((name) => !available.includes(name))!;
    await expect(loadSession(encodeModel(float16Graph()), { what: "float16 graph", device: missing })).rejects.toMatchObject({
      code: "DEVICE_UNAVAILABLE",
    });
  });
});

describe("saved optimized models and the session pool", () => {
  it("saves the optimized graph on first open, then opens the saved file; a newer model is optimized again", async () => {
    const dir = await tempDir();
    const model = join(dir, "half.onnx");
    await writeFile(model, encodeModel(float16Graph()));
    const target = optimizedModelPath(join(dir, "opt"), model, "cpu");
    expect(target).toMatch(/half\.[0-9a-f]{10}\.cpu\.onnx$/);
    const first = await loadSession(model, { what: "float16 graph", optimizedModelFilePath: target });
    const saved = await stat(target);
    const second = await loadSession(model, { what: "float16 graph", optimizedModelFilePath: target });
    expect((await stat(target)).mtimeMs).toBe(saved.mtimeMs);
    const feeds = { x: toOrtTensor({ shape: [2], data: new Float32Array([1.5, -4]) }) };
    expect((await runSession(second, feeds, "saved")).y.data).toEqual((await runSession(first, feeds, "original")).y.data);
    const later = new Date(saved.mtimeMs + 10_000);
    await utimes(model, later, later);
    await loadSession(model, { what: "float16 graph", optimizedModelFilePath: target });
    expect((await stat(target)).mtimeMs).toBeGreaterThan(saved.mtimeMs);
    expect((await readFile(target)).length).toBeGreaterThan(0);
  });

  it("names optimized copies apart for models that share a file name, and per device", () => {
    expect(optimizedModelPath("/o", "/m/unet/model.onnx", "cpu")).not.toBe(optimizedModelPath("/o", "/m/vae_decoder/model.onnx", "cpu"));
    expect(optimizedModelPath("/o", "/m/unet/model.onnx", "cpu")).not.toBe(optimizedModelPath("/o", "/m/unet/model.onnx", "cuda,cpu"));
  });

  it("opens each path once, reports how long it took, and refuses after close()", async () => {
    const dir = await tempDir();
    const model = join(dir, "half.onnx");
    await writeFile(model, encodeModel(float16Graph()));
    const pool = new SessionPool();
    const [a, b] = await Promise.all([pool.open(model, "graph"), pool.open(join(dir, ".", "half.onnx"), "graph")]);
    expect(a).toBe(b);
    expect(pool.opened).toHaveLength(1);
    expect(pool.opened[0].ms).toBeGreaterThan(0);
    await pool.close();
    await expect(pool.open(model, "graph")).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});
