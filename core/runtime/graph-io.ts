import type { OrtSession } from "./session.js";

/** One dimension of a graph input or output: a size, or a symbolic name such as "batch". */
export type Dim = number | string;

/** The declared inputs and outputs of a loaded graph, by name. */
export interface GraphIo {
  readonly inputs: ReadonlyMap<string, readonly Dim[]>;
  readonly outputs: ReadonlyMap<string, readonly Dim[]>;
}

/** Reads a session's declared input and output shapes (an empty shape when the graph leaves it open). */
export function graphIo(session: OrtSession): GraphIo {
  const read = (items: OrtSession["inputMetadata"]) => new Map(items.map((m) => [m.name, m.isTensor ? ([...m.shape] as Dim[]) : []]));
  return { inputs: read(session.inputMetadata), outputs: read(session.outputMetadata) };
}

/** "[batch, 320, 64, 64]" for messages. */
export function formatDims(dims: readonly Dim[]): string {
  return `[${dims.join(", ")}]`;
}

/** True when two declared shapes can hold the same tensor (symbolic dims match anything). */
export function dimsCompatible(a: readonly Dim[], b: readonly Dim[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.length === b.length && a.every((d, i) => typeof d !== "number" || typeof b[i] !== "number" || d === b[i]);
}
