import type { ProgressListener } from "../../core/index.js";
import { encodeSdxlPrompt } from "../../core/internal.js";
import type { PromptEmbeds, ResolvedGenerateOptions } from "./options.js";
import type { GenerateWarning } from "./control-size.js";

/**
 * The prompt as conditioning: as given, or a text prompt encoded with `models.text` (diffusers'
 * SDXL `encode_prompt`); the text encoders' sessions are loaded and freed within this call, once per
 * generation. Truncation warnings are appended to `warnings`.
 */
export async function resolvePrompt(
  options: ResolvedGenerateOptions,
  warnings: GenerateWarning[],
  onProgress?: ProgressListener,
): Promise<PromptEmbeds> {
  if (typeof options.prompt !== "string") return options.prompt;
  onProgress?.({ stage: "encode prompt", completed: 0, total: 1 });
  // Without guidance the negative row is never used, so its text is not encoded.
  const negative = options.guidance > 1 ? { negativePrompt: options.negativePrompt, negativePrompt2: options.negativePrompt2 } : {};
  const prompt = await encodeSdxlPrompt(
    options.models.text!,
    { prompt: options.prompt, prompt2: options.prompt2, ...negative },
    {
      intraOpThreads: options.intraOpThreads,
      onWarning: (warning) => warnings.push({ code: "PROMPT_TRUNCATED", message: warning.message }),
    },
  );
  onProgress?.({ stage: "encode prompt", completed: 1, total: 1 });
  return prompt;
}
