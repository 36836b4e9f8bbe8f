import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { convertControlNet } from "../../../core/convert/convert.js";
import { linkFile } from "../../../core/convert/link-file.js";
import { writeRandomControlNet } from "../../../core/synthetic/random-checkpoint.js";
import { tempDir } from "../../helpers/shared.js";
import { initializerBytes } from "./initializer-bytes.js";
import { REFERENCE_CONFIGS, referenceInputs } from "./reference-cases.js";
import { runConverted } from "./run-converted.js";

// A file system that cannot link (the output on another device): every link attempt fails as link(2) does there.
const refusal = vi.hoisted(() => ({ code: "EXDEV" as string | undefined }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const link: typeof fs.link = async (source, target) => {
    if (!refusal.code) return fs.link(source, target);
    throw Object.assign(new Error(`${refusal.code}: cannot link '${source}' -> '${target}'`), { code: refusal.code });
  };
  return { ...fs, default: { ...fs, link }, link };
});

describe("converting where the checkpoint cannot be linked", () => {
  it("streams the tensors into a file of their own, back to back, with the same bytes and outputs as the linked model", async () => {
    const dir = join(await tempDir("instantid-cn-"), "ControlNetModel");
    const { config, dtype } = REFERENCE_CONFIGS.published;
    await writeRandomControlNet(dir, config, { dtype, seed: 7 });
    const out = await tempDir();
    refusal.code = undefined;
    const linked = await convertControlNet({ dir, output: join(out, "linked.onnx") });
    refusal.code = "EXDEV";
    const copied = await convertControlNet({ dir, output: join(out, "copied.onnx") });
    expect([linked.linked, copied.linked]).toEqual([true, false]);
    const source = await stat(join(dir, "diffusion_pytorch_model.safetensors"));
    const data = await stat(copied.data);
    expect(data.ino).not.toBe(source.ino);
    const tensorBytes = [...(await initializerBytes(copied.model)).values()].reduce((sum, b) => sum + b.byteLength, 0);
    expect([data.size, copied.dataBytes]).toEqual([tensorBytes, tensorBytes]);
    const expected = await initializerBytes(linked.model);
    for (const [key, bytes] of await initializerBytes(copied.model)) expect(Buffer.compare(bytes, expected.get(key)!), key).toBe(0);
    const inputs = referenceInputs(config);
    const [a, b] = [await runConverted(linked.model, inputs), await runConverted(copied.model, inputs)];
    for (const [name, tensor] of a) expect(b.get(name)!.data, name).toEqual(tensor.data);
    expect((await readdir(out)).sort()).toEqual(["copied.onnx", "copied.onnx.data", "linked.onnx", "linked.onnx.data"]);
  });

  it("tells a file system that cannot link (false) from a failure to report (thrown)", async () => {
    const dir = await tempDir();
    refusal.code = "EPERM";
    await expect(linkFile(join(dir, "a"), join(dir, "b"))).resolves.toBe(false);
    refusal.code = undefined;
    await expect(linkFile(join(dir, "missing"), join(dir, "b"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
