import { ErrorCode, InstantIdError } from "../errors.js";
import type { OrtSession } from "../runtime/session.js";

/** A model's single image input: its name and its height and width when fixed (undefined when dynamic). */
export interface ImageInputSpec {
  readonly name: string;
  readonly height?: number;
  readonly width?: number;
}

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(",")}]`;
}

/** Reads and checks an image model's input: exactly one float32 [1 or ?, 3, H, W] tensor. */
export function imageInputSpec(session: OrtSession, what: string, path: string): ImageInputSpec {
  const inputs = session.inputMetadata;
  const input = inputs[0];
  const fits =
    inputs.length === 1 &&
    input.isTensor &&
    input.type === "float32" &&
    input.shape.length === 4 &&
    (input.shape[1] === 3 || typeof input.shape[1] === "string");
  if (!fits) {
    const found = inputs.map((i) => (i.isTensor ? `${i.name} ${i.type}${shapeText(i.shape)}` : `${i.name} (not a tensor)`)).join(", ");
    throw new InstantIdError(
      ErrorCode.ModelInvalid,
      `The ${what} model ${path} should take one float32 image tensor [1,3,H,W] but its inputs are ${found || "none"}. Check ` +
        `that the file is the ${what} and not another network.`,
      { details: { path } },
    );
  }
  const dim = (d: number | string) => (typeof d === "number" && d > 0 ? d : undefined);
  const shape = (input as { shape: readonly (number | string)[] }).shape;
  return { name: input.name, height: dim(shape[2]), width: dim(shape[3]) };
}

/** Names and static shapes of a session's outputs, for error messages and early checks. */
export function outputShapes(session: OrtSession): { name: string; shape: readonly (number | string)[] }[] {
  return session.outputMetadata.map((o) => ({ name: o.name, shape: o.isTensor ? o.shape : [] }));
}

/** Describes outputs as `name[dims]` for messages. */
export function describeOutputs(session: OrtSession): string {
  return outputShapes(session)
    .map((o) => `${o.name}${shapeText(o.shape)}`)
    .join(", ");
}
