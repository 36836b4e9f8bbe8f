// A text prompt as SDXL's conditioning: the export's CLIP tokenizers and ONNX text encoders
// (optimum's layout: tokenizer/, tokenizer_2/, text_encoder/, text_encoder_2/), as diffusers'
// encode_prompt computes it — docs/text.md. The result is the runner's `prompt` option.
// Build and run from the project root, with an SDXL ONNX export (or ../shared/golden/text):
//   npx tsup examples/text-prompt.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/text-prompt.js ../shared/golden/text "a watercolor portrait" "blurry"
import { pathToFileURL } from "node:url";
import { SdxlTextEncoder, sdxlTextModels, type PromptConditioning, type PromptWarning } from "../core/index.js";

/** The token ids of both tokenizers and the conditioning of `prompt` (and `negativePrompt`, zeros when absent). */
export async function textPromptExample(exportDir: string, prompt: string, negativePrompt?: string) {
  const warnings: PromptWarning[] = [];
  const encoder = await SdxlTextEncoder.open(sdxlTextModels(exportDir)); // keep it open to encode many prompts
  try {
    const ids = encoder.tokenizer.encode(prompt);
    const ids2 = encoder.tokenizer2.encode(prompt); // SDXL base pads this one with "!" (id 0)
    const conditioning: PromptConditioning = await encoder.encode({ prompt, negativePrompt }, { onWarning: (w) => warnings.push(w) });
    return { ids, ids2, conditioning, warnings };
  } finally {
    await encoder.release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [dir = "sdxl", prompt = "a watercolor portrait", negative] = process.argv.slice(2);
  const { ids, conditioning, warnings } = await textPromptExample(dir, prompt, negative);
  console.log(`${ids.tokenCount} tokens: ${ids.ids.slice(0, ids.tokenCount + 2).join(" ")}`);
  console.log(`embeds [${conditioning.embeds.shape.join(", ")}], pooled [${conditioning.pooled.shape.join(", ")}]`);
  for (const w of warnings) console.warn(w.message);
}
