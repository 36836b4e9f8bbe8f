// InstantID on a ComfyUI server with cubiq's ComfyUI_InstantID: pick the server's models, upload the face
// photo (and, when the keypoints are known here, the keypoint image drawn by the SDK), queue the workflow,
// follow progress, stream the result into a file. Build and run from the project root, against your server:
//   npx tsup examples/comfyui-bridge.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/comfyui-bridge.js http://127.0.0.1:8188 me.jpg out.png "a watercolor portrait"
// or with `mock` for the URL and no photo: the example starts the repository's loopback mock ComfyUI
// (test/mocks, validating the workflow against ComfyUI's /object_info) and sends the synthetic portrait
// of docs/concepts.md with its keypoints:
//   node .cache/examples/comfyui-bridge.js mock out.png "a watercolor portrait"
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildInstantIdWorkflow, chooseModels, createComfyClient } from "../adapters/comfyui/index.js";
import { encodePng, renderKeypoints, type FiveKeypoints, type ProgressListener } from "../core/index.js";
import { PORTRAIT_KEYPOINTS, PORTRAIT_SIZE, syntheticPortrait } from "./concepts/synthetic-portrait.js";

/** Settings of {@link comfyuiExample}. */
export interface ComfyExampleOptions {
  readonly prompt: string;
  readonly width?: number;
  readonly height?: number;
  readonly seed?: number;
  /** Where the face should be on the canvas (e.g. from face analysis); without them the node pack draws the photo's own keypoints. */
  readonly keypoints?: FiveKeypoints;
  readonly onProgress?: ProgressListener;
}

/** Generates one image of the person in `photo` on the ComfyUI server at `baseUrl` and writes `out` (+ its `.json`); returns the paths written. */
export async function comfyuiExample(baseUrl: string, photo: string, out: string, options: ComfyExampleOptions): Promise<string[]> {
  const size = { width: options.width ?? 1024, height: options.height ?? 1024 };
  const client = createComfyClient({ baseUrl });
  const models = chooseModels(await client.objectInfo()); // MODEL_NOT_FOUND names what is missing and what is installed
  const image = await client.uploadImage(await readFile(photo), basename(photo));
  const keypoints = options.keypoints
    ? await client.uploadImage(await encodePng(renderKeypoints(options.keypoints, size)), "instantid-kps.png")
    : undefined;
  const workflow = buildInstantIdWorkflow({ ...models, prompt: options.prompt, ...size, seed: options.seed ?? 42 }, [{ image, keypoints }]);
  // Checked against /object_info first; the images stream from the server into `out` (+ its .json), never whole in memory.
  const result = await client.runToFiles(workflow, out, { onProgress: options.onProgress, info: { workflow } });
  return result.images.map((image) => image.path);
}

/** The synthetic portrait as a stand-in photo for a run against the mock server, which checks the workflow, not the face. */
async function samplePhoto(dir: string): Promise<string> {
  const path = join(dir, "portrait.png");
  await writeFile(path, await encodePng(syntheticPortrait()));
  return path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mock = process.argv[2] === "mock";
  const [url, photo, out, prompt] = mock ? ["mock", "", ...process.argv.slice(3)] : process.argv.slice(2);
  if (!url || (!photo && !mock) || !out || !prompt) {
    console.error(
      "usage: comfyui-bridge URL PHOTO OUT.png PROMPT\n       comfyui-bridge mock OUT.png PROMPT   (starts the loopback mock ComfyUI)",
    );
    process.exit(2);
  }
  const server = mock ? await (await import("../test/mocks/comfyui-server.js")).startMockComfy({ stepMs: 20 }) : undefined;
  try {
    const picture = photo || (await samplePhoto(await mkdtemp(join(tmpdir(), "comfyui-example-"))));
    const sample = photo ? {} : { width: PORTRAIT_SIZE, height: PORTRAIT_SIZE, keypoints: PORTRAIT_KEYPOINTS };
    const written = await comfyuiExample(server?.url ?? url, picture, out, {
      prompt,
      ...sample,
      onProgress: (e) => process.stderr.write(`\r${e.stage} ${e.completed}/${e.total}`),
    });
    console.log(`\n${written.join("\n")}`);
  } finally {
    await server?.close();
  }
}
