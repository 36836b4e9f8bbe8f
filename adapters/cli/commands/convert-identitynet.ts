import { convertControlNet } from "../../../core/index.js";
import { invalidOption, type WeightDType } from "../../../core/internal.js";
import { defineCommand } from "../command.js";
import { createProgressBar } from "../progress-bar.js";

const DTYPES: readonly WeightDType[] = ["fp16", "fp32"];

/** `instantid convert identitynet DIR -o identitynet.onnx`: a diffusers ControlNet folder to the ONNX graph the SDK runs. */
export const convertIdentityNetCommand = defineCommand({
  path: ["convert", "identitynet"],
  summary:
    "Convert IdentityNet (or any SDXL ControlNet) from diffusers weights, as InstantX publishes it (DIR holds config.json\n" +
    "and diffusion_pytorch_model.safetensors, or a shard index), to ONNX: the graph is built from config.json and\n" +
    "OUTPUT.data beside it holds the weights: a hard link of the safetensors file when it already has the wanted dtype\n" +
    "(nothing copied), else the tensors streamed into a new file. Both files appear only when the whole conversion succeeded.",
  positionals: "DIR",
  options: {
    output: {
      type: "string",
      short: "o",
      value: "OUTPUT",
      description: "The ONNX model to write (its weights go to OUTPUT.data)",
      default: "identitynet.onnx",
    },
    dtype: {
      type: "string",
      value: "TYPE",
      description: "Weights as fp16 (half the size) or fp32; computed in float32 either way",
      default: "fp16",
    },
  },
  examples: [
    "instantid convert identitynet models/instantid/ControlNetModel -o models/instantid/identitynet.onnx",
    "instantid convert identitynet ControlNetModel -o identitynet-fp32.onnx --dtype fp32",
  ],
  async run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw invalidOption("DIR", "one ControlNet folder", positionals.length ? positionals.join(" ") : undefined);
    const dtype = values.dtype as WeightDType;
    if (!DTYPES.includes(dtype)) throw invalidOption("--dtype", DTYPES.join(" or "), values.dtype);
    const result = await convertControlNet({
      dir: positionals[0],
      output: values.output as string,
      dtype,
      onProgress: createProgressBar(io),
    });
    const how = result.linked ? ", linked to the checkpoint" : "";
    io.stdout(`wrote ${result.model} and ${result.data} (${result.tensors} tensors, ${result.dataBytes} bytes, ${result.dtype}${how})\n`);
    return 0;
  },
});
