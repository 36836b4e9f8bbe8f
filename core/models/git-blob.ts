import { createHash } from "node:crypto";
import { hashFileInto } from "../io/sha256.js";

/**
 * The Git blob id an ETag names, when it names one: Hugging Face answers a plain (non-LFS) Git file with
 * its blob id, 40 hex digits, as the ETag (quoted, sometimes weak).
 */
export function gitBlobIdOfEtag(etag: string | null): string | undefined {
  const id = etag?.replace(/^W\//, "").replace(/^"|"$/g, "").toLowerCase();
  return id && /^[0-9a-f]{40}$/.test(id) ? id : undefined;
}

/** A file's Git blob id: SHA-1 of `blob <size>\0` followed by its bytes, as `git hash-object` computes it. */
export async function gitBlobId(path: string, size: number): Promise<string> {
  const hash = createHash("sha1").update(`blob ${size}\0`);
  await hashFileInto(path, hash);
  return hash.digest("hex");
}
