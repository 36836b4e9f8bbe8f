import { ErrorCode, InstantIdError, type ProgressListener } from "../../core/index.js";
import { withDeadline } from "../../core/internal.js";
import { HttpClient, type HttpClientOptions } from "../net/index.js";
import { infoAnswer } from "./answers.js";
import { detectServer } from "./detect.js";
import { readGenerationAnswer } from "./generation-answer.js";
import { type A1111SavedImage, type ImageStore, imagesInMemory, imagesOnDisk } from "./image-store.js";
import { pollProgress } from "./progress.js";
import type { A1111Request } from "./request.js";
import type { ServerCapabilities } from "./types.js";

/** Options of {@link createA1111Client}. */
export interface A1111ClientOptions extends Omit<HttpClientOptions, "what"> {
  /** How often to ask for progress while generating (default 500 ms). */
  readonly pollMs?: number;
  /**
   * Timeout of a whole generation request (default 15 minutes). Other requests (detection, progress,
   * interrupt) time out after `timeoutMs`, which defaults to the smaller of this and 60 s.
   */
  readonly generationTimeoutMs?: number;
}

/** Options of one generation call. */
export interface GenerateCallOptions {
  readonly onProgress?: ProgressListener;
  /**
   * Ask for the server's live preview with each progress poll and pass new ones on as the events' `preview`
   * (default false). The server makes them only with live previews on in its settings ("Show live previews
   * of the created image"; how often: "Live preview display period"); each one costs it a decode.
   */
  readonly previews?: boolean;
  /** Aborting sends `/sdapi/v1/interrupt` and then rejects with an ABORTED error. */
  readonly signal?: AbortSignal;
}

/** What a generation returned: its images (decoded, or saved files), the request echo, and the generation info. */
export interface A1111Result<Image = Uint8Array> {
  readonly images: Image[];
  readonly parameters: Record<string, unknown>;
  readonly info: Record<string, unknown>;
}

/** A client of an A1111 / Forge / SD.Next server. */
export interface A1111Client {
  readonly http: HttpClient;
  /** Finds the flavour, models and modules, or throws an error naming everything missing. */
  detect(signal?: AbortSignal): Promise<ServerCapabilities>;
  /** Sends a body from `buildGenerationRequest` to txt2img (or img2img when it has `init_images`). */
  generate(request: A1111Request, options?: GenerateCallOptions): Promise<A1111Result>;
  /**
   * As {@link A1111Client.generate}, but streams each image out of the server's answer into its file, so a
   * large batch never sits whole in memory: `out` names them as `saveImages` does (`OUT.png` for one image,
   * `OUT-1.png`, `OUT-2.png`… for several), each beside an `OUT.json` with the generation info. An image
   * appears whole or not at all; when the generation fails, none of its files is left behind.
   */
  generateToFiles(request: A1111Request, out: string, options?: GenerateCallOptions): Promise<A1111Result<A1111SavedImage>>;
  /** Asks the server to stop the current generation. */
  interrupt(): Promise<void>;
}

/** Creates a client of an A1111-style server (base URL, basic auth, timeouts, retries, progress, interrupt). */
export function createA1111Client(options: A1111ClientOptions): A1111Client {
  const generationTimeoutMs = options.generationTimeoutMs ?? 15 * 60_000;
  const requestTimeoutMs = options.timeoutMs ?? Math.min(60_000, generationTimeoutMs);
  const http = new HttpClient({
    ...options,
    timeoutMs: requestTimeoutMs,
    what: "A1111 server",
    reachHint: "Start A1111/Forge with --api (and --listen for other machines).",
  });
  const interrupt = async () => {
    await http.request({ method: "POST", path: "/sdapi/v1/interrupt", json: {}, retry: true }); // idempotent: safe to repeat
  };
  const describe = (index: number) => `Image ${index + 1} the A1111 server at ${http.baseUrl} returned`;

  /** Sends the request and reads its answer into `store`, with progress and cancelling. */
  const run = async <Image>(request: A1111Request, call: GenerateCallOptions, store: ImageStore<Image>): Promise<A1111Result<Image>> => {
    const path = "init_images" in request ? "/sdapi/v1/img2img" : "/sdapi/v1/txt2img";
    const stop = call.onProgress
      ? pollProgress(http, call.onProgress, { intervalMs: options.pollMs ?? 500, previews: call.previews })
      : () => undefined;
    let interrupted: Promise<void> | undefined;
    const onAbort = () => {
      interrupted = interrupt().catch(() => undefined);
    };
    call.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (call.signal?.aborted) throw new InstantIdError(ErrorCode.Aborted, "Generation cancelled before it started");
      // A POST: never re-sent once it may have reached the server, so a dropped reply cannot run it twice.
      const raw = await http.stream({ method: "POST", path, json: request, timeoutMs: generationTimeoutMs }, (body) =>
        readGenerationAnswer(body, store, `The A1111 server's answer to POST ${path}`),
      );
      if (interrupted) {
        await interrupted;
        throw new InstantIdError(
          ErrorCode.Aborted,
          `Generation cancelled; the server was told to stop (/sdapi/v1/interrupt) and returned ${raw.images.length} partial image(s)`,
        );
      }
      if (raw.images.length === 0) {
        throw new InstantIdError(ErrorCode.Server, `The A1111 server at ${http.baseUrl} returned no images; its console may say why`);
      }
      const info = parseInfo(raw.info);
      return { images: await store.keep(generatedCount(info, raw.images.length), info), parameters: raw.parameters ?? {}, info };
    } catch (error) {
      await store.discard();
      throw error;
    } finally {
      stop();
      call.signal?.removeEventListener("abort", onAbort);
    }
  };

  return {
    http,
    // Detection is several requests: one deadline (the request timeout) bounds them all.
    detect: (signal) =>
      withDeadline(requestTimeoutMs, `Detecting the A1111 server at ${http.baseUrl}`, (deadline) => detectServer(http, deadline), {
        signal,
      }),
    interrupt,
    generate: (request, call = {}) => run(request, call, imagesInMemory(describe)),
    generateToFiles: (request, out, call = {}) => run(request, call, imagesOnDisk(out, describe)),
  };
}

/** How many of the answer's images were generated: the info's seeds say; the rest are ControlNet's detected maps. */
function generatedCount(info: Record<string, unknown>, returned: number): number {
  return Array.isArray(info.all_seeds) ? Math.min(info.all_seeds.length, returned) : returned;
}

/** The generation info: a JSON object as A1111 writes it, else the text kept as `{ text }`. */
function parseInfo(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed = infoAnswer.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : { text };
  } catch {
    return { text };
  }
}
