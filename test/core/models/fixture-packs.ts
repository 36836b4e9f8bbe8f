import { createHash, randomBytes } from "node:crypto";
import { antelopev2Pack, instantIdPack, type ModelFile, type ModelPack } from "../../../core/models/catalog.js";
import type { ServedFile } from "../../helpers/file-server.js";
import { REFERENCE_CONFIGS } from "../convert/reference-cases.js";

/** Small random stand-ins for the real model files, with a catalogue shaped like the real one. */
export interface FixturePacks {
  readonly catalog: readonly ModelPack[];
  /** Server path → file, laid out as the packs' URLs expect (see {@link fixtureSources}). */
  readonly served: Record<string, ServedFile>;
  /** Relative path in the models folder → bytes. */
  readonly bodies: Record<string, Buffer>;
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function entry(file: ModelFile, body: Buffer, known: { size: boolean; sha256: boolean }): ModelFile {
  return { ...file, size: known.size ? body.length : undefined, sha256: known.sha256 ? sha(body) : undefined };
}

/** A stand-in that passes the file's structure check: a tiny diffusers ControlNet config for `config.json`. */
function standIn(file: ModelFile): Buffer {
  if (file.structure === "controlnet-config") return Buffer.from(JSON.stringify(REFERENCE_CONFIGS.published.config, null, 2));
  return randomBytes(4_000 + Math.floor(Math.random() * 4_000));
}

/**
 * The real packs with each file replaced by a few kilobytes of random bytes (a valid tiny config where the
 * content is checked); what is published (size, digest) is kept as in the real catalogue, so unverifiable
 * files stay unverifiable.
 * antelopev2 is served under `/mirror/antelopev2/`, instantid under `/InstantX/InstantID/resolve/main/`
 * (the default Hugging Face layout, reached through `hfBase`).
 */
export function fixturePacks(): FixturePacks {
  const served: Record<string, ServedFile> = {};
  const bodies: Record<string, Buffer> = {};
  const rebuild = (pack: ModelPack, prefix: string): ModelPack => ({
    ...pack,
    // Random bytes are no ControlNet to convert; pull-convert.test.ts pulls a real tiny one.
    controlNet: undefined,
    files: pack.files.map((file) => {
      const body = standIn(file);
      served[`${prefix}/${file.path}`] = { body };
      bodies[`${pack.folder}/${file.path}`] = body;
      return entry(file, body, { size: file.size !== undefined, sha256: file.sha256 !== undefined });
    }),
  });
  const catalog = [rebuild(antelopev2Pack, "/mirror/antelopev2"), rebuild(instantIdPack, "/InstantX/InstantID/resolve/main")];
  return { catalog, served, bodies };
}

/** Sources pointing the fixture packs at a test server. */
export function fixtureSources(serverUrl: string) {
  return { hfBase: serverUrl, packBase: { antelopev2: `${serverUrl}/mirror/antelopev2` } };
}
