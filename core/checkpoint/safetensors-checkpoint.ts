import { ErrorCode, InstantIdError } from "../errors.js";
import { MAX_SAFETENSORS_HEADER_BYTES, parseSafetensorsHeader, type SafetensorsHeader } from "../tensor/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";
import { readBytes, type ByteSource } from "./byte-source.js";
import type { CheckpointFile, CheckpointTensorInfo } from "./checkpoint-file.js";
import { assertAllocatable, readAsFloat32 } from "./decode.js";

/** A safetensors file as a {@link CheckpointFile}: bounded, validated header; each tensor read from its offset. */
export class SafetensorsCheckpoint implements CheckpointFile {
  readonly format = "safetensors";

  private constructor(
    private readonly source: ByteSource,
    readonly header: SafetensorsHeader,
  ) {}

  /** The file this checkpoint reads. */
  get path(): string {
    return this.source.name;
  }

  /** Parses the header of `source` (closing it on failure). */
  static async fromSource(source: ByteSource): Promise<SafetensorsCheckpoint> {
    try {
      const length = source.size >= 8 ? Number(new DataView((await readBytes(source, 0, 8)).buffer).getBigUint64(0, true)) : 0;
      const prefix = await readBytes(source, 0, Math.min(source.size, 8 + Math.min(length, MAX_SAFETENSORS_HEADER_BYTES)));
      return new SafetensorsCheckpoint(source, parseSafetensorsHeader(prefix, source.size, source.name));
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.header.entries.keys()];
  }

  /** Stored dtype and shape of one tensor. */
  info(name: string): CheckpointTensorInfo {
    const entry = this.entry(name);
    return { name, dtype: entry.dtype, shape: entry.shape };
  }

  /** Reads one tensor from its offset, widened to float32. */
  async tensor(name: string): Promise<Tensor> {
    const entry = this.entry(name);
    const count = entry.shape.reduce((n, d) => n * d, 1);
    assertAllocatable(count, entry.dtype, name, this.path);
    const data = await readAsFloat32(count, entry.dtype, (target) => this.source.readInto(target, this.header.dataOffset + entry.begin));
    return { shape: [...entry.shape], data };
  }

  /** Closes the file. */
  close(): Promise<void> {
    return this.source.close();
  }

  private entry(name: string) {
    const entry = this.header.entries.get(name);
    if (!entry) throw new InstantIdError(ErrorCode.InvalidInput, `${this.path} has no tensor named "${name}"`);
    return entry;
  }
}
