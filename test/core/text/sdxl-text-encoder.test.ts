import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../core/errors.js";
import { ClipTextEncoder } from "../../../core/text/clip-text-encoder.js";
import { encodeSdxlPrompt, SdxlTextEncoder } from "../../../core/text/sdxl-text-encoder.js";
import type { PromptWarning } from "../../../core/text/prompt-conditioning.js";
import { assertClose } from "../../helpers/assert-close.js";
import { tempDir } from "../../helpers/shared.js";
import { writeTinySdxlText, writeTinyTextEncoder, type TinyEncoderWeights } from "../../helpers/text-models.js";

/** The tiny encoder's layer outputs recomputed in plain JS: [hidden_states.0, …, hidden_states.N] for one row of ids. */
function hiddenStates(w: TinyEncoderWeights, ids: readonly number[]): Float32Array[] {
  const d = w.width;
  let h = new Float32Array(ids.length * d);
  ids.forEach((id, t) => h.set(w.embedding.subarray(id * d, (id + 1) * d), t * d));
  const states = [h];
  for (const layer of w.layers) {
    const next = new Float32Array(h.length);
    for (let t = 0; t < ids.length; t++) {
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let k = 0; k < d; k++) sum += h[t * d + k] * layer[k * d + j];
        next[t * d + j] = Math.tanh(sum);
      }
    }
    states.push((h = next));
  }
  return states;
}

function textEmbeds(w: TinyEncoderWeights, last: Float32Array, tokens: number): Float32Array {
  const d = w.width;
  const p = w.projection!.length / d;
  const out = new Float32Array(p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < d; k++) {
      let mean = 0;
      for (let t = 0; t < tokens; t++) mean += last[t * d + k] / tokens;
      out[j] += mean * w.projection![k * p + j];
    }
  }
  return out;
}

const tolerance = { abs: 1e-5, rel: 1e-4 };

