import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { ErrorCode, InstantIdError, type ProgressListener } from "../../core/index.js";
import {
  assertEncodedImage,
  delay,
  imageInfoPath,
  imagePaths,
  type PreparedFile,
  prepareFile,
  renameTogether,
  tempPathFor,
  withDeadline,
} from "../../core/internal.js";
import { connectWebSocket, fileWriteError, HttpClient, type HttpClientOptions } from "../net/index.js";
import { historyAnswer, objectInfoAnswer, queueAnswer, uploadAnswer } from "./answers.js";
import { assertWorkflowFits } from "./check.js";
import { executionError, interruptedError, PromptFollower, type PromptOutcome } from "./follow.js";
import type { ApiPrompt } from "./graph.js";
import { imageUploadForm } from "./multipart.js";
import type { ObjectInfo } from "./object-info.js";

/** Options of {@link createComfyClient}. */
export interface ComfyClientOptions extends Omit<HttpClientOptions, "what"> {
  /** The websocket client id (default: a random UUID). */
  readonly clientId?: string;
  /** How often to poll /history when the websocket is unavailable (default 1000 ms). */
  readonly pollMs?: number;
  /** How often to check /history even while the websocket is open, in case its events never come (default 10 000 ms). */
  readonly watchdogMs?: number;
  /**
   * One deadline for a whole {@link ComfyClient.run}: queueing, following, downloading (default:
   * `timeoutMs`, else 15 minutes). When it passes the prompt is interrupted and the run fails.
   */
  readonly generationTimeoutMs?: number;
  /** Largest websocket message accepted (default 64 MiB). */
  readonly maxMessageBytes?: number;
}

/** An image ComfyUI produced: where it lives on the server, and its bytes. */
export interface ComfyImage {
  readonly filename: string;
  readonly subfolder: string;
  readonly type: string;
  readonly data: Uint8Array;
}

/** An image ComfyUI produced, streamed from `/view` into a file by {@link ComfyClient.runToFiles}. */
export interface ComfySavedImage {
  readonly filename: string;
  readonly subfolder: string;
  readonly type: string;
  /** Where it was written. */
  readonly path: string;
  readonly bytes: number;
}

/** What a finished prompt produced: its images in memory ({@link ComfyClient.run}) or in files ({@link ComfyClient.runToFiles}). */
export interface ComfyResult<Image = ComfyImage> {
  readonly promptId: string;
  readonly images: Image[];
  /** The `/history` entry, for its status and messages. */
  readonly history: Record<string, unknown>;
}

/** Options of {@link ComfyClient.runToFiles}. */
export interface ComfyFilesOptions extends ComfyRunOptions {
  /** Generation info written beside each image as `OUT.json` (with the prompt id), as `saveImages` does; none when absent. */
  readonly info?: Record<string, unknown>;
}

/** One `/history/<id>` entry: the outputs per node and the run status with its messages. */
export interface HistoryEntry {
  readonly outputs?: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }>;
  readonly status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

/** Options of one {@link ComfyClient.run}. */
export interface ComfyRunOptions {
  readonly onProgress?: ProgressListener;
  /**
   * Pass the server's preview frames on as the progress events' `preview` (default false; JPEG frames are
   * re-encoded as PNG). The server sends them only when started with a preview method
   * (`--preview-method auto`, `latent2rgb` or `taesd`; its default is none).
   */
  readonly previews?: boolean;
  readonly signal?: AbortSignal;
}

