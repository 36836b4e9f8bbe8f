import { ErrorCode, InstantIdError, type ProgressListener } from "../../core/index.js";
import { previewFromEncoded } from "../../core/internal.js";
import { parseAnswer, type WebSocketConnection } from "../net/index.js";
import { progressData, wsEvent } from "./answers.js";
import { parsePreviewFrame, type PreviewFrame } from "./preview-frame.js";

/** How a queued prompt ended, as the websocket or /history told it. */
export type PromptOutcome = { readonly kind: "success" } | { readonly kind: "error"; readonly error: InstantIdError };

interface WsEvent {
  readonly type: string;
  readonly data?: Record<string, unknown> | null;
}

/** What arrived on the websocket, in order: a JSON event, or a binary preview frame. */
type Received = { readonly event: WsEvent } | { readonly frame: PreviewFrame };

/** Turns an `execution_error` payload into a typed error carrying the server's own message. */
export function executionError(data: Record<string, unknown>): InstantIdError {
  const where = `${data.node_type ?? "?"} (node ${data.node_id ?? "?"})`;
  const message = String(data.exception_message ?? "unknown error").trim();
  const code = /no face/i.test(message) ? ErrorCode.NoFace : ErrorCode.Server;
  return new InstantIdError(code, `ComfyUI failed in ${where}: ${data.exception_type ? `${data.exception_type}: ` : ""}${message}`, {
    details: { ...data },
  });
}

/** The error for an `execution_interrupted` event. */
export function interruptedError(data: Record<string, unknown>): InstantIdError {
  return new InstantIdError(ErrorCode.Aborted, `ComfyUI interrupted the prompt in ${data.node_type ?? "?"} (node ${data.node_id ?? "?"})`);
}

/**
 * Buffers the websocket's JSON events from the moment it opens (so none are lost while `/prompt`
 * answers) and follows one prompt: `progress` is reported; `execution_success` (or `executing` with
 * node null), `execution_error` and `execution_interrupted` end it. With `previews`, binary preview frames
 * are passed on as the progress events' `preview` (a frame without a prompt id belongs to the prompt the
 * events before it were about); without, they are skipped.
 */
export class PromptFollower {
  private readonly received: Received[] = [];
  private wake: (() => void) | undefined;
  private dropped = false;
  /** The prompt the latest event named, and its latest step count. */
  private current: { promptId?: string; completed: number; total: number } = { completed: 0, total: 0 };

  constructor(socket: WebSocketConnection, options: { readonly previews?: boolean } = {}) {
    socket.onMessage((message) => {
      if (message.kind === "binary") {
        const frame = options.previews ? parsePreviewFrame(message.data) : undefined;
        if (frame) this.received.push({ frame });
        this.wake?.();
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.text);
      } catch {
        return; // not JSON: not an event we follow
      }
      const event = wsEvent.safeParse(parsed);
      if (!event.success) return; // `null`, a list...: not an event; /history still tells the outcome
      this.received.push({ event: event.data });
      this.wake?.();
    });
    void socket.closed.then(() => {
      this.dropped = true;
      this.wake?.();
    });
  }

  /** Waits for the prompt's end; `undefined` when the socket dropped first (fall back to /history). */
  async outcome(promptId: string, onProgress?: ProgressListener): Promise<PromptOutcome | undefined> {
    for (let index = 0; ; ) {
      while (index < this.received.length) {
        const item = this.received[index++];
        if ("frame" in item) await this.passPreview(item.frame, promptId, onProgress);
        else {
          const outcome = this.handle(item.event, promptId, onProgress);
          if (outcome) return outcome;
        }
      }
      if (this.dropped) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * A preview of this prompt goes out with the prompt's latest step count; one that comes while another
   * prompt runs, names another prompt, or cannot be read is dropped.
   */
  private async passPreview(frame: PreviewFrame, promptId: string, onProgress?: ProgressListener): Promise<void> {
    const { completed, total } = this.current;
    if (!onProgress || this.current.promptId !== promptId || (frame.promptId ?? promptId) !== promptId) return;
    const preview = await previewFromEncoded(frame.image);
    if (preview) onProgress({ stage: "sampling", completed, total, preview });
  }

  private handle(event: WsEvent, promptId: string, onProgress?: ProgressListener): PromptOutcome | undefined {
    const data = event.data ?? {};
    if (typeof data.prompt_id === "string" && data.prompt_id !== this.current.promptId)
      this.current = { promptId: data.prompt_id, completed: 0, total: 0 };
    if (data.prompt_id !== promptId) return undefined;
    if (event.type === "progress") {
      const progress = parseAnswer(progressData, data, "ComfyUI's progress event");
      this.current = { promptId, completed: progress.value, total: progress.max };
      onProgress?.({ stage: "sampling", completed: progress.value, total: progress.max });
    }
    if (event.type === "execution_success" || (event.type === "executing" && data.node === null)) return { kind: "success" };
    if (event.type === "execution_error") return { kind: "error", error: executionError(data) };
    if (event.type === "execution_interrupted") return { kind: "error", error: interruptedError(data) };
    return undefined;
  }
}
