import {
  ErrorCode,
  InstantIdError,
  composeHooks,
  tensor,
  type ControlResiduals,
  type GenerationHook,
  type StepContext,
  type StepContribution,
  type Tensor,
} from "../../core/index.js";
import {
  addResidualsInto,
  graphIo,
  loadSession,
  toOrtTensor,
  unetResidualInputs,
  zeroResidualsFor,
  type OrtSession,
  type ResidualNaming,
  type UnetResidualInputs,
} from "../../core/internal.js";
import { detectRows, type RowOrder, type Rows, type SeparateCalls } from "./batch-order.js";
import type { SessionLike, TensorLike } from "./session-like.js";
import { createStepTracker } from "./step-tracker.js";

/** Feed names of the runner's UNet calls (the ONNX conventions by default). */
export interface UnetFeedNames {
  readonly sample: string;
  readonly timestep: string;
  readonly encoderHiddenStates: string;
  readonly textEmbeds: string;
  readonly timeIds: string;
}

/** Options of {@link wrapUnetSession}. */
export interface WrapSessionOptions {
  /** The InstantID hooks (IdentityNet, Image Adapter...) asked before every call. */
  readonly hooks: readonly GenerationHook[];
  /** Steps per generation, for hooks' guidance windows (the runner's own setting). Default 30. */
  readonly steps?: number;
  /** Row order of the guidance batch; "auto" (default) detects it (see detectRows). */
  readonly rowOrder?: RowOrder;
  /** Set when the runner calls the UNet twice per step, one row each (unconditional and conditional). */
  readonly separateCalls?: SeparateCalls;
  readonly feedNames?: Partial<UnetFeedNames>;
  /** Residual input naming when the session's names follow no known convention ("auto" by default). */
  readonly residuals?: ResidualNaming;
}

/** The wrapped session: the original's API, plus `reset()` to end a generation early (e.g. on cancel). */
export type WrappedSession<S extends SessionLike> = S & { reset(): void };

const DEFAULT_NAMES: UnetFeedNames = {
  sample: "sample",
  timestep: "timestep",
  encoderHiddenStates: "encoder_hidden_states",
  textEmbeds: "text_embeds",
  timeIds: "time_ids",
};

function toTensor(value: TensorLike | undefined, name: string, rows: number): Tensor {
  if (!value) return tensor([rows, 0]);
  if (value.type !== "float32") {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `UNet feed ${name} is ${value.type}; the InstantID session wrapper reads float32 feeds. Run the UNet in float32, or ` +
        `convert the feed.`,
    );
  }
  return { shape: value.dims.map(Number), data: value.data as Float32Array };
}

function makeTensor(like: TensorLike, t: Tensor): TensorLike {
  const Ctor = like.constructor as unknown as new (type: string, data: Float32Array, dims: readonly number[]) => TensorLike;
  return (Ctor as unknown) === Object ? toOrtTensor(t) : new Ctor("float32", t.data, [...t.shape]);
}

/**
 * Wraps a UNet session so a JS runner that knows nothing but `run(feeds)` gains InstantID: on
 * each call the hooks are asked for their contribution (image-attention inputs, IdentityNet
 * residuals) at the step the timestep says, with the rows of the guidance batch detected.
 * Everything else about the session is passed through unchanged.
 */
