import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BYTE_TO_UNICODE } from "../../core/text/byte-unicode.js";
import { sdxlTextModels, type SdxlTextModels } from "../../core/text/sdxl-text-models.js";
import { buildModel, GraphBuilder } from "./onnx-graph.js";

/** Merges of the tiny tokenizer, in rank order: enough for "a cat", "cats" and "the". */
export const TINY_MERGES = ["c a", "ca t</w>", "t h", "th e</w>", "ca t", "cat s</w>"];

/**
 * Writes a small CLIP-style tokenizer folder: ids 0–255 the byte symbols, 256–511 the same with `</w>`,
 * then one id per merge result, then `<|startoftext|>` and `<|endoftext|>` (CLIP's vocabulary order).
 */
export async function writeTinyTokenizer(
  dir: string,
  options: { pad?: string | { content: string }; files?: readonly string[] } = {},
): Promise<Map<string, number>> {
  const vocab = new Map<string, number>();
  for (const symbol of BYTE_TO_UNICODE) vocab.set(symbol, vocab.size);
  for (const symbol of BYTE_TO_UNICODE) vocab.set(`${symbol}</w>`, vocab.size);
  for (const merge of TINY_MERGES) vocab.set(merge.replace(" ", ""), vocab.size);
  vocab.set("<|startoftext|>", vocab.size);
  vocab.set("<|endoftext|>", vocab.size);
  const special = {
    bos_token: "<|startoftext|>",
    eos_token: "<|endoftext|>",
    unk_token: "<|endoftext|>",
    pad_token: options.pad ?? "<|endoftext|>",
  };
  const contents: Record<string, string> = {
    "vocab.json": JSON.stringify(Object.fromEntries(vocab)),
    "merges.txt": `#version: 0.2\n${TINY_MERGES.join("\n")}\n`,
    "special_tokens_map.json": JSON.stringify(special),
    "tokenizer_config.json": JSON.stringify({ ...special, model_max_length: 77, tokenizer_class: "CLIPTokenizer" }),
  };
  await mkdir(dir, { recursive: true });
  for (const name of options.files ?? Object.keys(contents)) await writeFile(join(dir, name), contents[name]);
  return vocab;
}

/** The weights of a tiny text encoder, to recompute its outputs in a test. */
export interface TinyEncoderWeights {
  readonly embedding: Float32Array;
  readonly layers: readonly Float32Array[];
  readonly projection?: Float32Array;
  readonly width: number;
}

function floats(builder: GraphBuilder, name: string): Float32Array {
  const init = builder.graph.initializer.find((i) => i.name === name)!;
  return new Float32Array(init.rawData!.slice().buffer);
}

/**
 * Writes a CLIP-shaped ONNX text encoder in optimum's output layout: input_ids (int32 or int64) →
 * embedding (Gather) = hidden_states.0, then `layers` × Tanh(MatMul) = hidden_states.1 … N and
 * last_hidden_state; with `projection`, text_embeds = mean over tokens of the last layer × a matrix.
 */
export async function writeTinyTextEncoder(
  path: string,
  options: { vocabSize: number; width: number; layers: number; idsType: "int32" | "int64"; projection?: number; seedOffset?: number },
): Promise<TinyEncoderWeights> {
  const b = new GraphBuilder();
  for (let i = 0; i < (options.seedOffset ?? 0); i++) b.weight([1]);
  b.graph.input.push({
    name: "input_ids",
    type: {
      tensorType: {
        elemType: options.idsType === "int32" ? 6 : 7,
        shape: { dim: [{ dimParam: "batch_size" }, { dimParam: "sequence_length" }] },
      },
    },
  });
  const embedding = b.weight([options.vocabSize, options.width]);
  let h = b.node("Gather", [embedding, "input_ids"], [], "hidden_states.0");
  const layers: string[] = [];
  for (let l = 1; l <= options.layers; l++) {
    const w = b.weight([options.width, options.width]);
    layers.push(w);
    h = b.node("Tanh", [b.node("MatMul", [h, w])], [], `hidden_states.${l}`);
  }
  const outputs = [];
  let projection: string | undefined;
  if (options.projection) {
    projection = b.weight([options.width, options.projection]);
    const mean = b.node(
      "ReduceMean",
      [h],
      [
        { name: "axes", type: 7, ints: [1] },
        { name: "keepdims", type: 2, i: 0 },
      ],
    );
    b.node("MatMul", [mean, projection], [], "text_embeds");
    outputs.push(["text_embeds", ["batch_size", options.projection]] as const);
  }
  b.node("Identity", [h], [], "last_hidden_state");
  outputs.push(["last_hidden_state", ["batch_size", "sequence_length", options.width]] as const);
  for (let l = 0; l <= options.layers; l++) outputs.push([`hidden_states.${l}`, ["batch_size", "sequence_length", options.width]] as const);
  for (const [name, dims] of outputs) b.output(name, [...dims]);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, buildModel(b.graph));
  return {
    embedding: floats(b, embedding),
    layers: layers.map((w) => floats(b, w)),
    projection: projection ? floats(b, projection) : undefined,
    width: options.width,
  };
}

/**
 * A whole tiny SDXL text export in optimum's layout under `dir`; tokenizer_2 pads with "!". Widths 4 and
 * 6 (prompt tokens of 10) and a pooled embedding of 5 unless `shape` says otherwise.
 */
export async function writeTinySdxlText(
  dir: string,
  idsType: "int32" | "int64" = "int32",
  shape: { width: number; width2: number; pooled: number } = { width: 4, width2: 6, pooled: 5 },
): Promise<{ models: SdxlTextModels; encoder: TinyEncoderWeights; encoder2: TinyEncoderWeights; vocab: Map<string, number> }> {
  const models = sdxlTextModels(dir);
  const vocab = await writeTinyTokenizer(models.tokenizer);
  await writeTinyTokenizer(models.tokenizer2, { pad: "!" });
  const encoder = await writeTinyTextEncoder(models.textEncoder, { vocabSize: vocab.size, width: shape.width, layers: 2, idsType });
  const encoder2 = await writeTinyTextEncoder(models.textEncoder2, {
    vocabSize: vocab.size,
    width: shape.width2,
    layers: 3,
    idsType,
    projection: shape.pooled,
    seedOffset: 7,
  });
  return { models, encoder, encoder2, vocab };
}
