import { ErrorCode, InstantIdError, type ProgressListener } from "../../core/index.js";
import { parseAnswer, type WebSocketConnection } from "../net/index.js";
import { progressData, wsEvent } from "./answers.js";

/** How a queued prompt ended, as the websocket or /history told it. */
export type PromptOutcome = { readonly kind: "success" } | { readonly kind: "error"; readonly error: InstantIdError };

interface WsEvent {
  readonly type: string;
  readonly data?: Record<string, unknown> | null;
}

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
 * node null), `execution_error` and `execution_interrupted` end it. Binary frames (previews) are skipped.
 */
export class PromptFollower {
  private readonly events: WsEvent[] = [];
  private wake: (() => void) | undefined;
  private dropped = false;

  constructor(socket: WebSocketConnection) {
    socket.onMessage((message) => {
      if (message.kind !== "text") return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.text);
      } catch {
        return; // not JSON: not an event we follow
      }
      const event = wsEvent.safeParse(parsed);
      if (!event.success) return; // `null`, a list...: not an event; /history still tells the outcome
      this.events.push(event.data);
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
      while (index < this.events.length) {
        const outcome = this.handle(this.events[index++], promptId, onProgress);
        if (outcome) return outcome;
      }
      if (this.dropped) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private handle(event: WsEvent, promptId: string, onProgress?: ProgressListener): PromptOutcome | undefined {
    const data = event.data ?? {};
    if (data.prompt_id !== promptId) return undefined;
    if (event.type === "progress") {
      const progress = parseAnswer(progressData, data, "ComfyUI's progress event");
      onProgress?.({ stage: "sampling", completed: progress.value, total: progress.max });
    }
    if (event.type === "execution_success" || (event.type === "executing" && data.node === null)) return { kind: "success" };
    if (event.type === "execution_error") return { kind: "error", error: executionError(data) };
    if (event.type === "execution_interrupted") return { kind: "error", error: interruptedError(data) };
    return undefined;
  }
}