/** A client of a ComfyUI server: /object_info, /upload/image, /prompt, websocket progress, /history, /view, /interrupt. */
export interface ComfyClient {
  readonly http: HttpClient;
  readonly clientId: string;
  objectInfo(): Promise<ObjectInfo>;
  /** Uploads an image into the server's input folder (overwriting) and returns the name to load it by. */
  uploadImage(data: Uint8Array, filename: string): Promise<string>;
  /** Queues a workflow and returns its prompt id; a validation failure carries the server's node errors. */
  queue(prompt: ApiPrompt): Promise<string>;
  /** Checks a workflow against /object_info, queues it, follows it, and downloads its images (each under the response cap). */
  run(prompt: ApiPrompt, options?: ComfyRunOptions): Promise<ComfyResult>;
  /**
   * As {@link ComfyClient.run}, but streams each image from `/view` straight into a file, so a large one never
   * sits whole in memory: `out` names them as `saveImages` does (`OUT.png` for one image, `OUT-1.png`,
   * `OUT-2.png`… for several), checked to be images, beside `OUT.json` when `info` is given. All are renamed into
   * place together once whole; the response cap still applies per image. When a download fails, none of the
   * run's files appears, and files an earlier run left at those names stay as they were.
   */
  runToFiles(prompt: ApiPrompt, out: string, options?: ComfyFilesOptions): Promise<ComfyResult<ComfySavedImage>>;
  history(promptId: string): Promise<HistoryEntry | undefined>;
  interrupt(promptId?: string): Promise<void>;
}

