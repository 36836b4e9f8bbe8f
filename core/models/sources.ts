import type { ModelFile, ModelPack } from "./catalog.js";

/** The default Hugging Face host; `INSTANTID_HF_BASE` (or `hfBase`) points every pack at a mirror instead. */
export const defaultHfBase = "https://huggingface.co";

/** Where to download from: a Hugging Face host for every pack, and optional per-pack folder URLs. */
export interface ModelSources {
  /** Hugging Face host (or mirror) the default URLs are built on. */
  readonly hfBase?: string;
  /** Per-pack base URL (`pack name → URL of the folder holding the pack's files`), winning over `hfBase`. */
  readonly packBase?: Readonly<Record<string, string | undefined>>;
}

/**
 * The base URL of a pack: an explicit per-pack URL, else the pack's environment variable,
 * else `<hfBase>/<repo>/resolve/<revision>` with `hfBase` from the option, `INSTANTID_HF_BASE`, or huggingface.co.
 */
export function packBaseUrl(pack: ModelPack, sources: ModelSources = {}, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = sources.packBase?.[pack.name] ?? env[pack.baseUrlEnv];
  if (explicit) return trimSlash(explicit);
  const host = trimSlash(sources.hfBase ?? env.INSTANTID_HF_BASE ?? defaultHfBase);
  return `${host}/${pack.repo}/resolve/${pack.revision}`;
}

/** The URL of one file of a pack. */
export function fileUrl(baseUrl: string, file: ModelFile): string {
  return `${trimSlash(baseUrl)}/${file.path.split("/").map(encodeURIComponent).join("/")}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
