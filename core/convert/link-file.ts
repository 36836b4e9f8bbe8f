import { link } from "node:fs/promises";

/**
 * Makes `target` a second name (a hard link) of `source` and returns true, or returns false where the
 * file system cannot: another device, a file system without hard links, or no permission to link there.
 * Other failures (a missing source, a full disk) are thrown.
 */
export async function linkFile(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
    return true;
  } catch (error) {
    if (CANNOT_LINK.has((error as NodeJS.ErrnoException).code ?? "")) return false;
    throw error;
  }
}

// EXDEV: another device; EPERM/EACCES: links refused there (FAT, some network shares, protected_hardlinks);
// ENOTSUP/EOPNOTSUPP/ENOSYS: no hard links on this file system; EMLINK: the source has too many names already.
const CANNOT_LINK = new Set(["EXDEV", "EPERM", "EACCES", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"]);