/** Creates a ComfyUI client. */
export function createComfyClient(options: ComfyClientOptions): ComfyClient {
  const http = new HttpClient({ ...options, what: "ComfyUI server", reachHint: "Start ComfyUI with --listen for other machines." });
  const clientId = options.clientId ?? randomUUID();
  const pollMs = options.pollMs ?? 1000;
  const deadlineMs = options.generationTimeoutMs ?? options.timeoutMs ?? 15 * 60_000;

  const history = async (promptId: string, signal?: AbortSignal) =>
    (await http.answer({ path: `/history/${encodeURIComponent(promptId)}`, signal }, historyAnswer))[promptId] as HistoryEntry | undefined;

  /** Polls /history every `intervalMs` until the prompt ended; rejects (clearing its timer) once `signal` aborts. */
  const pollHistory = async (promptId: string, intervalMs: number, signal: AbortSignal): Promise<PromptOutcome> => {
    for (;;) {
      await delay(intervalMs, signal);
      const entry = await history(promptId, signal).catch((error: unknown) => {
        if (signal.aborted || !passing(error)) throw error;
        return undefined; // a busy or briefly unreachable server: ask again next time
      });
      const outcome = entry && historyOutcome(entry);
      if (outcome) return outcome;
    }
  };

  /** The websocket's account of the prompt, checked against /history now and then; /history alone once the socket drops. */
  const follow = async (
    follower: PromptFollower | undefined,
    promptId: string,
    call: ComfyRunOptions,
    signal: AbortSignal,
  ): Promise<PromptOutcome> => {
    const stop = new AbortController();
    const stopped = AbortSignal.any([signal, stop.signal]);
    try {
      const cancelled = new Promise<never>((_, reject) => {
        const onAbort = () => reject(new InstantIdError(ErrorCode.Aborted, "Generation cancelled"));
        if (stopped.aborted) onAbort();
        stopped.addEventListener("abort", onAbort, { once: true });
      });
      cancelled.catch(() => undefined);
      const watched = follower
        ? await Promise.race([
            follower.outcome(promptId, call.onProgress),
            pollHistory(promptId, options.watchdogMs ?? 10_000, stopped),
            cancelled,
          ])
        : undefined;
      return watched ?? (await Promise.race([pollHistory(promptId, pollMs, stopped), cancelled]));
    } finally {
      stop.abort(); // clears every pending poll timer: nothing waits after the run
    }
  };

  const client: ComfyClient = {
    http,
    clientId,
    objectInfo: async () => (await http.answer({ path: "/object_info" }, objectInfoAnswer)) as ObjectInfo,
    async uploadImage(data, filename) {
      // Uploading the same bytes under the same name twice is harmless: safe to retry.
      const answer = await http.answer(
        { method: "POST", path: "/upload/image", form: imageUploadForm(data, filename), retry: true },
        uploadAnswer,
      );
      return answer.subfolder ? `${answer.subfolder}/${answer.name}` : answer.name;
    },
    async queue(prompt) {
      // Not retried once it may have reached the server: it would run twice.
      const answer = await http.answer(
        { method: "POST", path: "/prompt", json: { prompt, client_id: clientId }, retry: false },
        queueAnswer,
      );
      return answer.prompt_id;
    },
    history: (promptId) => history(promptId),
    async interrupt(promptId) {
      await http.request({ method: "POST", path: "/interrupt", json: promptId ? { prompt_id: promptId } : {}, retry: true });
    },
    run: (prompt, call = {}) => runWith(prompt, call, (entry, signal) => downloadImages(http, entry, signal)),
    runToFiles: (prompt, out, call = {}) =>
      runWith(prompt, call, (entry, signal, promptId) =>
        saveImageFiles(http, entry, { out, info: call.info && { promptId, ...call.info } }, signal),
      ),
  };

  /** Runs a prompt under one deadline, interrupting the server when cancelled or out of time; `collect` fetches its images. */
  const runWith = async <Image>(prompt: ApiPrompt, call: ComfyRunOptions, collect: Collect<Image>): Promise<ComfyResult<Image>> => {
    let promptId: string | undefined;
    let stopping: Promise<unknown> | undefined;
    // Cancelled or out of time once queued: the server is told to stop before the run rejects.
    const stopServer = () => (promptId ? (stopping ??= client.interrupt(promptId).catch(() => undefined)) : Promise.resolve());
    const queued = (id: string) => {
      promptId = id;
      if (call.signal?.aborted) void stopServer(); // cancelled while /prompt was answering
    };
    const onCancel = () => void stopServer();
    call.signal?.addEventListener("abort", onCancel, { once: true });
    try {
      return await withDeadline(
        deadlineMs,
        `The ComfyUI run at ${http.baseUrl}`,
        (signal) => runPrompt(prompt, call, signal, queued, collect),
        {
          signal: call.signal,
          onTimeout: stopServer,
        },
      );
    } catch (error) {
      if (!call.signal?.aborted) throw error;
      await stopServer();
      throw error instanceof InstantIdError && error.code === ErrorCode.Aborted
        ? error
        : new InstantIdError(ErrorCode.Aborted, "Generation cancelled", { cause: error });
    } finally {
      call.signal?.removeEventListener("abort", onCancel);
    }
  };

  const runPrompt = async <Image>(
    prompt: ApiPrompt,
    call: ComfyRunOptions,
    signal: AbortSignal,
    queued: (id: string) => void,
    collect: Collect<Image>,
  ): Promise<ComfyResult<Image>> => {
    assertWorkflowFits(prompt, (await http.answer({ path: "/object_info", signal }, objectInfoAnswer)) as ObjectInfo, http.baseUrl);
    const socket = await connectWebSocket(`${http.baseUrl.replace(/^http/, "ws")}/ws?clientId=${encodeURIComponent(clientId)}`, {
      headers: http.authHeaders(),
      what: "ComfyUI server",
      maxMessageBytes: options.maxMessageBytes,
    }).catch(() => undefined);
    try {
      const follower = socket && new PromptFollower(socket, { previews: call.previews });
      const promptId = await http
        .answer({ method: "POST", path: "/prompt", json: { prompt, client_id: clientId }, retry: false, signal }, queueAnswer)
        .then((a) => a.prompt_id);
      queued(promptId);
      const outcome = await follow(follower, promptId, call, signal);
      if (outcome.kind === "error") throw outcome.error;
      const entry = (await history(promptId, signal)) ?? {};
      return { promptId, images: await collect(entry, signal, promptId), history: entry as Record<string, unknown> };
    } finally {
      // Awaited (at most the socket's close timeout), so that no timer of the run outlives it.
      socket?.close();
      await socket?.closed;
    }
  };
  return client;
}

