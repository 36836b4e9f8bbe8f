import { ErrorCode, InstantIdError } from "../errors.js";
import { fileSource, type ByteSource } from "./byte-source.js";
import type { CheckpointFile } from "./checkpoint-file.js";
import { SafetensorsCheckpoint } from "./safetensors-checkpoint.js";
import { sniffCheckpoint } from "./signature.js";
import { TorchCheckpoint } from "./torch-checkpoint.js";

/**
 * Opens a checkpoint whatever its format: a zip archive is read as torch.save output, a file with a
 * safetensors header as safetensors (the file's signature decides, not its extension).
 */
export async function openCheckpoint(path: string): Promise<CheckpointFile> {
  return openCheckpointSource(await fileSource(path));
}

/** {@link openCheckpoint} over any byte source. */
export async function openCheckpointSource(source: ByteSource): Promise<CheckpointFile> {
  let kind: Awaited<ReturnType<typeof sniffCheckpoint>>;
  try {
    kind = await sniffCheckpoint(source);
  } catch (error) {
    await source.close();
    throw error;
  }
  if (kind === "torch-zip" || kind === "torch-legacy") return TorchCheckpoint.fromSource(source);
  if (kind === "safetensors") return SafetensorsCheckpoint.fromSource(source);
  await source.close();
  throw new InstantIdError(
    ErrorCode.FileCorrupt,
    `${source.name} is neither a torch checkpoint (a zip archive) nor a safetensors file (8-byte length, then a JSON header): ` +
      `its first bytes match neither; re-download it`,
    { details: { source: source.name } },
  );
}
