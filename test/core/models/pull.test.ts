import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/errors.js";
import { checkModels } from "../../../core/models/check.js";
import { pullModels } from "../../../core/models/pull.js";
import { startFileServer, type FileServer } from "../../helpers/file-server.js";
import { tempDir } from "../../helpers/shared.js";
import { fixturePacks, fixtureSources } from "./fixture-packs.js";
import { expectSameBytes } from "../../helpers/same-bytes.js";

const fast = { retryDelayMs: 5, idleTimeoutMs: 5_000, env: {} };
let server: FileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup() {
  const fixture = fixturePacks();
  server = await startFileServer(fixture.served);
  const dir = await tempDir();
  const options = { dir, catalog: fixture.catalog, sources: fixtureSources(server.url), ...fast };
  return { fixture, dir, options };
}

describe("pullModels", () => {
  it("downloads every required file into its pack folder, skips optional ones, and writes antelopev2/models.json", async () => {
    const { fixture, dir, options } = await setup();
    const result = await pullModels(options);
    expect(result.files.map((f) => `${f.pack}:${f.path}:${f.action}`)).toEqual([
      "antelopev2:scrfd_10g_bnkps.onnx:downloaded",
      "antelopev2:glintr100.onnx:downloaded",
      "instantid:ip-adapter.bin:downloaded",
      "instantid:ControlNetModel/config.json:downloaded",
      "instantid:ControlNetModel/diffusion_pytorch_model.safetensors:downloaded",
    ]);
    for (const file of result.files) {
      const relative = `${file.pack}/${file.path}`;
      expectSameBytes(await readFile(join(dir, relative)), fixture.bodies[relative], relative);
    }
    expect(existsSync(join(dir, "antelopev2", "genderage.onnx"))).toBe(false);
    const manifest = JSON.parse(await readFile(join(dir, "antelopev2", "models.json"), "utf8"));
    expect(result.manifests).toEqual([join(dir, "antelopev2", "models.json")]);
    expect(manifest.detector).toMatchObject({ path: "scrfd_10g_bnkps.onnx", kind: "scrfd", inputSize: 640 });
    expect(manifest.recognizer).toMatchObject({ path: "glintr100.onnx", kind: "arcface", inputSize: 112 });
    expect((await checkModels(dir, { catalog: fixture.catalog })).complete).toBe(true);
  });

  it("builds the default URL as <hfBase>/<repo>/resolve/<revision>/<path>", async () => {
    const { options } = await setup();
    await pullModels({ ...options, packs: ["instantid"] });
    expect(server!.requests.map((r) => r.path)).toContain(
      "/InstantX/InstantID/resolve/main/ControlNetModel/diffusion_pytorch_model.safetensors",
    );
  });

  it("sends no request for files already present and verified", async () => {
    const { options } = await setup();
    await pullModels(options);
    const before = server!.requests.length;
    const again = await pullModels(options);
    expect(again.files.every((f) => f.action === "present")).toBe(true);
    expect(server!.requests.length).toBe(before);
  });

  it("replaces a corrupt file and fetches optional files on request", async () => {
    const { fixture, dir, options } = await setup();
    await pullModels({ ...options, packs: ["antelopev2"] });
    const glint = join(dir, "antelopev2", "glintr100.onnx");
    const wrong = Buffer.from(fixture.bodies["antelopev2/glintr100.onnx"]);
    wrong[10] ^= 0xff;
    await writeFile(glint, wrong);
    const result = await pullModels({ ...options, packs: ["antelopev2"], includeOptional: true });
    expect(result.files.find((f) => f.path === "glintr100.onnx")?.action).toBe("downloaded");
    expectSameBytes(await readFile(glint), fixture.bodies["antelopev2/glintr100.onnx"]);
    expectSameBytes(await readFile(join(dir, "antelopev2", "genderage.onnx")), fixture.bodies["antelopev2/genderage.onnx"]);
  });

  it("checks config.json's content before accepting it (no digest is published): a page that is no config is refused", async () => {
    const fixture = fixturePacks();
    const served = "/InstantX/InstantID/resolve/main/ControlNetModel/config.json";
    server = await startFileServer({ ...fixture.served, [served]: { body: Buffer.from("<!doctype html><p>Sign in to continue</p>") } });
    const dir = await tempDir();
    const error = await pullModels({
      dir,
      catalog: fixture.catalog,
      sources: fixtureSources(server.url),
      packs: ["instantid"],
      ...fast,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error.code).toBe(ErrorCode.Checksum);
    expect(error.message).toMatch(/config\.json is not the diffusers ControlNet config\.json that was expected: it is not JSON/);
    expect(error.details).toMatchObject({ pack: "instantid", file: "instantid/ControlNetModel/config.json" });
    const config = join(dir, "instantid", "ControlNetModel", "config.json");
    expect(existsSync(config)).toBe(false);
    expect(existsSync(`${config}.part`)).toBe(false);
  });

  it("checks config.json against the Git blob id the hub sends as its ETag (the hub's only digest for a plain Git file)", async () => {
    const fixture = fixturePacks();
    const served = "/InstantX/InstantID/resolve/main/ControlNetModel/config.json";
    const body = fixture.served[served].body;
    server = await startFileServer({ ...fixture.served, [served]: { body, etag: `"${"1".repeat(40)}"` } });
    const options = { dir: await tempDir(), catalog: fixture.catalog, sources: fixtureSources(server.url), packs: ["instantid"], ...fast };
    const error = await pullModels(options).catch((e) => e);
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error.code).toBe(ErrorCode.Checksum);
    expect(error.message).toContain(`not the ${"1".repeat(40)} the server published for it (its ETag)`);
    expect(error.details).toMatchObject({ pack: "instantid", file: "instantid/ControlNetModel/config.json" });
  });

  it("replaces a config.json on disk whose content fails the check", async () => {
    const { fixture, dir, options } = await setup();
    await pullModels({ ...options, packs: ["instantid"] });
    const config = join(dir, "instantid", "ControlNetModel", "config.json");
    await writeFile(config, JSON.stringify({ _class_name: "UNet2DConditionModel" }));
    const result = await pullModels({ ...options, packs: ["instantid"] });
    expect(result.files.find((f) => f.path === "ControlNetModel/config.json")?.action).toBe("downloaded");
    expect(await readFile(config)).toEqual(fixture.bodies["instantid/ControlNetModel/config.json"]);
  });

  it("names the file, the base URL and how to change it when the server answers 404", async () => {
    const { options } = await setup();
    const error = await pullModels({
      ...options,
      sources: { hfBase: server!.url, packBase: { antelopev2: `${server!.url}/nowhere` } },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error.code).toBe(ErrorCode.Network);
    expect(error.details).toMatchObject({ status: 404, pack: "antelopev2", file: "antelopev2/scrfd_10g_bnkps.onnx" });
    expect(error.message).toContain("INSTANTID_ANTELOPEV2_BASE");
  });

  it("rejects an unknown pack name, listing the known ones", async () => {
    const { options } = await setup();
    const error = await pullModels({ ...options, packs: ["buffalo"] }).catch((e) => e);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain("antelopev2, instantid, all");
  });

  it("reads a pack's base URL from its environment variable", async () => {
    const { fixture, dir } = await setup();
    const env = { INSTANTID_ANTELOPEV2_BASE: `${server!.url}/mirror/antelopev2/` };
    const result = await pullModels({ dir, catalog: fixture.catalog, packs: ["antelopev2"], env, retryDelayMs: 5 });
    expect(result.files[0].url).toBe(`${server!.url}/mirror/antelopev2/scrfd_10g_bnkps.onnx`);
  });
});
