import { join } from "node:path";
import { z } from "zod";
import type { ConformanceKind } from "./kind.js";
import { readCaseFile } from "./read-cases.js";
import { writeFileAtomic } from "../io/atomic.js";
import { writeSafetensors } from "../tensor/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";
import { SdxlTextEncoder } from "../text/sdxl-text-encoder.js";
import { sdxlTextModels } from "../text/sdxl-text-models.js";

const textCases = z.object({
  cases: z.array(
    z.object({
      name: z.string().min(1),
      prompt: z.string(),
      prompt_2: z.string().nullish(),
      negative_prompt: z.string().nullish(),
      negative_prompt_2: z.string().nullish(),
    }),
  ),
});

/**
 * `text`: SDXL text conditioning of each case of `cases.json`, with the folder's own tokenizers and
 * text encoders in optimum's layout → `results.json` (`{cases: [{name, input_ids, input_ids_2}]}`) and
 * `results.safetensors` (`<case>_prompt_embeds`, `_pooled_prompt_embeds`, `_negative_prompt_embeds`,
 * `_negative_pooled_prompt_embeds`). A null negative prompt means none: zeros.
 */
export const textConformanceKind: ConformanceKind = {
  name: "text",
  description: "CLIP tokenization and SDXL encode_prompt on the case's tokenizers and ONNX text encoders",
  async run({ caseDir, outDir, onProgress }) {
    const { cases } = await readCaseFile(caseDir, "cases.json", textCases);
    const encoder = await SdxlTextEncoder.open(sdxlTextModels(caseDir));
    try {
      const ids: { name: string; input_ids: number[]; input_ids_2: number[] }[] = [];
      const tensors: Record<string, Tensor> = {};
      for (const [n, c] of cases.entries()) {
        onProgress?.(`text: case ${n + 1}/${cases.length} (${c.name})`);
        const prompt2 = c.prompt_2 ?? c.prompt;
        ids.push({
          name: c.name,
          input_ids: [...encoder.tokenizer.encode(c.prompt).ids],
          input_ids_2: [...encoder.tokenizer2.encode(prompt2).ids],
        });
        const conditioning = await encoder.encode(
          { prompt: c.prompt, prompt2, negativePrompt: c.negative_prompt ?? undefined, negativePrompt2: c.negative_prompt_2 ?? undefined },
          { onWarning: (warning) => onProgress?.(`text: ${c.name}: ${warning.message}`) },
        );
        tensors[`${c.name}_prompt_embeds`] = conditioning.embeds;
        tensors[`${c.name}_pooled_prompt_embeds`] = conditioning.pooled;
        tensors[`${c.name}_negative_prompt_embeds`] = conditioning.negativeEmbeds;
        tensors[`${c.name}_negative_pooled_prompt_embeds`] = conditioning.negativePooled;
      }
      const resultsJson = join(outDir, "results.json");
      const resultsTensors = join(outDir, "results.safetensors");
      await writeFileAtomic(resultsJson, `${JSON.stringify({ cases: ids })}\n`);
      await writeSafetensors(resultsTensors, tensors);
      return { cases: cases.length, files: [resultsJson, resultsTensors] };
    } finally {
      await encoder.release();
    }
  },
};
