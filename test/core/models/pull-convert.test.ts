import { readFile, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeRandomControlNet } from "../../../core/synthetic/random-checkpoint.js";
import { loadControlNet } from "../../../core/controlnet/controlnet-model.js";
import { instantIdPack, type ModelPack } from "../../../core/models/catalog.js";
import { pullModels } from "../../../core/models/pull.js";
import type { ProgressEvent } from "../../../core/progress.js";
import { startFileServer, type FileServer } from "../../helpers/file-server.js";
import { tempDir } from "../../helpers/shared.js";
import { REFERENCE_CONFIGS } from "../convert/reference-cases.js";

let server: FileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The instantid pack served with a real tiny IdentityNet (diffusers layout) in place of InstantX's. */
async function tinyInstantIdPack(): Promise<{ catalog: ModelPack[]; url: string }> {
  const source = await tempDir();
  await writeRandomControlNet(join(source, "ControlNetModel"), REFERENCE_CONFIGS.published.config);
  const bodies: Record<string, Buffer> = {
    "ip-adapter.bin": Buffer.from("image adapter stand-in"),
    "ControlNetModel/config.json": await readFile(join(source, "ControlNetModel", "config.json")),
    "ControlNetModel/diffusion_pytorch_model.safetensors": await readFile(
      join(source, "ControlNetModel", "diffusion_pytorch_model.safetensors"),
    ),
  };
  server = await startFileServer(
    Object.fromEntries(Object.entries(bodies).map(([path, body]) => [`/InstantX/InstantID/resolve/main/${path}`, { body }])),
  );
  const files = instantIdPack.files.map((file) => ({ ...file, size: undefined, sha256: undefined }));
  return { catalog: [{ ...instantIdPack, files }], url: server.url };
}

describe("pullModels with the instantid pack", () => {
  it(
    "converts ControlNetModel/ to instantid/identitynet.onnx after the download, reporting convert progress, and not again when " +
      "up to date",
    async () => {
      const { catalog, url } = await tinyInstantIdPack();
      const dir = await tempDir();
      const events: ProgressEvent[] = [];
      const options = { dir, catalog, sources: { hfBase: url }, env: {}, onProgress: (e: ProgressEvent) => events.push(e) };
      const first = await pullModels(options);
      const model = join(dir, "instantid", "identitynet.onnx");
      expect(first.converted).toEqual([model]);
      expect((await stat(`${model}.data`)).size).toBeGreaterThan(0);
      expect(events.filter((e) => e.stage === "convert").at(-1)).toMatchObject({ completed: 322, total: 322 });
      const identityNet = await loadControlNet(model);
      expect(identityNet.residuals.down).toHaveLength(9);
      // The data file is a link of the downloaded weights, so it carries their time, older than config.json's here.
      const past = new Date(Date.now() - 3600_000);
      await utimes(join(dir, "instantid", "ControlNetModel", "diffusion_pytorch_model.safetensors"), past, past);
      const again = await pullModels(options);
      expect(again.converted).toEqual([]);
      expect(again.files.every((f) => f.action === "present")).toBe(true);
    },
  );
});
