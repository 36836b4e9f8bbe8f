import type { ProgressListener } from "../../core/index.js";
import { delay } from "../../core/internal.js";
import type { HttpClient } from "../net/index.js";
import { progressAnswer } from "./answers.js";

/**
 * Polls `/sdapi/v1/progress` every `intervalMs` and reports sampling steps until stopped.
 * Polling failures (a busy server, an answer of another shape) are ignored: progress is a courtesy,
 * the generation request carries the outcome. Stopping clears the pending wait.
 */
export function pollProgress(http: HttpClient, listener: ProgressListener, intervalMs: number): () => void {
  const stopped = new AbortController();
  let last = -1;
  const tick = async () => {
    while (!stopped.signal.aborted) {
      try {
        await delay(intervalMs, stopped.signal);
        const answer = await http.answer(
          {
            path: "/sdapi/v1/progress?skip_current_image=true",
            retry: false,
            timeoutMs: Math.max(2000, intervalMs * 4),
            signal: stopped.signal,
          },
          progressAnswer,
        );
        const total = answer.state?.sampling_steps ?? 0;
        const step = answer.state?.sampling_step ?? 0;
        if (!stopped.signal.aborted && total > 0 && step !== last) {
          last = step;
          listener({ stage: "sampling", completed: step, total });
        }
      } catch {
        // The server may be too busy to answer; the next tick tries again (or polling was stopped).
      }
    }
  };
  void tick();
  return () => stopped.abort();
}
