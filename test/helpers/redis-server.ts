import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// No vitest import: the benchmarks (bundled into dist/bench.js) start Redis with this too.

/** A Redis server for tests and benchmarks, and how to stop it (a no-op for a server given by env). */
export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** The server CI (`.ci/run`) or the developer started, by URL. */
export const givenRedisUrl = process.env.INSTANTID_REDIS_URL;

/** The redis-server executable on PATH, or undefined. */
export function redisServerCommand(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined;
}

/** Why no Redis can be had here, or undefined when one can. */
export function redisUnavailableReason(): string | undefined {
  if (givenRedisUrl || redisServerCommand()) return undefined;
  return "no INSTANTID_REDIS_URL and no redis-server on PATH (apt-get install redis-server)";
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something answers PING on the port with +PONG. */
async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const pong = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
    });
    if (pong) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not answer on 127.0.0.1:${port}`);
}

/**
 * The Redis given by INSTANTID_REDIS_URL, or a private redis-server on a free loopback port with its
 * files in a temp folder (no persistence), stopped by `stop()`.
 */
export async function startRedis(): Promise<TestRedis> {
  if (givenRedisUrl) return { url: givenRedisUrl, stop: async () => undefined };
  const command = redisServerCommand();
  if (!command) throw new Error(redisUnavailableReason());
  const dir = await mkdtemp(join(tmpdir(), "instantid-redis-"));
  const port = await freePort();
  const child = spawn(
    command,
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: "ignore" },
  );
  try {
    await waitForPong(port, child);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
