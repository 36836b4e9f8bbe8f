import { ErrorCode, InstantIdError } from "../errors.js";
import { tensor, type Tensor } from "../tensor/tensor.js";

/** [1, T, a] and [1, T, b] → [1, T, a + b]: SDXL's prompt tokens from its two text encoders, side by side. */
export function concatLastAxis(first: Tensor, second: Tensor): Tensor {
  const [rows, tokens, a] = first.shape;
  const b = second.shape[2];
  if (first.shape.length !== 3 || second.shape.length !== 3 || second.shape[0] !== rows || second.shape[1] !== tokens) {
    throw new InstantIdError(
      ErrorCode.ShapeMismatch,
      `The text encoders' hidden states [${first.shape.join(", ")}] and [${second.shape.join(", ")}] cannot be joined on their ` +
        `last axis: they need the same rows and tokens.`,
    );
  }
  const out = new Float32Array(rows * tokens * (a + b));
  for (let t = 0; t < rows * tokens; t++) {
    out.set(first.data.subarray(t * a, (t + 1) * a), t * (a + b));
    out.set(second.data.subarray(t * b, (t + 1) * b), t * (a + b) + a);
  }
  return tensor([rows, tokens, a + b], out);
}