/** A failure worth polling through (the network, a 5xx); an answer of the wrong shape is not. */
function passing(error: unknown): boolean {
  if (!(error instanceof InstantIdError)) return false;
  return error.code === ErrorCode.Network || Number(error.details?.status) >= 500;
}

function historyOutcome(entry: HistoryEntry): PromptOutcome | undefined {
  const messages = entry.status?.messages ?? [];
  const error = messages.find(([type]) => type === "execution_error");
  if (error) return { kind: "error", error: executionError(error[1]) };
  const interrupted = messages.find(([type]) => type === "execution_interrupted");
  if (interrupted) return { kind: "error", error: interruptedError(interrupted[1]) };
  return entry.status?.completed ? { kind: "success" } : undefined;
}

/** Fetches a finished prompt's images (in memory or into files). */
type Collect<Image> = (entry: HistoryEntry, signal: AbortSignal, promptId: string) => Promise<Image[]>;

type ImageRef = { filename: string; subfolder: string; type: string };

/** The `SaveImage` outputs of a history entry, or a SERVER error when there are none. */
function outputImages(entry: HistoryEntry): ImageRef[] {
  const refs = Object.values(entry.outputs ?? {})
    .flatMap((output) => output.images ?? [])
    .filter((ref) => ref.type === "output");
  if (!refs.length) throw new InstantIdError(ErrorCode.Server, "ComfyUI finished but saved no images; does the workflow end in SaveImage?");
  return refs;
}

function viewPath(ref: ImageRef): string {
  return `/view?${new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type })}`;
}

function viewed(http: HttpClient, ref: ImageRef): string {
  return `${ref.filename} as the ComfyUI server at ${http.baseUrl} sent it (/view)`;
}

async function downloadImages(http: HttpClient, entry: HistoryEntry, signal: AbortSignal): Promise<ComfyImage[]> {
  const images: ComfyImage[] = [];
  for (const ref of outputImages(entry)) {
    const response = await http.request({ path: viewPath(ref), signal });
    assertEncodedImage(response.body, viewed(http, ref));
    images.push({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type, data: response.body });
  }
  return images;
}

/** Rethrows a file system failure on `path` as a typed error that says what to do. */
const diskError =
  (path: string) =>
  (error: unknown): never => {
    throw fileWriteError(path, error);
  };

/**
 * Streams each image into a temp file beside its final path (and writes the info beside each, when given),
 * then renames them all as one set: when one download fails, none of the run's files appears.
 */
async function saveImageFiles(
  http: HttpClient,
  entry: HistoryEntry,
  target: { readonly out: string; readonly info?: Record<string, unknown> },
  signal: AbortSignal,
): Promise<ComfySavedImage[]> {
  const refs = outputImages(entry);
  const paths = imagePaths(target.out, refs.length);
  const files: PreparedFile[] = [];
  const saved: ComfySavedImage[] = [];
  try {
    for (const [i, ref] of refs.entries()) {
      const checkStart = (start: Uint8Array) => void assertEncodedImage(start, viewed(http, ref));
      const file = { temp: tempPathFor(paths[i]), path: paths[i] };
      files.push(file);
      const { bytes } = await http.download({ path: viewPath(ref), signal }, file.temp, { checkStart });
      saved.push({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type, path: file.path, bytes });
    }
    const info = target.info && `${JSON.stringify(target.info, null, 2)}\n`;
    if (info) for (const path of paths) files.push(await prepareFile(imageInfoPath(path), info).catch(diskError(imageInfoPath(path))));
  } catch (error) {
    await Promise.all(files.map((file) => rm(file.temp, { force: true }).catch(() => undefined)));
    throw error;
  }
  await renameTogether(files).catch((error: NodeJS.ErrnoException & { dest?: string }) => diskError(error.dest ?? target.out)(error));
  return saved;
}
