import { describe, it } from "vitest";
import { redisUnavailableReason } from "./redis-server.js";

/**
 * A describe block that runs only when a real Redis can be had (INSTANTID_REDIS_URL, or redis-server
 * on PATH for a private one), and otherwise is skipped with a message saying what is missing.
 */
export function describeRedis(name: string, body: () => void): void {
  const reason = redisUnavailableReason();
  if (!reason) {
    describe(name, body);
    return;
  }
  console.warn(`[skip] ${name}: ${reason}`);
  describe(name, () => {
    it.skip(`needs Redis: ${reason}`, () => undefined);
  });
}