export function wrapUnetSession<S extends SessionLike>(session: S, options: WrapSessionOptions): WrappedSession<S> {
  const names = { ...DEFAULT_NAMES, ...options.feedNames };
  const residualInputs = residualInputsOf(session, options.residuals);
  const hook = composeHooks(...options.hooks);
  const tracker = createStepTracker();
  let prepared: Rows | undefined;
  const reset = (): void => {
    if (prepared) hook.reset();
    prepared = undefined;
    tracker.clear();
  };

  async function run(feeds: Record<string, TensorLike>, ...rest: unknown[]): Promise<Record<string, TensorLike>> {
    const step = readStep(feeds, names);
    const position = tracker.next(step.timestep.data[0]);
    const rows = detectRows(step.promptEmbeds, options.rowOrder ?? "auto", options.separateCalls, position.call);
    // Hooks learn the rows in prepare: prepare again at a new generation, or when the rows change
    // (separate unconditional and conditional calls).
    if (position.newGeneration || prepared?.join() !== rows.join()) {
      if (prepared) hook.reset();
      const [, , h, w] = step.sample.shape;
      await hook.prepare({ rows, width: w * 8, height: h * 8, steps: options.steps ?? 30 });
      prepared = rows;
    }
    const contribution = await hook.beforeStep({ ...step, index: position.index, total: options.steps ?? 30 });
    return session.run(withContribution(feeds, names.sample, contribution, residualInputs, step.sample), ...rest);
  }

  return new Proxy(session, {
    get(target, property) {
      if (property === "run") return run;
      if (property === "reset") return reset;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as WrappedSession<S>;
}

/** The step's tensors from the runner's feeds (views, no copies). */
function readStep(feeds: Record<string, TensorLike>, names: UnetFeedNames): Omit<StepContext, "index" | "total"> {
  const sampleFeed = feeds[names.sample];
  const timestepFeed = feeds[names.timestep];
  if (!sampleFeed || !timestepFeed) {
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `The wrapped UNet expects feeds ${names.sample} and ${names.timestep}; set feedNames to your runner's names.`,
    );
  }
  const sample = toTensor(sampleFeed, names.sample, 1);
  const batch = sample.shape[0];
  return {
    sample,
    timestep: tensor([1], [Number((timestepFeed.data as ArrayLike<number | bigint>)[0])]),
    promptEmbeds: toTensor(feeds[names.encoderHiddenStates], names.encoderHiddenStates, batch),
    textEmbeds: toTensor(feeds[names.textEmbeds], names.textEmbeds, batch),
    timeIds: toTensor(feeds[names.timeIds], names.timeIds, batch),
  };
}

/** The runner's feeds plus the hooks' inputs and residuals (summed with the runner's own, or zeros). */
function withContribution(
  feeds: Record<string, TensorLike>,
  sampleName: string,
  contribution: StepContribution,
  residualInputs: UnetResidualInputs | undefined,
  sample: Tensor,
): Record<string, TensorLike> {
  const like = feeds[sampleName];
  const out: Record<string, TensorLike> = { ...feeds };
  for (const [name, value] of Object.entries(contribution.inputs ?? {})) out[name] = makeTensor(like, value);
  if (!residualInputs) return out;
  const { names } = residualInputs;
  const given = readResiduals(feeds, residualInputs, sample.shape[0]);
  // The hooks hand their residual buffers over; the runner's own residuals are added into them.
  if (given && contribution.residuals) addResidualsInto(contribution.residuals, given, "The runner's residual feeds");
  const residuals = contribution.residuals ?? given ?? zeroResidualsFor(residualInputs, sample);
  names.down.forEach((name, i) => (out[name] = makeTensor(like, residuals.down[i])));
  out[names.mid] = makeTensor(like, residuals.mid);
  return out;
}

/** The UNet's residual inputs, when the session declares its inputs and takes residuals. */
function residualInputsOf(session: SessionLike, naming: ResidualNaming | undefined): UnetResidualInputs | undefined {
  if (!session.inputMetadata) return undefined;
  const io = graphIo(session as unknown as OrtSession);
  const takesResiduals = [...io.inputs.keys()].some((name) => name.includes("mid_block"));
  return takesResiduals || typeof naming === "object" ? unetResidualInputs(io, naming) : undefined;
}

function readResiduals(feeds: Record<string, TensorLike>, inputs: UnetResidualInputs, batch: number): ControlResiduals | undefined {
  const { names } = inputs;
  if (!feeds[names.mid]) return undefined;
  return { down: names.down.map((name) => toTensor(feeds[name], name, batch)), mid: toTensor(feeds[names.mid], names.mid, batch) };
}

/** Opens a UNet ONNX file with onnxruntime-node and wraps it (see {@link wrapUnetSession}). */
export async function wrapUnetModel(path: string, options: WrapSessionOptions): Promise<WrappedSession<SessionLike>> {
  const session = await loadSession(path, { what: "UNet" });
  return wrapUnetSession(session as unknown as SessionLike, options);
}
