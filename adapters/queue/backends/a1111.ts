import { a1111RequestFromComposition, createA1111Client, type A1111Client, type ServerCapabilities } from "../../a1111/index.js";
import { jobBytes, jobComposition } from "../job-composition.js";
import { askedOnce, type BackendControls, type GenerationBackend } from "./backend.js";

/** Where the A1111 / Forge / SD.Next server is. */
export interface A1111BackendOptions {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  /** Timeout of one generation (default the client's, 15 minutes). */
  readonly timeoutMs?: number;
  /** How often progress is polled (default the client's, 500 ms). */
  readonly pollMs?: number;
}

/**
 * Jobs on an A1111-style server, sent as `instantid compose --backend a1111` sends them. The client
 * does not retry on its own: the queue retries with backoff, so each attempt is visible in the job.
 */
export function a1111Backend(options: A1111BackendOptions): GenerationBackend {
  const client: A1111Client = createA1111Client({
    baseUrl: options.url,
    auth: options.auth,
    generationTimeoutMs: options.timeoutMs,
    pollMs: options.pollMs,
    retries: 0,
  });
  const detect: () => Promise<ServerCapabilities> = askedOnce(() => client.detect());
  return {
    name: "a1111",
    async run(job, controls: BackendControls) {
      const composition = await jobComposition(job);
      const photos = job.identities.map((person) => (person.photo ? jobBytes(person.photo) : undefined));
      const request = await a1111RequestFromComposition(composition, {
        server: await detect(),
        steps: job.settings.steps,
        cfgScale: job.settings.cfg,
        seed: job.settings.seed,
        photos,
      });
      const result = await client.generate(request, { ...controls, previews: (controls.previewEvery ?? 0) > 0 });
      return { images: result.images, report: result.info };
    },
  };
}
