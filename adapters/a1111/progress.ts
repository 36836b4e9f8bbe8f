import type { HttpClient, ProgressListener } from "../../core/index.js";

interface ProgressAnswer {
  readonly progress: number;
  readonly state?: { readonly sampling_step?: number; readonly sampling_steps?: number; readonly interrupted?: boolean; readonly job?: string };
}

/**
 * Polls `/sdapi/v1/progress` every `intervalMs` and reports sampling steps until stopped.
 * Polling failures are ignored: progress is a courtesy, the generation request carries the outcome.
 */
export function pollProgress(http: HttpClient, listener: ProgressListener, intervalMs: number): () => void {
  let stopped = false;
  let last = -1;
  const tick = async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (stopped) break;
      try {
        const answer = await http.json<ProgressAnswer>({ path: "/sdapi/v1/progress?skip_current_image=true", retry: false, timeoutMs: Math.max(2000, intervalMs * 4) });
        const total = answer.state?.sampling_steps ?? 0;
        const step = answer.state?.sampling_step ?? 0;
        if (!stopped && total > 0 && step !== last) {
          last = step;
          listener({ stage: "sampling", completed: step, total });
        }
      } catch {
        // The server may be too busy to answer; the next tick tries again.
      }
    }
  };
  void tick();
  return () => {
    stopped = true;
  };
}
