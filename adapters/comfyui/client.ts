import { randomUUID } from "node:crypto";
import { connectWebSocket, ErrorCode, HttpClient, InstantIdError, type HttpClientOptions, type ProgressListener } from "../../core/index.js";
import { assertWorkflowFits } from "./check.js";
import { executionError, interruptedError, PromptFollower, type PromptOutcome } from "./follow.js";
import type { ApiPrompt } from "./graph.js";
import { encodeMultipart } from "./multipart.js";
import type { ObjectInfo } from "./object-info.js";

/** Options of {@link createComfyClient}. */
export interface ComfyClientOptions extends Omit<HttpClientOptions, "what"> {
  /** The websocket client id (default: a random UUID). */
  readonly clientId?: string;
  /** How often to poll /history when the websocket is unavailable (default 1000 ms). */
  readonly pollMs?: number;
  /** How often to check /history even while the websocket is open, in case its events never come (default 10 000 ms). */
  readonly watchdogMs?: number;
}

/** An image ComfyUI produced: where it lives on the server, and its bytes. */
export interface ComfyImage {
  readonly filename: string;
  readonly subfolder: string;
  readonly type: string;
  readonly data: Uint8Array;
}

/** What a finished prompt produced. */
export interface ComfyResult {
  readonly promptId: string;
  readonly images: ComfyImage[];
  /** The `/history` entry, for its status and messages. */
  readonly history: Record<string, unknown>;
}

/** One `/history/<id>` entry: the outputs per node and the run status with its messages. */
export interface HistoryEntry {
  readonly outputs?: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }>;
  readonly status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
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
  /** Checks a workflow against /object_info, queues it, follows it, and downloads its images. */
  run(prompt: ApiPrompt, options?: { onProgress?: ProgressListener; signal?: AbortSignal }): Promise<ComfyResult>;
  history(promptId: string): Promise<HistoryEntry | undefined>;
  interrupt(promptId?: string): Promise<void>;
}

/** Creates a ComfyUI client. */
export function createComfyClient(options: ComfyClientOptions): ComfyClient {
  const http = new HttpClient({ ...options, what: "ComfyUI server", reachHint: "Start ComfyUI with --listen for other machines." });
  const clientId = options.clientId ?? randomUUID();
  const pollMs = options.pollMs ?? 1000;

  const history = async (promptId: string) => (await http.json<Record<string, HistoryEntry>>({ path: `/history/${encodeURIComponent(promptId)}` }))[promptId];

  /** Polls /history every `intervalMs` until the prompt ended or `stop.done` is set (then resolves undefined). */
  const pollHistory = async (promptId: string, intervalMs: number, stop: { done: boolean }, signal?: AbortSignal): Promise<PromptOutcome | undefined> => {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (stop.done) return undefined;
      const entry = await history(promptId).catch(() => undefined);
      const outcome = entry && historyOutcome(entry);
      if (outcome) return outcome;
      if (signal?.aborted && intervalMs === pollMs) return { kind: "error", error: new InstantIdError(ErrorCode.Aborted, "Generation cancelled") };
    }
  };

  /** The websocket's account of the prompt, checked against /history now and then; /history alone once the socket drops. */
  const follow = async (follower: PromptFollower | undefined, promptId: string, call: { onProgress?: ProgressListener; signal?: AbortSignal }): Promise<PromptOutcome> => {
    const stop = { done: false };
    try {
      const watched = follower
        ? await Promise.race([follower.outcome(promptId, call.onProgress), pollHistory(promptId, options.watchdogMs ?? 10_000, stop)])
        : undefined;
      return watched ?? (await pollHistory(promptId, pollMs, stop, call.signal))!;
    } finally {
      stop.done = true;
    }
  };

  const client: ComfyClient = {
    http,
    clientId,
    objectInfo: () => http.json<ObjectInfo>({ path: "/object_info" }),
    async uploadImage(data, filename) {
      const { body, contentType } = encodeMultipart({ image: { filename, contentType: "image/png", data }, type: "input", overwrite: "true" });
      const answer = await http.json<{ name: string; subfolder?: string }>({ method: "POST", path: "/upload/image", body, headers: { "content-type": contentType } });
      return answer.subfolder ? `${answer.subfolder}/${answer.name}` : answer.name;
    },
    async queue(prompt) {
      // Not retried: a request that reached the server before the connection dropped would run twice.
      const answer = await http.json<{ prompt_id: string }>({ method: "POST", path: "/prompt", json: { prompt, client_id: clientId }, retry: false });
      return answer.prompt_id;
    },
    history,
    async interrupt(promptId) {
      await http.request({ method: "POST", path: "/interrupt", json: promptId ? { prompt_id: promptId } : {} });
    },
    async run(prompt, call = {}) {
      assertWorkflowFits(prompt, await client.objectInfo(), http.baseUrl);
      const socket = await connectWebSocket(`${http.baseUrl.replace(/^http/, "ws")}/ws?clientId=${encodeURIComponent(clientId)}`, { headers: http.authHeaders(), what: "ComfyUI server" }).catch(() => undefined);
      try {
        const follower = socket && new PromptFollower(socket);
        const promptId = await client.queue(prompt);
        const onAbort = () => void client.interrupt(promptId).catch(() => undefined);
        call.signal?.addEventListener("abort", onAbort, { once: true });
        if (call.signal?.aborted) onAbort();
        try {
          const outcome = await follow(follower, promptId, call);
          if (outcome.kind === "error") throw outcome.error;
        } finally {
          call.signal?.removeEventListener("abort", onAbort);
        }
        const entry = (await history(promptId)) ?? {};
        return { promptId, images: await downloadImages(http, entry), history: entry as Record<string, unknown> };
      } finally {
        socket?.close();
      }
    },
  };
  return client;
}

function historyOutcome(entry: HistoryEntry): PromptOutcome | undefined {
  const messages = entry.status?.messages ?? [];
  const error = messages.find(([type]) => type === "execution_error");
  if (error) return { kind: "error", error: executionError(error[1]) };
  const interrupted = messages.find(([type]) => type === "execution_interrupted");
  if (interrupted) return { kind: "error", error: interruptedError(interrupted[1]) };
  return entry.status?.completed ? { kind: "success" } : undefined;
}

async function downloadImages(http: HttpClient, entry: HistoryEntry): Promise<ComfyImage[]> {
  const refs = Object.values(entry.outputs ?? {}).flatMap((output) => output.images ?? []).filter((ref) => ref.type === "output");
  if (!refs.length) throw new InstantIdError(ErrorCode.Server, "ComfyUI finished but saved no images; does the workflow end in SaveImage?");
  const images: ComfyImage[] = [];
  for (const ref of refs) {
    const query = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type });
    const response = await http.request({ path: `/view?${query}` });
    images.push({ ...ref, data: response.body });
  }
  return images;
}
