import { ErrorCode, InstantIdError } from "../errors.js";
import type { CheckpointTensors } from "./checkpoint-files.js";
import type { PlannedTensor } from "./checkpoint-weights.js";
import { READABLE_DTYPES } from "./tensor-bytes.js";

const LIST = 8;

/**
 * Checks, from the headers alone and before anything is written, that the checkpoint holds exactly the
 * tensors the config's graph needs, with the shapes it needs: a missing, extra or misshapen tensor means
 * the config and the weights disagree, and converting would give a model that is not the checkpoint.
 */
export function checkPlan(plan: readonly PlannedTensor[], checkpoint: CheckpointTensors): void {
  const fail = (what: string, keys: string[]) =>
    new InstantIdError(
      ErrorCode.ModelInvalid,
      `The weights in ${checkpoint.source} do not match its config.json: ${what} ` +
        `${keys.slice(0, LIST).join(", ")}${keys.length > LIST ? ` and ${keys.length - LIST} more` : ""}. Check that config.json ` +
        `belongs to these weights (download both again).`,
      { details: { source: checkpoint.source, keys } },
    );
  const missing = plan.filter((t) => !checkpoint.entries.has(t.key)).map((t) => t.key);
  if (missing.length) throw fail(`${missing.length} tensor(s) the config needs are missing:`, missing);
  const needed = new Set(plan.map((t) => t.key));
  const extra = [...checkpoint.entries.keys()].filter((key) => !needed.has(key));
  if (extra.length) throw fail(`${extra.length} tensor(s) are not part of the model the config describes:`, extra);
  const misshapen = plan.filter((t) => {
    const shape = checkpoint.entries.get(t.key)!.entry.shape;
    return shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i]);
  });
  if (misshapen.length) {
    throw fail(
      "tensor shapes differ from the config's:",
      misshapen.map((t) => `${t.key} [${checkpoint.entries.get(t.key)!.entry.shape.join(", ")}], expected [${t.shape.join(", ")}]`),
    );
  }
  const unreadable = plan.filter((t) => !READABLE_DTYPES.includes(checkpoint.entries.get(t.key)!.entry.dtype));
  if (unreadable.length) {
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The weights in ${checkpoint.source} hold ${unreadable
        .map((t) => `${t.key} (${checkpoint.entries.get(t.key)!.entry.dtype})`)
        .slice(0, LIST)
        .join(", ")}; the converter reads F16, F32 and BF16 weights.`,
      { details: { source: checkpoint.source, keys: unreadable.map((t) => t.key) } },
    );
  }
}
