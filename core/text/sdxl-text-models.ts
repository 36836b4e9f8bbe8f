import { join, resolve } from "node:path";

/** The four files SDXL's text conditioning needs: two CLIP tokenizer folders and two ONNX text encoders. */
export interface SdxlTextModels {
  /** `tokenizer/` (vocab.json, merges.txt, special_tokens_map.json / tokenizer_config.json). */
  readonly tokenizer: string;
  /** `tokenizer_2/` (SDXL base pads it with "!"). */
  readonly tokenizer2: string;
  /** `text_encoder/model.onnx` (CLIP ViT-L: hidden_states.N). */
  readonly textEncoder: string;
  /** `text_encoder_2/model.onnx` (OpenCLIP ViT-bigG with projection: text_embeds, hidden_states.N). */
  readonly textEncoder2: string;
}

/**
 * The text models of an SDXL ONNX export in optimum's layout (`optimum-cli export onnx --model stabilityai/stable-diffusion-xl-base-1.0
 * DIR`).
 */
export function sdxlTextModels(exportDir: string): SdxlTextModels {
  const dir = resolve(exportDir);
  return {
    tokenizer: join(dir, "tokenizer"),
    tokenizer2: join(dir, "tokenizer_2"),
    textEncoder: join(dir, "text_encoder", "model.onnx"),
    textEncoder2: join(dir, "text_encoder_2", "model.onnx"),
  };
}
