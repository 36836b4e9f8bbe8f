import { type FileHandle, open } from "node:fs/promises";
import { DTYPE_BYTES, type DType } from "../tensor/dtype.js";
import type { SafetensorsFile } from "../tensor/safetensors.js";
import type { CheckpointTensors } from "./checkpoint-files.js";
import type { PlannedTensor, WeightDType } from "./checkpoint-weights.js";
import { convertTensorBytes, sameType } from "./tensor-bytes.js";

/** Checkpoint bytes read, converted and written at a time: a few large reads and writes rather than a pair per tensor. */
export const STREAM_CHUNK_BYTES = 8 << 20;

/** One read of the checkpoint: `length` bytes of one element type, written (converted) at `outPosition`. */
interface Chunk {
  readonly file: SafetensorsFile;
  readonly position: number;
  readonly length: number;
  readonly from: DType;
  readonly outPosition: number;
  /** The tensors whose last byte is in this chunk, reported once it is written. */
  readonly completes: readonly PlannedTensor[];
}

/**
 * Writes the planned tensors into a new file at `path`, converted to `dtype`. `ordered` must be in the
 * checkpoint's order and laid out back to back in it (see `CheckpointTensors.inFileOrder`): the checkpoint is
 * then read and the data file written front to back, in chunks that span tensors of one element type; each chunk
 * is read and converted while the one before it is written. Memory stays at a few chunks, whatever the tensors' sizes.
 */
export async function streamTensors(
  path: string,
  ordered: readonly PlannedTensor[],
  checkpoint: CheckpointTensors,
  dtype: WeightDType,
  placed: (tensor: PlannedTensor) => void,
  /** A multiple of 4 (whole elements of every type). */
  chunkBytes = STREAM_CHUNK_BYTES,
): Promise<void> {
  const chunks = chunksOf(ordered, checkpoint, dtype, chunkBytes);
  // Two of each, alternating: chunk i is read into and converted out of the pair chunk i - 1 is not being written from.
  const inputs = [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
  const outputs: (Uint8Array | undefined)[] = [undefined, undefined];
  const read = (i: number) => chunks[i].file.readAt(chunks[i].position, inputs[i % 2].subarray(0, chunks[i].length));
  const converted = (i: number, bytes: Uint8Array) => {
    const { from } = chunks[i];
    if (sameType(from, dtype)) return bytes;
    outputs[i % 2] ??= new Uint8Array(2 * chunkBytes);
    const out = outputs[i % 2]!.subarray(0, (bytes.byteLength / DTYPE_BYTES[from]) * (dtype === "fp16" ? 2 : 4));
    convertTensorBytes(bytes, from, dtype, out);
    return out;
  };
  const file = await open(path, "w");
  let reading = chunks.length ? read(0) : undefined;
  let writing: Promise<void> | undefined;
  try {
    for (const [i, chunk] of chunks.entries()) {
      const out = converted(i, await reading!);
      reading = undefined;
      // Chunk i is converted while chunk i - 1 is written; once that is done its buffers take chunk i + 1.
      await writing;
      if (i > 0) for (const tensor of chunks[i - 1].completes) placed(tensor);
      if (i + 1 < chunks.length) reading = read(i + 1);
      writing = writeAll(file, out, chunk.outPosition);
    }
    await writing;
    for (const tensor of chunks.at(-1)?.completes ?? []) placed(tensor);
  } finally {
    await Promise.allSettled([reading, writing]);
    await file.close();
  }
}

/** Splits the tensors into chunks: runs back to back in one file with one element type, cut every `chunkBytes`. */
function chunksOf(ordered: readonly PlannedTensor[], checkpoint: CheckpointTensors, dtype: WeightDType, chunkBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let run:
    | { file: SafetensorsFile; from: DType; start: number; end: number; outStart: number; tensors: PlannedTensor[]; ends: number[] }
    | undefined;
  const flush = () => {
    if (!run) return;
    const ratio = (dtype === "fp16" ? 2 : 4) / DTYPE_BYTES[run.from];
    let t = 0;
    for (let at = run.start; at < run.end || (at === run.start && t < run.tensors.length); at += chunkBytes) {
      const length = Math.min(chunkBytes, run.end - at);
      const completes: PlannedTensor[] = [];
      while (t < run.tensors.length && run.ends[t] <= at + length) completes.push(run.tensors[t++]);
      chunks.push({
        file: run.file,
        position: at,
        length,
        from: run.from,
        outPosition: run.outStart + (at - run.start) * ratio,
        completes,
      });
    }
  };
  for (const tensor of ordered) {
    const { entry, file } = checkpoint.entries.get(tensor.key)!;
    const begin = file.header.dataOffset + entry.begin;
    const end = file.header.dataOffset + entry.end;
    const ratio = (dtype === "fp16" ? 2 : 4) / DTYPE_BYTES[entry.dtype];
    const follows =
      run &&
      run.file === file &&
      run.from === entry.dtype &&
      run.end === begin &&
      run.outStart + (begin - run.start) * ratio === tensor.offset;
    if (!follows) {
      flush();
      run = { file, from: entry.dtype, start: begin, end: begin, outStart: tensor.offset, tensors: [], ends: [] };
    }
    run!.end = end;
    run!.tensors.push(tensor);
    run!.ends.push(end);
  }
  flush();
  return chunks;
}

async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) done += (await file.write(bytes, done, bytes.byteLength - done, position + done)).bytesWritten;
}
