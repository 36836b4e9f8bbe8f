// InstantID on a ComfyUI server with cubiq's ComfyUI_InstantID: pick the server's models, upload the face
// photo and the keypoint image the SDK draws from the identity file (where the face was in its photo, fitted
// onto the canvas), queue the workflow, follow progress, stream the result into a file. The node pack computes the
// embedding from the photo itself; the identity file (`instantid identity create me.jpg`) gives the keypoints.
// Build and run from the project root, against your server:
//   npx tsup examples/comfyui-bridge.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/comfyui-bridge.js http://127.0.0.1:8188 me.jpg me.identity.safetensors out.png "a watercolor portrait"
// or with `mock` for the URL and no photo: the example starts the repository's loopback mock ComfyUI
// (test/mocks, validating the workflow against ComfyUI's /object_info) and sends the synthetic portrait
// of docs/concepts.md with an identity of its keypoints (random embedding):
//   node .cache/examples/comfyui-bridge.js mock out.png "a watercolor portrait"
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chooseModels, comfyWorkflowFromIdentity, createComfyClient, uploadPlacer } from "../adapters/comfyui/index.js";
import { createIdentity, encodePng, loadIdentity, saveIdentity, type ProgressListener } from "../core/index.js";
import { PORTRAIT_KEYPOINTS, PORTRAIT_SIZE, syntheticPortrait } from "./concepts/synthetic-portrait.js";

/** Settings of {@link comfyuiExample}. */
export interface ComfyExampleOptions {
  readonly prompt: string;
  readonly width?: number;
  readonly height?: number;
  readonly seed?: number;
  readonly onProgress?: ProgressListener;
}

/**
 * Generates one image of the person in `photo` (whose identity file is `identityPath`) on the ComfyUI server at
 * `baseUrl` and writes `out` (+ its `.json`); returns the paths written.
 */
export async function comfyuiExample(
  baseUrl: string,
  photo: string,
  identityPath: string,
  out: string,
  options: ComfyExampleOptions,
): Promise<string[]> {
  const client = createComfyClient({ baseUrl });
  const workflow = await comfyWorkflowFromIdentity(await loadIdentity(identityPath), {
    ...chooseModels(await client.objectInfo()), // MODEL_NOT_FOUND names what is missing and what is installed
    prompt: options.prompt,
    width: options.width ?? 1024,
    height: options.height ?? 1024,
    seed: options.seed ?? 42,
    photo: { data: await readFile(photo), extension: extname(photo) || ".png" },
    place: uploadPlacer(client), // uploads under content-hashed names, so reruns reuse them
    // adapterScale and identityNetScale: left out, both take InstantID's recommended 0.8.
  });
  // Checked against /object_info first; the images stream from the server into `out` (+ its .json), never whole in memory.
  const result = await client.runToFiles(workflow, out, { onProgress: options.onProgress, info: { workflow } });
  return result.images.map((image) => image.path);
}

/**
 * The synthetic portrait as a stand-in photo, with an identity of its keypoints, for a run against the mock server (which checks the
 * workflow, not the face).
 */
async function samplePhoto(dir: string): Promise<{ photo: string; identity: string }> {
  const photo = join(dir, "portrait.png");
  const identity = join(dir, "portrait.identity.safetensors");
  await writeFile(photo, await encodePng(syntheticPortrait()));
  const embedding = Float32Array.from({ length: 512 }, () => Math.random() * 2 - 1);
  await saveIdentity(identity, createIdentity([{ embedding, kps: PORTRAIT_KEYPOINTS, width: PORTRAIT_SIZE, height: PORTRAIT_SIZE }]));
  return { photo, identity };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mock = process.argv[2] === "mock";
  const [url, photo, identity, out, prompt] = mock ? ["mock", "", "", ...process.argv.slice(3)] : process.argv.slice(2);
  if (!url || ((!photo || !identity) && !mock) || !out || !prompt) {
    console.error(
      "usage: comfyui-bridge URL PHOTO IDENTITY_FILE OUT.png PROMPT\n       comfyui-bridge mock OUT.png PROMPT   (starts the " +
        "loopback mock ComfyUI)",
    );
    process.exit(2);
  }
  const server = mock ? await (await import("../test/mocks/comfyui-server.js")).startMockComfy({ stepMs: 20 }) : undefined;
  try {
    const files = photo ? { photo, identity } : await samplePhoto(await mkdtemp(join(tmpdir(), "comfyui-example-")));
    const sample = photo ? {} : { width: PORTRAIT_SIZE, height: PORTRAIT_SIZE };
    const written = await comfyuiExample(server?.url ?? url, files.photo, files.identity, out, {
      prompt,
      ...sample,
      onProgress: (e) => process.stderr.write(`\r${e.stage} ${e.completed}/${e.total}`),
    });
    console.log(`\n${written.join("\n")}`);
  } finally {
    await server?.close();
  }
}