/** The error a promise rejects with (the test fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { code: string }> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error as Error & { code: string } }),
  );
  if ("value" in outcome) expect.fail("expected the call to fail");
  return outcome.error;
}

describe("SdxlTextEncoder on tiny encoders in optimum's layout", () => {
  for (const idsType of ["int32", "int64"] as const) {
    it(`joins both encoders' hidden_states[-2] on the last axis and takes text_embeds as pooled (${idsType} input_ids)`, async () => {
      const tiny = await writeTinySdxlText(await tempDir(), idsType);
      const encoder = await SdxlTextEncoder.open(tiny.models);
      try {
        const result = await encoder.encode({ prompt: "A cat", negativePrompt: "the cats" });
        const check = (text: string, embeds: Float32Array, pooled: Float32Array) => {
          const ids = encoder.tokenizer.encode(text).ids;
          const ids2 = encoder.tokenizer2.encode(text).ids;
          const first = hiddenStates(tiny.encoder, ids);
          const second = hiddenStates(tiny.encoder2, ids2);
          const expected = new Float32Array(77 * 10);
          for (let t = 0; t < 77; t++) {
            expected.set(first[1].subarray(t * 4, t * 4 + 4), t * 10);
            expected.set(second[2].subarray(t * 6, t * 6 + 6), t * 10 + 4);
          }
          assertClose(embeds, expected, tolerance, `${text} embeds`);
          assertClose(pooled, textEmbeds(tiny.encoder2, second[3], 77), tolerance, `${text} pooled`);
        };
        expect(result.embeds.shape).toEqual([1, 77, 10]);
        expect(result.pooled.shape).toEqual([1, 5]);
        check("A cat", result.embeds.data, result.pooled.data);
        check("the cats", result.negativeEmbeds.data, result.negativePooled.data);
      } finally {
        await encoder.release();
      }
    });
  }

  it("gives zeros for an absent negative prompt and the encoding of '' for an empty one (not zeros)", async () => {
    const { models } = await writeTinySdxlText(await tempDir());
    const encoder = await SdxlTextEncoder.open(models);
    try {
      const absent = await encoder.encode({ prompt: "a cat" });
      const empty = await encoder.encode({ prompt: "a cat", negativePrompt: "" });
      const emptyPrompt = await encoder.encode({ prompt: "" });
      expect(absent.negativeEmbeds.data.every((v) => v === 0) && absent.negativePooled.data.every((v) => v === 0)).toBe(true);
      expect(empty.negativeEmbeds.data).toEqual(emptyPrompt.embeds.data);
      expect(empty.negativePooled.data).toEqual(emptyPrompt.pooled.data);
      expect(emptyPrompt.embeds.data.some((v) => v !== 0)).toBe(true);
      const encodedEmpty = await encoder.encode({ prompt: "a cat" }, { forceZerosForEmptyPrompt: false });
      expect(encodedEmpty.negativeEmbeds.data).toEqual(emptyPrompt.embeds.data);
    } finally {
      await encoder.release();
    }
  });

  it("feeds prompt2 to the second encoder only, defaulting to the prompt", async () => {
    const { models } = await writeTinySdxlText(await tempDir());
    const encoder = await SdxlTextEncoder.open(models);
    try {
      const same = await encoder.encode({ prompt: "a cat" });
      const explicit = await encoder.encode({ prompt: "a cat", prompt2: "a cat" });
      const other = await encoder.encode({ prompt: "a cat", prompt2: "the" });
      expect(explicit.embeds.data).toEqual(same.embeds.data);
      const column = (t: Float32Array, from: number, to: number) =>
        Array.from({ length: 77 }, (_, k) => [...t.subarray(k * 10 + from, k * 10 + to)]).flat();
      expect(column(other.embeds.data, 0, 4)).toEqual(column(same.embeds.data, 0, 4));
      expect(column(other.embeds.data, 4, 10)).not.toEqual(column(same.embeds.data, 4, 10));
      expect(other.pooled.data).not.toEqual(same.pooled.data);
    } finally {
      await encoder.release();
    }
  });

  it("warns once per truncated prompt with the number of dropped tokens", async () => {
    const { models } = await writeTinySdxlText(await tempDir());
    const warnings: PromptWarning[] = [];
    await encodeSdxlPrompt(
      models,
      { prompt: Array(80).fill("cat").join(" "), negativePrompt: "the" },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: "prompt-truncated", field: "prompt", tokenCount: 80, dropped: 5 });
    expect(warnings[0].message).toContain("last 5 tokens were dropped");
  });

  it("names a missing text encoder file", async () => {
    const { models } = await writeTinySdxlText(await tempDir());
    await rm(models.textEncoder2);
    const error = await failure(SdxlTextEncoder.open(models));
    expect(error.code).toBe(ErrorCode.ModelNotFound);
    expect(error.message).toContain(models.textEncoder2);
    expect(error.message).toContain("text encoder 2");
    expect(error.message).toContain("optimum-cli export onnx");
  });

  it("refuses a second encoder without text_embeds and an encoder without hidden_states outputs", async () => {
    const { models, vocab } = await writeTinySdxlText(await tempDir());
    const error = await failure(SdxlTextEncoder.open({ ...models, textEncoder2: models.textEncoder }));
    expect(error.code).toBe(ErrorCode.ModelInvalid);
    expect(error.message).toContain("text_embeds");
    const flat = join(await tempDir(), "flat.onnx");
    await writeTinyTextEncoder(flat, { vocabSize: vocab.size, width: 4, layers: 0, idsType: "int32" });
    const noLayers = await failure(ClipTextEncoder.open(flat, { what: "text encoder" }));
    expect(noLayers.code).toBe(ErrorCode.ModelInvalid);
    expect(noLayers.message).toContain("hidden_states[-2]");
  });

  it("names a missing tokenizer folder by its first file, vocab.json, whichever read fails first", async () => {
    const { models } = await writeTinySdxlText(await tempDir());
    await rm(models.tokenizer2, { recursive: true });
    const error = await failure(SdxlTextEncoder.open(models));
    expect(error.code).toBe(ErrorCode.ModelNotFound);
    expect(error.message).toContain(join(models.tokenizer2, "vocab.json"));
  });
});
