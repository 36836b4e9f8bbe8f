// InstantID on an AUTOMATIC1111-style server (sd-webui-controlnet) from an identity file: the embedding
// travels as `ipadapter_input` and the keypoint image is drawn here, so the server needs no insightface
// and no photo is sent. Build and run from the project root, against your server (started with --api):
//   npx tsup examples/a1111-bridge.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/a1111-bridge.js http://127.0.0.1:7860 me.identity.safetensors out.png "a watercolor portrait"
// or with `mock` for the URL and no identity file: the example starts the repository's loopback mock A1111
// (test/mocks, answering as sd-webui-controlnet does) and sends a sample identity (random embedding):
//   node .cache/examples/a1111-bridge.js mock out.png "a watercolor portrait"
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { a1111RequestFromIdentity, createA1111Client } from "../adapters/a1111/index.js";
import { createIdentity, loadIdentity, saveIdentity, type ProgressListener } from "../core/index.js";

/** Generation settings of {@link a1111Example}; InstantID's recommended values by default. */
export interface A1111ExampleOptions {
  readonly prompt: string;
  readonly width?: number;
  readonly height?: number;
  readonly steps?: number;
  readonly seed?: number;
  readonly onProgress?: ProgressListener;
}

/**
 * Asks the server what it has, sends one identity from `identityPath` and writes `out` (+ its `.json` info); returns the paths written.
 * `a1111RequestFromIdentity` draws the identity's keypoints where its photo had the face (fitted whole onto the canvas) and sends its
 * embedding as `ipadapter_input`.
 */
export async function a1111Example(baseUrl: string, identityPath: string, out: string, options: A1111ExampleOptions): Promise<string[]> {
  const identity = await loadIdentity(identityPath, { dimension: 512 });
  const client = createA1111Client({ baseUrl });
  const body = await a1111RequestFromIdentity(identity, {
    server: await client.detect(), // exact model names; MODEL_NOT_FOUND lists anything missing
    prompt: options.prompt,
    width: options.width ?? 1024,
    height: options.height ?? 1024,
    steps: options.steps ?? 30,
    cfgScale: 5,
    seed: options.seed ?? 42,
    // adapterScale and identityNetScale: left out, both take InstantID's recommended 0.8.
  });
  // The images stream out of the server's answer into `out` (+ its .json), never whole in memory.
  const result = await client.generateToFiles(body, out, { onProgress: options.onProgress });
  return result.images.map((image) => image.path);
}

/** A sample identity for a run against the mock server: a random embedding, keypoints of a 256² photo. */
async function sampleIdentity(dir: string): Promise<string> {
  const path = join(dir, "sample.identity.safetensors");
  const embedding = Float32Array.from({ length: 512 }, () => Math.random() * 2 - 1);
  await saveIdentity(
    path,
    createIdentity([
      {
        embedding,
        kps: [
          [100, 120],
          [160, 120],
          [130, 150],
          [105, 180],
          [155, 180],
        ],
        width: 256,
        height: 256,
      },
    ]),
  );
  return path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mock = process.argv[2] === "mock";
  const [url, identity, out, prompt] = mock ? ["mock", "", ...process.argv.slice(3)] : process.argv.slice(2);
  if (!url || (!identity && !mock) || !out || !prompt) {
    console.error(
      "usage: a1111-bridge URL IDENTITY_FILE OUT.png PROMPT\n       a1111-bridge mock OUT.png PROMPT   (starts the loopback mock A1111)",
    );
    process.exit(2);
  }
  const server = mock ? await (await import("../test/mocks/a1111-server.js")).startMockA1111({ stepMs: 20 }) : undefined;
  try {
    const identityFile = identity || (await sampleIdentity(await mkdtemp(join(tmpdir(), "a1111-example-"))));
    const written = await a1111Example(server?.url ?? url, identityFile, out, {
      prompt,
      onProgress: (e) => process.stderr.write(`\r${e.stage} ${e.completed}/${e.total}`),
    });
    console.log(`\n${written.join("\n")}`);
  } finally {
    await server?.close();
  }
}
