import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FaceAnalysis } from "../../core/face/analysis.js";
import { alignFace, alignFaceInto } from "../../core/face/align.js";
import { letterbox } from "../../core/face/letterbox.js";
import { FACE_NET_THREADS } from "../../core/face/threads.js";
import { NchwTensor, toNchw } from "../../core/face/normalize.js";
import { l2Normalize } from "../../core/face/recognizer.js";
import { decodeScrfd } from "../../core/face/scrfd-decode.js";
import { LetterboxPool } from "../../core/face/letterbox-buffer.js";
import { TensorPool } from "../../core/face/tensor-pool.js";
import { groupScrfdOutputs } from "../../core/face/scrfd-outputs.js";
import type { Detection } from "../../core/face/types.js";
import { loadImage } from "../../core/image/io.js";
import type { RgbImage } from "../../core/image/rgb-image.js";
import { fromOrtTensor, loadSession, runSession, toOrtTensor, type OrtSession } from "../../core/runtime/session.js";
import { medianMs, type Benchmark, type BenchResult } from "./benchmark.js";
import sharp from "sharp";

// The bench runs bundled (.cache/bench/main.js), so ../shared is found from the working directory (the project root).
const real = join(process.env.INSTANTID_SHARED ?? resolve(process.cwd(), "..", "shared"), "real");
const SIZE = 640;
const SCRFD_NORM = { mean: 127.5, std: 128, channelOrder: "RGB" } as const;
const RECOGNIZER_NORM = { mean: 127.5, std: 128, channelOrder: "BGR" } as const;
const OPENCV_PIPELINE_MS = 45;

interface Prepared {
  readonly image: RgbImage;
  readonly detectorFeed: Float32Array;
  readonly outputs: { name: string; shape: readonly number[]; data: Float32Array }[];
  readonly detScale: number;
  readonly faces: Detection[];
}

async function prepare(detector: OrtSession, image: RgbImage): Promise<Prepared> {
  const boxed = letterbox(image, SIZE, SIZE, SCRFD_NORM);
  const results = await runSession(
    detector,
    { [detector.inputNames[0]]: toOrtTensor({ shape: [1, 3, SIZE, SIZE], data: boxed.data }) },
    "detector",
  );
  const outputs = detector.outputNames.map((name) => ({ name, ...fromOrtTensor(results[name], name) }));
  const faces = decode(outputs, image, boxed.detScale);
  return { image, detectorFeed: boxed.data, outputs, detScale: boxed.detScale, faces };
}

function decode(outputs: Prepared["outputs"], image: RgbImage, detScale: number): Detection[] {
  return decodeScrfd(groupScrfdOutputs(outputs, SIZE, SIZE), {
    inputWidth: SIZE,
    inputHeight: SIZE,
    imageWidth: image.width,
    imageHeight: image.height,
    detScale,
  });
}

/** The detector's and the recognizer's own pools: their inputs are reused from one image to the next. */
const inputs = new LetterboxPool();
const crops = new TensorPool();

/** Everything the SDK itself does around the two networks for one image, as ScrfdDetector and FaceAnalysis do it. */
function sdkWork(p: Prepared): void {
  const input = inputs.acquire();
  input.fill(p.image, SIZE, SIZE, SCRFD_NORM);
  inputs.release(input);
  for (const face of decode(p.outputs, p.image, p.detScale)) {
    const crop = crops.acquire(3 * 112 * 112);
    alignFaceInto(p.image, face.kps, 112, new NchwTensor(112, 112, RECOGNIZER_NORM, crop));
    crops.release(crop);
    l2Normalize(new Float32Array(512));
  }
}

/**
 * CPU time of the main thread alone in ms (Linux's per-thread schedstat), or undefined elsewhere: the
 * process's CPU time also counts V8's background garbage-collection and compiler threads, whose work
 * the whole process causes (ONNX Runtime's outputs included) and which lands in whichever phase is timed.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** The two networks alone on the same inputs: one detector run, one recognizer run per face. */
async function inference(detector: OrtSession, recognizer: OrtSession, p: Prepared, crops: Float32Array[]): Promise<void> {
  await runSession(detector, { [detector.inputNames[0]]: toOrtTensor({ shape: [1, 3, SIZE, SIZE], data: p.detectorFeed }) }, "detector");
  for (const crop of crops)
    await runSession(recognizer, { [recognizer.inputNames[0]]: toOrtTensor({ shape: [1, 3, 112, 112], data: crop }) }, "recognizer");
}

async function perImage(images: readonly unknown[], measure: (i: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < images.length; i++) total += await measure(i);
  return total / images.length;
}

/** CPU time of one letterbox pass over every photo, in ms per photo. */
function letterboxCpuMs(images: readonly RgbImage[], into: Float32Array, passes: number): number {
  const before = process.cpuUsage();
  for (let pass = 0; pass < passes; pass++) for (const image of images) letterbox(image, SIZE, SIZE, SCRFD_NORM, into);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / passes / images.length;
}

