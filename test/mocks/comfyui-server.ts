import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import type { ApiPrompt } from "../../adapters/comfyui/graph.js";
import type { ObjectInfo } from "../../adapters/comfyui/object-info.js";
import { validatePrompt, serverObjectInfo } from "./comfy-validate.js";
import { readBody, sendJson, sleep, startServer, type RunningServer } from "./http-server.js";
import { pngOf } from "./image-check.js";
import { parseMultipart } from "./multipart-parse.js";
import { acceptWebSockets, type ServerSocket } from "./websocket-server.js";

const snapshot = JSON.parse(readFileSync(new URL("../../adapters/comfyui/object-info.json", import.meta.url), "utf8")) as ObjectInfo;

/** What the mock ComfyUI has and how it misbehaves. */
export interface MockComfyOptions {
  /** Model choices to report, keyed `Node.input` (e.g. `ControlNetLoader.control_net_name`). */
  readonly models?: Partial<Record<string, string[]>>;
  /** Node classes to leave out (e.g. the InstantID pack not installed). */
  readonly without?: readonly string[];
  readonly stepMs?: number;
  /** Applied to the next POST /prompt requests, in order. */
  readonly promptFailures?: "500"[];
  /** Drop the websocket after this many progress events (the client must fall back to /history). */
  readonly dropSocketAfterProgress?: number;
  /** Send no events at all on the websocket (a proxy that swallows them): only /history tells the outcome. */
  readonly silentSocket?: boolean;
  /** Pads each saved PNG by this many bytes (a private ancillary chunk): a large image without the time to encode one. */
  readonly outputPadding?: number;
  /**
   * The preview frame after each progress event (as with `--preview-method latent2rgb`): an 8×8 picture of the
   * step, JPEG in a PREVIEW_IMAGE frame (default, what clients without feature flags get), or PNG in a
   * PREVIEW_IMAGE_WITH_METADATA frame naming the prompt. A short malformed frame comes before the first.
   */
  readonly previewFrames?: "jpeg" | "png-with-metadata";
}

/** The mock plus what it saw. */
export interface MockComfy extends RunningServer {
  readonly uploads: Map<string, Buffer>;
  readonly prompts: ApiPrompt[];
  readonly counts: { interrupts: number; promptAttempts: number; sockets: number };
}

interface Job {
  readonly id: string;
  readonly prompt: ApiPrompt;
  readonly clientId: string;
  interrupted: boolean;
}

/**
 * A protocol-faithful ComfyUI on loopback: /object_info (from the repo's snapshot, with the uploaded
 * images and configured models as choices), /upload/image (multipart), /prompt validated like
 * execution.validate_prompt, a websocket sending status/execution_start/executing/progress/executed/
 * execution_success (or execution_error, execution_interrupted), /history, /view, /interrupt.
 */
