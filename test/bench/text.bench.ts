import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { loadSession, type OrtSession } from "../../core/runtime/session.js";
import { ClipTokenizer } from "../../core/text/clip-tokenizer.js";
import { SdxlTextEncoder } from "../../core/text/sdxl-text-encoder.js";
import { sdxlTextModels } from "../../core/text/sdxl-text-models.js";
import { writeTinyTextEncoder, writeTinyTokenizer } from "../helpers/text-models.js";
import { medianMs, type Benchmark, type BenchResult } from "./benchmark.js";

// The bench runs from the bundled dist/, so ../shared is found from the working directory (the project root).
const golden = join(process.env.INSTANTID_SHARED ?? resolve(process.cwd(), "..", "shared"), "golden", "text");

const SUBJECTS = ["a photo of a woman", "portrait of an old man", "a child in a red coat", "analog film photo of a man", "a knight in armour"];
const STYLES = ["watercolor", "oil painting, impasto", "cinematic lighting, 35mm, f/1.8", "ink sketch, monochrome", "studio photo, soft light, bokeh"];
const DETAILS = ["highly detailed", "masterpiece, best quality", "(sharp focus:1.2), 8k", "dramatic shadows, 1940s style", "vibrant colours, trending on artstation"];

/** 125 prompts of 15–30 tokens combining common prompt vocabulary, as users write them. */
function prompts(): string[] {
  return SUBJECTS.flatMap((s) => STYLES.flatMap((st) => DETAILS.map((d) => `${s}, ${st}, ${d}`)));
}

async function tokenization(): Promise<BenchResult[]> {
  const [t1, t2] = await Promise.all([ClipTokenizer.fromFolder(join(golden, "tokenizer")), ClipTokenizer.fromFolder(join(golden, "tokenizer_2"))]);
  const list = prompts();
  const both = () => list.forEach((p) => (t1.encode(p), t2.encode(p)));
  const perPrompt = (await medianMs(both, 20, 3)) / list.length;
  // First sight of every word (an empty BPE cache): a fresh tokenizer per round, its loading not timed.
  let cold = 0;
  for (let round = 0; round < 5; round++) {
    const fresh = await ClipTokenizer.fromFolder(join(golden, "tokenizer"));
    const start = process.hrtime.bigint();
    list.forEach((p) => fresh.encode(p));
    cold += Number(process.hrtime.bigint() - start) / 1e6 / list.length / 5;
  }
  const goal = 1000 / 10_000;
  return [
    { name: "tokenize one prompt with both SDXL tokenizers (CLIP vocabulary, 125 prompts)", value: perPrompt * 1000, unit: "µs", baselineName: "10k prompts/s (issue's goal)", baseline: goal * 1000, goal: "≤ 100 µs (≥ 10k prompts/s)", met: perPrompt <= goal },
    { name: "tokenize one prompt, first sight of every word (empty BPE cache), one tokenizer", value: cold * 1000, unit: "µs", baselineName: "10k prompts/s (issue's goal)", baseline: goal * 1000, goal: "≤ 100 µs" , met: cold <= goal },
  ];
}

// SDXL's encoder widths and depths (CLIP ViT-L: 768, 12 layers; OpenCLIP bigG: 1280, 32 layers, projection 1280),
// one MatMul + Tanh per layer: about 1/12 of a real layer's work, so the overhead share measured here is an upper bound.
const ENCODER = { width: 768, layers: 12 } as const;
const ENCODER_2 = { width: 1280, layers: 32, projection: 1280 } as const;

async function encodingOverhead(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "instantid-bench-text-"));
  try {
    const models = sdxlTextModels(dir);
    const vocab = await writeTinyTokenizer(models.tokenizer);
    await writeTinyTokenizer(models.tokenizer2, { pad: "!" });
    await writeTinyTextEncoder(models.textEncoder, { vocabSize: vocab.size, ...ENCODER, idsType: "int64" });
    await writeTinyTextEncoder(models.textEncoder2, { vocabSize: vocab.size, ...ENCODER_2, idsType: "int64" });
    const encoder = await SdxlTextEncoder.open(models);
    const raw: OrtSession[] = [await loadSession(models.textEncoder, { what: "text encoder" }), await loadSession(models.textEncoder2, { what: "text encoder 2" })];
    try {
      const text = { prompt: "a cat, the cats", negativePrompt: "the cat" };
      const feeds = [text.prompt, text.negativePrompt].map((p) => [encoder.tokenizer.encode(p).ids, encoder.tokenizer2.encode(p).ids]);
      const fetches = [[`hidden_states.${ENCODER.layers - 1}`], [`hidden_states.${ENCODER_2.layers - 1}`, "text_embeds"]];
      const ortOnly = async () => {
        for (const pair of feeds) {
          for (const [k, ids] of pair.entries()) {
            await raw[k].run({ input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]) }, fetches[k]);
          }
        }
      };
      // Interleaved rounds, alternating which side goes first, so load on the machine touches both alike.
      const whole: number[] = [];
      const inference: number[] = [];
      await encoder.encode(text);
      await ortOnly();
      for (let round = 0; round < 10; round++) {
        const sides = [async () => whole.push(await medianMs(() => encoder.encode(text), 1, 0)), async () => inference.push(await medianMs(ortOnly, 1, 0))];
        if (round % 2) sides.reverse();
        for (const side of sides) await side();
      }
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
      const [total, ortMs] = [median(whole), median(inference)];
      const overhead = Math.max(0, total - ortMs);
      return [
        {
          name: "SDXL encode_prompt outside ONNX Runtime (prompt + negative: tokenize, feeds, concat), SDXL-width synthetic encoders",
          value: overhead, unit: "ms", baselineName: "the same 4 encoder runs on ONNX Runtime alone", baseline: ortMs,
          goal: "ratio < 0.05", ratio: overhead / ortMs, met: overhead / ortMs < 0.05,
        },
      ];
    } finally {
      await Promise.all([encoder.release(), ...raw.map((s) => s.release())]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** CLIP tokenization speed and the share of SDXL text encoding spent outside ONNX Runtime. */
export const textBenchmark: Benchmark = {
  name: "text prompts",
  available: () => existsSync(join(golden, "tokenizer", "vocab.json")),
  skipReason: `the CLIP vocabulary ${golden}/tokenizer is absent (set INSTANTID_SHARED)`,
  async run() {
    return [...(await tokenization()), ...(await encodingOverhead())];
  },
};