/**
 * The letterbox on the WebAssembly kernel (resize-kernel.wat, calling thread only) against its JavaScript twin
 * (INSTANTID_SIMD=0, same bits) in interleaved rounds, CPU time: the measured difference behind keeping the kernel.
 */
function letterboxKernelRow(images: readonly RgbImage[]): BenchResult {
  const into = new Float32Array(3 * SIZE * SIZE);
  const wasm: number[] = [];
  const js: number[] = [];
  const withJs = (fn: () => number) => {
    process.env.INSTANTID_SIMD = "0";
    try {
      return fn();
    } finally {
      delete process.env.INSTANTID_SIMD;
    }
  };
  letterboxCpuMs(images, into, 3);
  withJs(() => letterboxCpuMs(images, into, 3));
  for (let round = 0; round < 7; round++) {
    wasm.push(letterboxCpuMs(images, into, 5));
    js.push(withJs(() => letterboxCpuMs(images, into, 5)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return {
    name:
      `letterbox per image, WebAssembly kernel on the calling thread, CPU time (median of 7 interleaved rounds, ` +
      `${images.length} photos)`,
    value: median(wasm),
    unit: "ms",
    baselineName: "the same letterbox on the JavaScript kernel (INSTANTID_SIMD=0)",
    baseline: median(js),
    goal: "ratio well below 1 (else plain JavaScript is enough)",
  };
}

/** Face analysis at 640 with det_500m.onnx + recognizer.onnx on the real photos, image decoding excluded. */
export const faceBenchmark: Benchmark = {
  name: "face analysis",
  available: () => existsSync(join(real, "models", "det_500m.onnx")) && existsSync(join(real, "expected.json")),
  skipReason: `needs ${real}/models/det_500m.onnx, recognizer.onnx and images`,
  async run() {
    const names: string[] = JSON.parse(readFileSync(join(real, "expected.json"), "utf8")).results.map((r: { image: string }) => r.image);
    const images = await Promise.all(names.map((n) => loadImage(join(real, "images", n))));
    const analysis = await FaceAnalysis.create({ models: join(real, "models") });
    const detector = await loadSession(join(real, "models", "det_500m.onnx"), { what: "face detector", intraOpThreads: FACE_NET_THREADS });
    const recognizer = await loadSession(join(real, "models", "recognizer.onnx"), {
      what: "face recognizer",
      intraOpThreads: FACE_NET_THREADS,
    });
    const prepared = await Promise.all(images.map((image) => prepare(detector, image)));
    const crops = prepared.map((p) => p.faces.map((f) => toNchw(alignFace(p.image, f.kps, 112).crop, 112, 112, RECOGNIZER_NORM)));

    const whole = await perImage(images, (i) => medianMs(() => analysis.analyze(images[i])));
    // Interleaved rounds: each round times the SDK's work and the inference on every photo back to back, so
    // load that drifts during the run (other processes on the 2 cores) weighs on both sides of each share.
    // Besides wall time, the process's CPU time: on an oversubscribed machine a 2 ms letterbox preempted once
    // takes 10-30 ms of wall time, so the wall-time share measures the scheduler; CPU time measures the work.
    const shares: number[] = [];
    const cpuShares: number[] = [];
    const mainShares: number[] = [];
    let sdk = 0;
    let onnx = 0;
    for (let round = 0; round < 7; round++) {
      const cpuBefore = process.cpuUsage();
      const mainBefore = mainThreadCpuMs();
      const s = await perImage(images, (i) => medianMs(() => sdkWork(prepared[i]), 5, round === 0 ? 3 : 0));
      const cpuSdk = process.cpuUsage(cpuBefore);
      const mainSdk = mainThreadCpuMs();
      const o = await perImage(images, (i) =>
        medianMs(() => inference(detector, recognizer, prepared[i], crops[i]), 3, round === 0 ? 1 : 0),
      );
      const cpuOnnx = process.cpuUsage(cpuBefore);
      const mainOnnx = mainThreadCpuMs();
      if (mainBefore !== undefined && mainSdk !== undefined && mainOnnx !== undefined)
        mainShares.push((mainSdk - mainBefore) / (round === 0 ? 8 : 5) / ((mainOnnx - mainSdk) / (round === 0 ? 4 : 3)));
      // Both sides ran the same number of repetitions per image (warm-ups aside): 5 (+3) SDK passes, 3 (+1) inference passes.
      const sdkCpu = (cpuSdk.user + cpuSdk.system) / (round === 0 ? 8 : 5);
      const onnxCpu = (cpuOnnx.user + cpuOnnx.system - cpuSdk.user - cpuSdk.system) / (round === 0 ? 4 : 3);
      cpuShares.push(sdkCpu / onnxCpu);
      shares.push(s / o);
      sdk += s / 7;
      onnx += o / 7;
    }
    const worst = Math.max(...shares);
    const worstCpu = Math.max(...cpuShares);
    const worstMain = Math.max(...mainShares);
    return [
      {
        name: `FaceAnalysis.analyze per image (${images.length} photos, ${SIZE}, 2 nets)`,
        value: whole,
        unit: "ms",
        baselineName: "OpenCV C++ pipeline (issue's figure)",
        baseline: OPENCV_PIPELINE_MS,
        goal: `<= ${OPENCV_PIPELINE_MS} ms (quoted, not measured here)`,
        met: whole <= OPENCV_PIPELINE_MS,
        decidedBy: "quoted",
      },
      {
        name: "SDK pre/post-processing per image (letterbox, decode, NMS, align), mean of 7 interleaved rounds",
        value: sdk,
        unit: "ms",
        baselineName: "ONNX inference on the same inputs",
        baseline: onnx,
        goal: "ratio < 0.10",
        met: sdk / onnx < 0.1,
      },
      {
        name: `SDK share of inference, worst of 7 interleaved rounds (rounds: ${shares.map((r) => (100 * r).toFixed(1)).join(", ")} %)`,
        value: worst * onnx,
        unit: "ms",
        baselineName: "ONNX inference on the same inputs",
        baseline: onnx,
        ratio: worst,
        goal: "ratio < 0.10 in every round",
        met: worst < 0.1,
      },
      {
        name: `SDK share of inference in CPU time, worst of 7 rounds (rounds: ${cpuShares.map((r) => (100 * r).toFixed(1)).join(", ")} %)`,
        value: worstCpu * onnx,
        unit: "ms",
        baselineName: "ONNX inference on the same inputs",
        baseline: onnx,
        ratio: worstCpu,
        goal: "ratio < 0.10 in every round (load-independent)",
        met: worstCpu < 0.1,
      },
      ...(mainShares.length
        ? [
            {
              name:
                "SDK share of inference in the main thread's CPU time (no background GC or compiler threads), worst of 7 rounds " +
                `(rounds: ${mainShares.map((r) => (100 * r).toFixed(1)).join(", ")} %)`,
              value: worstMain * onnx,
              unit: "ms",
              baselineName: "ONNX inference on the same inputs",
              baseline: onnx,
              ratio: worstMain,
              goal: "ratio < 0.10 in every round",
              met: worstMain < 0.1,
            },
          ]
        : []),
      letterboxKernelRow(images),
      ...(await scaleRows(analysis, join(real, "images", "obama_1.jpg"))),
    ];
  },
};

/** A photo resized to `megapixels` (aspect kept) and encoded as JPEG, as a camera would hand it over. */
async function jpegAt(photo: string, megapixels: number): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const factor = Math.sqrt((megapixels * 1e6) / (meta.width! * meta.height!));
  return sharp(photo)
    .resize(Math.round(meta.width! * factor), Math.round(meta.height! * factor))
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** `count` copies of a photo side by side (a grid), as one JPEG: `count` faces of the same size. */
async function facesGrid(photo: string, count: number): Promise<Buffer> {
  const tile = await sharp(photo).resize(640, 640, { fit: "cover" }).jpeg().toBuffer();
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const composite = Array.from({ length: count }, (_, i) => ({
    input: tile,
    left: (i % columns) * 640,
    top: Math.floor(i / columns) * 640,
  }));
  return sharp({ create: { width: columns * 640, height: rows * 640, channels: 3, background: "#808080" } })
    .composite(composite)
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** How face analysis grows with the photo's size (decoding included: JPEG bytes in) and with the number of faces. */
async function scaleRows(analysis: FaceAnalysis, photo: string): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  const small = await jpegAt(photo, 0.3);
  const smallMs = await medianMs(() => analysis.analyze(small), 5, 1);
  for (const mp of [1, 3, 12]) {
    const bytes = await jpegAt(photo, mp);
    const full = await medianMs(() => analysis.analyze(bytes), 3, 1);
    rows.push({
      name: `face analysis of a ${mp} MP JPEG (decode + analysis, 1 face)`,
      value: full,
      unit: "ms",
      baselineName: "the same photo at 0.3 MP",
      baseline: smallMs,
      goal: "grows with decoding only (the detector runs at 640)",
    });
    const shrunk = await medianMs(() => analysis.analyze(bytes, { shrinkOnLoad: true }), 3, 1);
    rows.push({
      name: `face analysis of a ${mp} MP JPEG with shrinkOnLoad (opt-in, leaves exact OpenCV parity)`,
      value: shrunk,
      unit: "ms",
      baselineName: `full decode of the ${mp} MP JPEG`,
      baseline: full,
      goal: "ratio < 1 above 1280 px",
    });
  }
  const one = await facesGrid(photo, 1);
  const oneMs = await medianMs(() => analysis.analyze(one), 5, 1);
  for (const count of [2, 4]) {
    const grid = await facesGrid(photo, count);
    const ms = await medianMs(() => analysis.analyze(grid), 3, 1);
    rows.push({
      name: `face analysis, ${count} faces in one photo (640 px tiles)`,
      value: ms,
      unit: "ms",
      baselineName: "1 face (one tile)",
      baseline: oneMs,
      ratio: ms / oneMs,
      goal: `≈ 1 + ${count - 1} × recognizer share (one recognizer run per face)`,
    });
  }
  return rows;
}
