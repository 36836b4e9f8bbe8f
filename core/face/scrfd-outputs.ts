import { ErrorCode, InstantIdError } from "../errors.js";
import type { ScrfdHead } from "./scrfd-decode.js";

/** One raw detector output: its name, shape ([N, k] or [1, N, k]) and values. */
export interface RawOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** SCRFD's feature strides and anchors per cell (insightface's layout for 9-output models). */
export const SCRFD_STRIDES = [8, 16, 32] as const;
const ANCHORS_PER_CELL = 2;
const WIDTHS = { scores: 1, boxes: 4, kps: 10 } as const;
type Role = keyof typeof WIDTHS;
const NAME_ROLES: Record<string, Role> = { score: "scores", bbox: "boxes", kps: "kps" };

function rowsOf(output: RawOutput): number | undefined {
  const { shape } = output;
  if (shape.length === 2) return shape[0];
  if (shape.length === 3 && shape[0] === 1) return shape[1];
  return undefined;
}

function roleOfWidth(width: number): Role | undefined {
  return (Object.keys(WIDTHS) as Role[]).find((role) => WIDTHS[role] === width);
}

/** The role and stride an output plays, from its name (`score_8`...) or else from its shape. */
function classify(output: RawOutput, inputWidth: number, inputHeight: number): { role: Role; stride: number } | undefined {
  const named = /^(score|bbox|kps)_(\d+)$/.exec(output.name);
  if (named) return { role: NAME_ROLES[named[1]], stride: Number(named[2]) };
  const rows = rowsOf(output);
  const role = roleOfWidth(output.shape[output.shape.length - 1]);
  if (rows === undefined || !role) return undefined;
  const stride = SCRFD_STRIDES.find((s) => Math.floor(inputWidth / s) * Math.floor(inputHeight / s) * ANCHORS_PER_CELL === rows);
  return stride === undefined ? undefined : { role, stride };
}

function describe(outputs: readonly RawOutput[]): string {
  return outputs.map((o) => `${o.name}[${o.shape.join(",")}]`).join(", ");
}

/**
 * Finds scores [N,1], boxes [N,4] and keypoints [N,10] for strides 8, 16 and 32 among a detector's outputs,
 * by name (`score_8` ... `kps_32`) or by shape (N = (H/stride) × (W/stride) × 2), batched ([1,N,k]) or not.
 */
export function groupScrfdOutputs(
  outputs: readonly RawOutput[],
  inputWidth: number,
  inputHeight: number,
  what = "face detector",
): ScrfdHead[] {
  const found = new Map<string, RawOutput>();
  for (const output of outputs) {
    const slot = classify(output, inputWidth, inputHeight);
    if (slot) found.set(`${slot.role}/${slot.stride}`, output);
  }
  return SCRFD_STRIDES.map((stride) => {
    const pick = (role: Role): Float32Array => {
      const output = found.get(`${role}/${stride}`);
      const rows = Math.floor(inputWidth / stride) * Math.floor(inputHeight / stride) * ANCHORS_PER_CELL;
      if (!output || output.data.length !== rows * WIDTHS[role]) {
        throw new InstantIdError(
          ErrorCode.ModelInvalid,
          `The ${what} has no ${role} output for stride ${stride} ([${rows},${WIDTHS[role]}] for a ${inputWidth}x${inputHeight} ` +
            `input); its outputs are ${describe(outputs)}. ` +
            "Use an SCRFD model with 5 keypoints (9 outputs: scores, boxes, keypoints for strides 8, 16, 32), such as " +
            "det_500m.onnx or scrfd_10g_bnkps.onnx.",
          { details: { outputs: outputs.map((o) => ({ name: o.name, shape: o.shape })) } },
        );
      }
      return output.data;
    };
    return { stride, scores: pick("scores"), boxes: pick("boxes"), kps: pick("kps") };
  });
}
