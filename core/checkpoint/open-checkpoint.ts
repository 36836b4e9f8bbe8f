import { fileSource, readBytes, type ByteSource } from "./byte-source.js";
import type { CheckpointFile } from "./checkpoint-file.js";
import { SafetensorsCheckpoint } from "./safetensors-checkpoint.js";
import { TorchCheckpoint } from "./torch-checkpoint.js";

/**
 * Opens a checkpoint whatever its format: a zip archive is read as torch.save output, anything else
 * as safetensors (the file's first bytes decide, not its extension).
 */
export async function openCheckpoint(path: string): Promise<CheckpointFile> {
  return openCheckpointSource(await fileSource(path));
}

/** {@link openCheckpoint} over any byte source. */
export async function openCheckpointSource(source: ByteSource): Promise<CheckpointFile> {
  const magic = source.size >= 4 ? await readBytes(source, 0, 4) : new Uint8Array(0);
  const isZip = magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04;
  const isLegacyTorch = magic[0] === 0x80;
  return isZip || isLegacyTorch ? TorchCheckpoint.fromSource(source) : SafetensorsCheckpoint.fromSource(source);
}