export async function startMockComfy(options: MockComfyOptions = {}): Promise<MockComfy> {
  const uploads = new Map<string, Buffer>();
  const outputs = new Map<string, Buffer>();
  const history: Record<string, unknown> = {};
  const sockets = new Map<string, ServerSocket>();
  const prompts: ApiPrompt[] = [];
  const failures = [...(options.promptFailures ?? [])];
  const counts = { interrupts: 0, promptAttempts: 0, sockets: 0 };
  let current: Job | undefined;
  let counter = 0;

  const objectInfo = (): ObjectInfo => {
    const info = serverObjectInfo(snapshot, [...uploads.keys()], options.models) as Record<string, unknown>;
    for (const name of options.without ?? []) delete info[name];
    return info as ObjectInfo;
  };

  const send = (job: Job, type: string, data: Record<string, unknown>) =>
    !options.silentSocket && sockets.get(job.clientId)?.sendText(JSON.stringify({ type, data: { ...data, prompt_id: job.id } }));

  // server.py: [4: event type][4: format 1 JPEG / 2 PNG][image], or [4: type 4][4: metadata length][metadata JSON][image].
  const previewFrame = async (job: Job, step: number): Promise<Buffer> => {
    const picture = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: (step * 37) % 256, g: 90, b: 200 } } });
    const word = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    if (options.previewFrames !== "png-with-metadata") return Buffer.concat([word(1), word(1), await picture.jpeg().toBuffer()]);
    const metadata = Buffer.from(JSON.stringify({ node_id: "3", prompt_id: job.id, image_type: "image/png" }));
    return Buffer.concat([word(4), word(metadata.length), metadata, await picture.png().toBuffer()]);
  };

  const execute = async (job: Job) => {
    current = job;
    const messages: [string, Record<string, unknown>][] = [];
    const record = (type: string, data: Record<string, unknown>) => {
      messages.push([type, { ...data, prompt_id: job.id }]);
      send(job, type, data);
    };
    const nodeOutputs: Record<string, unknown> = {};
    const finish = (status: string) => {
      history[job.id] = {
        prompt: [counter, job.id, job.prompt, { client_id: job.clientId }, []],
        outputs: nodeOutputs,
        status: { status_str: status, completed: status === "success", messages },
        meta: {},
      };
      current = undefined;
    };
    record("execution_start", { timestamp: Date.now() });
    record("execution_cached", { nodes: [], timestamp: Date.now() });
    let progressSent = 0;
    for (const [id, node] of Object.entries(job.prompt)) {
      send(job, "executing", { node: id, display_node: id });
      if (node.class_type.startsWith("ApplyInstantID")) {
        const image = job.prompt[(node.inputs.image as [string, number])[0]].inputs.image as string;
        const stats = await sharp(uploads.get(image)!).stats();
        if (stats.channels.every((c) => c.stdev === 0)) {
          record("execution_error", {
            node_id: id,
            node_type: node.class_type,
            executed: [],
            exception_message: "Reference Image: No face detected.",
            exception_type: "Exception",
            traceback: [],
            current_inputs: {},
            current_outputs: {},
          });
          return finish("error");
        }
      }
      if (node.class_type === "KSampler") {
        const steps = node.inputs.steps as number;
        for (let step = 1; step <= steps; step++) {
          await sleep(options.stepMs ?? 0);
          if (job.interrupted) {
            record("execution_interrupted", { node_id: id, node_type: node.class_type, executed: [] });
            return finish("error");
          }
          send(job, "progress", { value: step, max: steps, node: id });
          if (step === 1) sockets.get(job.clientId)?.sendBinary(Buffer.from([0, 0, 0, 1, 0xff, 0xd8])); // too short to hold a preview
          sockets.get(job.clientId)?.sendBinary(await previewFrame(job, step));
          if (++progressSent === options.dropSocketAfterProgress) sockets.get(job.clientId)?.drop();
        }
      }
      if (node.class_type === "SaveImage") {
        const latent = Object.values(job.prompt).find((n) => n.class_type === "EmptyLatentImage");
        const filename = `${node.inputs.filename_prefix}_${String(++counter).padStart(5, "0")}_.png`;
        const png = await pngOf((latent?.inputs.width as number) ?? 64, (latent?.inputs.height as number) ?? 64);
        outputs.set(filename, options.outputPadding ? paddedPng(png, options.outputPadding) : png);
        const output = { images: [{ filename, subfolder: "", type: "output" }] };
        nodeOutputs[id] = output;
        send(job, "executed", { node: id, display_node: id, output });
      }
    }
    send(job, "executing", { node: null });
    record("execution_success", { timestamp: Date.now() });
    finish("success");
  };

  const running = await startServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://loopback");
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /object_info") return sendJson(response, 200, objectInfo());
    if (route === "POST /upload/image") {
      try {
        const parts = parseMultipart(await readBody(request), request.headers["content-type"]);
        const image = parts.find((p) => p.name === "image" && p.filename);
        if (!image) return void response.writeHead(400).end();
        await sharp(image.data).metadata();
        uploads.set(image.filename!, image.data);
        return sendJson(response, 200, { name: image.filename, subfolder: "", type: "input" });
      } catch (error) {
        return sendJson(response, 400, { error: (error as Error).message });
      }
    }
    if (route === "POST /prompt") {
      counts.promptAttempts++;
      const body = JSON.parse((await readBody(request)).toString("utf8")) as { prompt: ApiPrompt; client_id?: string };
      if (failures.shift() === "500")
        return sendJson(response, 500, {
          error: { type: "server_error", message: "Internal Server Error", details: "", extra_info: {} },
          node_errors: {},
        });
      const failure = validatePrompt(body.prompt, objectInfo());
      if (failure) return sendJson(response, 400, failure);
      const job: Job = { id: randomUUID(), prompt: body.prompt, clientId: body.client_id ?? "", interrupted: false };
      prompts.push(body.prompt);
      sendJson(response, 200, { prompt_id: job.id, number: prompts.length, node_errors: {} });
      void execute(job);
      return;
    }
    if (route === "POST /interrupt") {
      counts.interrupts++;
      await readBody(request);
      if (current) current.interrupted = true;
      return void response.writeHead(200).end();
    }
    if (request.method === "GET" && url.pathname.startsWith("/history/")) {
      const id = decodeURIComponent(url.pathname.slice("/history/".length));
      return sendJson(response, 200, history[id] ? { [id]: history[id] } : {});
    }
    if (route === "GET /view") {
      const file =
        url.searchParams.get("type") === "input"
          ? uploads.get(url.searchParams.get("filename") ?? "")
          : outputs.get(url.searchParams.get("filename") ?? "");
      if (!file) return void response.writeHead(404).end("404: Not Found");
      response.writeHead(200, { "content-type": "image/png" });
      return void response.end(file);
    }
    sendJson(response, 404, { error: "not found" });
  });
  acceptWebSockets(
    running.server,
    (request) => request.url?.startsWith("/ws") ?? false,
    (socket) => {
      counts.sockets++;
      const clientId = socket.url.searchParams.get("clientId") ?? randomUUID();
      sockets.set(clientId, socket);
      socket.sendText(JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: 0 } }, sid: clientId } }));
    },
  );
  return { ...running, uploads, prompts, counts };
}

/** `png` with a private ancillary chunk of `bytes` zero bytes before its IEND: still a valid PNG, now large. */
function paddedPng(png: Buffer, bytes: number): Buffer {
  const type = Buffer.from("inSt"); // ancillary (i), private (n), reserved (S), safe to copy (t)
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes);
  const data = Buffer.alloc(bytes);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(type)));
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), header, type, data, crc, png.subarray(iend)]);
}
