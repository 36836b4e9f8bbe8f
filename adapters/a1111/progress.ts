import type { ProgressListener, ProgressPreview } from "../../core/index.js";
import { delay, previewFromEncoded } from "../../core/internal.js";
import type { HttpClient } from "../net/index.js";
import { progressAnswer } from "./answers.js";

/** What to poll: how often, and whether to ask for the server's live preview. */
export interface ProgressPolling {
  readonly intervalMs: number;
  /** Ask for `current_image` (the server makes one only with live previews on in its settings). */
  readonly previews?: boolean;
}

/** A base64 image as A1111 sends it (bare, or now and then as a data URL), decoded to a preview. */
async function decodePreview(base64: string): Promise<ProgressPreview | undefined> {
  return previewFromEncoded(new Uint8Array(Buffer.from(base64.replace(/^data:[^,]*,/, ""), "base64")));
}

/**
 * Polls `/sdapi/v1/progress` every `intervalMs` (a number is the interval alone) and reports sampling steps until stopped; with `previews`,
 * each new `current_image` comes along as the event's preview (the same image twice is sent once).
 * Polling failures (a busy server, an answer of another shape) are ignored: progress is a courtesy,
 * the generation request carries the outcome. Stopping clears the pending wait.
 */
export function pollProgress(http: HttpClient, listener: ProgressListener, polling: number | ProgressPolling): () => void {
  const { intervalMs, previews = false } = typeof polling === "number" ? { intervalMs: polling } : polling;
  const stopped = new AbortController();
  let last = -1;
  let lastImage: string | undefined;
  const tick = async () => {
    while (!stopped.signal.aborted) {
      try {
        await delay(intervalMs, stopped.signal);
        const answer = await http.answer(
          {
            // Asking for the image also makes A1111 render a fresh one (when live previews are on): skip it unless wanted.
            path: `/sdapi/v1/progress?skip_current_image=${previews ? "false" : "true"}`,
            retry: false,
            timeoutMs: Math.max(2000, intervalMs * 4),
            signal: stopped.signal,
          },
          progressAnswer,
        );
        const total = answer.state?.sampling_steps ?? 0;
        const step = answer.state?.sampling_step ?? 0;
        const image = previews && answer.current_image ? answer.current_image : undefined;
        const newImage = image !== undefined && image !== lastImage;
        if (total <= 0 || (step === last && !newImage)) continue;
        last = step;
        if (newImage) lastImage = image;
        const preview = newImage ? await decodePreview(image) : undefined;
        if (!stopped.signal.aborted) listener({ stage: "sampling", completed: step, total, ...(preview && { preview }) });
      } catch {
        // The server may be too busy to answer; the next tick tries again (or polling was stopped).
      }
    }
  };
  void tick();
  return () => stopped.abort();
}
