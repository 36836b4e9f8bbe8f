/** An abort signal fired by Ctrl-C while `work` runs, so the server is told to stop; the handler is removed afterwards. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
