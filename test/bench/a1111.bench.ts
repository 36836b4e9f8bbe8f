import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer } from "../mocks/http-server.js";
import type { Benchmark, BenchResult } from "./benchmark.js";

const run = promisify(execFile);

/** The answer: four 40 MiB images (a PNG signature, then a fixed pattern), base64 inside JSON as A1111 sends them. */
const IMAGES = 4;
const IMAGE_BYTES = 40 * 2 ** 20;
/** A block whose base64 has no padding (a multiple of 3 bytes), so blocks encode one after another. */
const BLOCK = Buffer.from(Array.from({ length: 3 * 16_384 }, (_, i) => (i * 7919) % 251));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

/** Streams the answer without holding it: the server's memory stays out of the client's figures either way. */
async function sendAnswer(response: ServerResponse): Promise<void> {
  response.writeHead(200, { "content-type": "application/json" });
  const write = (text: string) => (response.write(text) ? undefined : new Promise((resolve) => response.once("drain", resolve)));
  await write('{"images": [');
  const blocks = Math.floor((IMAGE_BYTES - PNG_SIGNATURE.length) / BLOCK.length);
  for (let image = 0; image < IMAGES; image++) {
    await write(`${image ? ", " : ""}"${PNG_SIGNATURE.toString("base64")}`);
    for (let i = 0; i < blocks; i++) await write(BLOCK.toString("base64"));
    await write('"');
  }
  const seeds = Array.from({ length: IMAGES }, (_, i) => i + 1);
  response.end(`], "parameters": {}, "info": ${JSON.stringify(JSON.stringify({ all_seeds: seeds }))}}`);
}

interface Read {
  readonly ms: number;
  readonly rssMb: number;
}

/** The three ways a client can read the answer, each run in a fresh process that reports its time and peak RSS. */
const WAYS = {
  /** What the bridge did before: the whole answer read, then JSON.parse, then each image decoded. */
  whole: `const raw = await c.http.json({ method: "POST", path: "/sdapi/v1/txt2img", json: {} });
          const images = raw.images.map((b) => Buffer.from(b, "base64")); n = images.length;`,
  memory: "const r = await c.generate({}); n = r.images.length;",
  files: "const r = await c.generateToFiles({}, OUT); n = r.images.length;",
  idle: "",
} as const;

async function read(way: keyof typeof WAYS, url: string, out: string): Promise<Read> {
  const a1111 = fileURLToPath(new URL("./a1111.js", import.meta.url));
  const script =
    `const m = await import(${JSON.stringify(a1111)}); const OUT = ${JSON.stringify(out)}; let n = 0;` +
    `const c = m.createA1111Client({ baseUrl: ${JSON.stringify(url)}, maxResponseBytes: 2 ** 30 });` +
    `const t = performance.now(); ${WAYS[way]} const ms = performance.now() - t;` +
    `console.log(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, n }));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Read;
}

const best = (reads: Read[]): Read => ({ ms: Math.min(...reads.map((r) => r.ms)), rssMb: Math.min(...reads.map((r) => r.rssMb)) });

/**
 * Reading a large A1111 answer (four 40 MiB images, 213 MB of JSON): peak memory above an idle client, and
 * time, for the answer streamed into files and into memory, against reading it whole and parsing it with
 * JSON.parse (what the bridge did before), measured in the same run, best of 3, interleaved.
 */
export const a1111Benchmark: Benchmark = {
  name: "a1111 answer",
  available: () => true,
  async run() {
    const server = await startServer((_, response) => sendAnswer(response));
    const dir = await mkdtemp(join(tmpdir(), "instantid-bench-a1111-"));
    try {
      const reads: Record<keyof typeof WAYS, Read[]> = { whole: [], memory: [], files: [], idle: [] };
      for (let round = 0; round < 3; round++) {
        for (const way of Object.keys(WAYS) as (keyof typeof WAYS)[]) reads[way].push(await read(way, server.url, join(dir, "out.png")));
      }
      const [whole, memory, files, idle] = [best(reads.whole), best(reads.memory), best(reads.files), best(reads.idle)];
      const answerMb = (IMAGES * IMAGE_BYTES * 4) / 3 / 2 ** 20;
      const above = (r: Read) => r.rssMb - idle.rssMb;
      const rows: BenchResult[] = [
        {
          name: `a1111 answer: ${answerMb.toFixed(0)} MiB streamed into files (peak RSS above an idle client)`,
          value: above(files),
          unit: "MiB",
          baselineName: "whole answer read and JSON.parse'd, same run",
          baseline: above(whole),
          goal: "ratio <= 0.1",
          met: above(files) <= 0.1 * above(whole),
        },
        {
          name: `a1111 answer: ${answerMb.toFixed(0)} MiB streamed into memory (peak RSS above an idle client)`,
          value: above(memory),
          unit: "MiB",
          baselineName: "whole answer read and JSON.parse'd, same run",
          baseline: above(whole),
          goal: "ratio <= 1.0",
          met: above(memory) <= above(whole),
        },
        {
          name: `a1111 answer: ${answerMb.toFixed(0)} MiB streamed into files (time)`,
          value: files.ms,
          unit: "ms",
          baselineName: "whole answer read and JSON.parse'd, same run",
          baseline: whole.ms,
          goal: "ratio <= 2.0",
          met: files.ms <= 2 * whole.ms,
        },
      ];
      return rows;
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
