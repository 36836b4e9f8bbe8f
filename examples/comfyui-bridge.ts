// InstantID on a ComfyUI server with cubiq's ComfyUI_InstantID: pick the server's models, upload the face
// photo (and, when the keypoints are known here, the keypoint image drawn by the SDK), queue the workflow,
// follow progress, download the result. Build and run from the project root:
//   npx tsup examples/comfyui-bridge.ts --format esm --out-dir .cache/examples --no-config --silent \
//     && node .cache/examples/comfyui-bridge.js http://127.0.0.1:8188 me.jpg out.png "a watercolor portrait"
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { buildInstantIdWorkflow, chooseModels, createComfyClient } from "../adapters/comfyui/index.js";
import { encodePng, renderKeypoints, saveImages, type FiveKeypoints, type ProgressListener } from "../core/index.js";

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
  const keypoints = options.keypoints ? await client.uploadImage(await encodePng(renderKeypoints(options.keypoints, size)), "instantid-kps.png") : undefined;
  const workflow = buildInstantIdWorkflow({ ...models, prompt: options.prompt, ...size, seed: options.seed ?? 42 }, [{ image, keypoints }]);
  const result = await client.run(workflow, { onProgress: options.onProgress }); // checked against /object_info first
  return saveImages(out, result.images.map((i) => i.data), { promptId: result.promptId, workflow });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [url, photo, out, prompt] = process.argv.slice(2);
  if (!url || !photo || !out || !prompt) {
    console.error("usage: comfyui-bridge URL PHOTO OUT.png PROMPT");
    process.exit(2);
  }
  const written = await comfyuiExample(url, photo, out, { prompt, onProgress: (e) => process.stderr.write(`\r${e.stage} ${e.completed}/${e.total}`) });
  console.log(`\n${written.join("\n")}`);
}
