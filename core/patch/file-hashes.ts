import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../io/atomic.js";

/** Where the content hashes of files seen before are kept, by file identity, in the patch folder. */
export const HASH_INDEX = ".instantid-hashes.json";

/** The index: file identity → lower-case hex SHA-256. A file that is not this is ignored and rebuilt. */
const indexSchema = z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/));

/**
 * Content hashes keyed by a file's identity (absolute path, size, mtime): a file that has not changed
 * is not read or hashed again. A changed file has another identity, so a stale entry is never used.
 */
export class FileHashes {
  private entries: Record<string, string> | undefined;
  private changed = false;

  constructor(private readonly path: string) {}

  async of(file: string, compute: () => Promise<string>): Promise<string> {
    const info = await stat(file).catch(() => undefined);
    if (!info) return compute();
    const identity = `${file}|${info.size}|${info.mtimeMs}`;
    this.entries ??= await readIndex(this.path);
    const known = this.entries[identity];
    if (known) return known;
    this.changed = true;
    return (this.entries[identity] = await compute());
  }

  async save(): Promise<void> {
    if (this.changed && this.entries) await writeFileAtomic(this.path, JSON.stringify(this.entries, null, 1)).catch(() => undefined);
  }
}

/** The saved index, or an empty one when it is absent, not JSON or not an index (it is only a cache). */
async function readIndex(path: string): Promise<Record<string, string>> {
  try {
    return indexSchema.safeParse(JSON.parse(await readFile(path, "utf8"))).data ?? {};
  } catch {
    return {};
  }
}
