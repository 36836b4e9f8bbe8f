import { ErrorCode, InstantIdError } from "../errors.js";
import type { OrtSession } from "../runtime/session.js";
import { loadSession } from "../runtime/session.js";
import { type GraphIo, graphIo } from "../runtime/graph-io.js";
import { controlNetOutputConventions, type ResidualNames, type ResidualNaming, resolveResidualNames } from "../unet/residual-names.js";

/** Input names of an SDXL ControlNet graph. */
export interface ControlNetInputNames {
  readonly sample: string;
  readonly timestep: string;
  readonly encoderHiddenStates: string;
  readonly controlnetCond: string;
  readonly textEmbeds: string;
  readonly timeIds: string;
  /** Present in some exports (OnnxStack); the SDK then feeds 1 and scales the residuals itself. */
  readonly conditioningScale?: string;
}

/** The names diffusers' forward arguments give, which torch exports keep. */
export const defaultControlNetInputs: ControlNetInputNames = {
  sample: "sample",
  timestep: "timestep",
  encoderHiddenStates: "encoder_hidden_states",
  controlnetCond: "controlnet_cond",
  textEmbeds: "text_embeds",
  timeIds: "time_ids",
};

/** A loaded ControlNet (IdentityNet, canny, depth, pose...) with its resolved input and residual names. */
export interface ControlNetModel {
  /** What it is, for messages ("IdentityNet", "depth ControlNet"). */
  readonly what: string;
  readonly session: OrtSession;
  readonly io: GraphIo;
  readonly inputs: ControlNetInputNames;
  readonly residuals: ResidualNames;
}

/** Options of {@link loadControlNet}. */
export interface LoadControlNetOptions {
  readonly what?: string;
  /** Overrides of the input names, for exports that renamed them. */
  readonly inputs?: Partial<ControlNetInputNames>;
  /** Output naming: a preset name, "auto" (default), or explicit names. */
  readonly residuals?: ResidualNaming;
}

/** Loads a ControlNet ONNX graph from a path or bytes and resolves its names. */
export async function loadControlNet(model: string | Uint8Array, options: LoadControlNetOptions = {}): Promise<ControlNetModel> {
  const what = options.what ?? "IdentityNet";
  return controlNetFromSession(await loadSession(model, { what }), { ...options, what });
}

/** Wraps an already open session as a {@link ControlNetModel}, checking that every input it needs exists. */
export function controlNetFromSession(session: OrtSession, options: LoadControlNetOptions = {}): ControlNetModel {
  const what = options.what ?? "IdentityNet";
  const io = graphIo(session);
  const inputs: ControlNetInputNames = {
    ...defaultControlNetInputs,
    ...(io.inputs.has("conditioning_scale") ? { conditioningScale: "conditioning_scale" } : {}),
    ...options.inputs,
  };
  const missing = Object.entries(inputs).filter(([, name]) => name !== undefined && !io.inputs.has(name));
  if (missing.length) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The ${what} graph has no input ${missing.map(([key, name]) => `${name} (${key})`).join(", ")}; its inputs are ` +
        `${[...io.inputs.keys()].join(", ")}. Pass the right names as options.inputs.`,
    );
  }
  const residuals = resolveResidualNames(
    options.residuals ?? "auto",
    controlNetOutputConventions,
    [...io.outputs.keys()],
    `${what} outputs`,
  );
  return { what, session, io, inputs, residuals };
}
