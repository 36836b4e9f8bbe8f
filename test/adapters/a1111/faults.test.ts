import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildGenerationRequest, createA1111Client, type A1111ClientOptions, type IdentitySpec } from "../../../adapters/a1111/index.js";
import { startMockA1111, type MockA1111 } from "../../mocks/a1111-server.js";
import { startFaultProxy, type FaultProxy, type FaultRules } from "../../mocks/fault-proxy.js";
import { pngOf, texturedPng } from "../../mocks/image-check.js";
import { tempDir } from "../../helpers/shared.js";
import { failure } from "../../helpers/failure.js";

/** The standing fault suite of the A1111 bridge: the mock server behind the fault proxy, loopback only. */
let mock: MockA1111 | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await proxy?.close();
  await mock?.close();
  proxy = mock = undefined;
});

async function behindFaults(rules: FaultRules, options: Partial<A1111ClientOptions> = {}) {
  mock = await startMockA1111();
  proxy = await startFaultProxy(mock.url, rules);
  return { mock, proxy, client: createA1111Client({ baseUrl: proxy.url, backoffMs: 1, pollMs: 5, ...options }) };
}

async function request(client: ReturnType<typeof createA1111Client>) {
  const identity: IdentitySpec = {
    face: { photo: await texturedPng() },
    adapterScale: 0.8,
    identityNetScale: 0.8,
    guidanceStart: 0,
    guidanceEnd: 1,
  };
  return buildGenerationRequest({ prompt: "a portrait", width: 512, height: 512, steps: 4, seed: 7 }, [identity], await client.detect());
}

const onTxt2img = (fault: ReturnType<NonNullable<FaultRules["http"]>>): FaultRules => ({
  http: (method, path) => (method === "POST" && path === "/sdapi/v1/txt2img" ? fault : undefined),
});

describe("A1111 bridge under faults", () => {
  it("reports images: [null] as the server's wrong answer, quoting it", async () => {
    const { client } = await behindFaults(onTxt2img({ kind: "json", text: '{"images": [null], "parameters": {}, "info": "{}"}' }));
    const error = await failure(client.generate(await request(client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("images.0");
    expect(error.message).toContain("[null]");
  });

  it("reports module_list: null during detection as a wrong answer", async () => {
    const { client } = await behindFaults({
      http: (_, path) => (path === "/controlnet/module_list" ? { kind: "json", text: '{"module_list": null}' } : undefined),
    });
    const error = await failure(client.detect());
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("module_list");
  });

  it("sends txt2img once when the reply is lost after the server ran it, and says so", async () => {
    const { client, mock } = await behindFaults(onTxt2img({ kind: "drop-after-request" }));
    const error = await failure(client.generate(await request(client)));
    expect(error.code).toBe("NETWORK");
    expect(error.message).toContain("may already have run it");
    expect(mock.counts.generationAttempts).toBe(1);
  });

  it("reports a 500 whose body is not JSON as the server's error, not a network failure", async () => {
    const { client, mock } = await behindFaults(onTxt2img({ kind: "status", status: 500, body: "{Traceback (most recent" }));
    const error = await failure(client.generate(await request(client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("HTTP 500: {Traceback (most recent");
    expect(mock.counts.generationAttempts).toBe(0);
  });

  it("refuses an oversized answer as it streams in", async () => {
    const { client } = await behindFaults(onTxt2img({ kind: "oversized", bytes: 3 * 1024 * 1024 }), { maxResponseBytes: 1024 * 1024 });
    const error = await failure(client.generate(await request(client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("more than 1048576 bytes");
  });

  it("refuses a payload that is not an image instead of saving it as out.png", async () => {
    const html = Buffer.from("<html><body>Internal Server Error</body></html>").toString("base64");
    const { client } = await behindFaults(
      onTxt2img({ kind: "json", text: JSON.stringify({ images: [html], parameters: {}, info: "{}" }) }),
    );
    const error = await failure(client.generate(await request(client)));
    expect(error.code).toBe("SERVER");
    expect(error.message).toContain("is not an image");
    expect(error.message).toContain("<html>");
  });

  it("retries a GET whose answer is cut mid-body or answered 503, and detection succeeds", async () => {
    const { client, proxy } = await behindFaults({
      http: (_, path, seen) =>
        path.startsWith("/controlnet/model_list") && seen === 1
          ? { kind: "drop-mid-body" }
          : path === "/controlnet/module_list" && seen === 1
            ? { kind: "status", status: 503 }
            : undefined,
    });
    expect((await client.detect()).flavour).toBe("a1111");
    expect(proxy.seen.get("GET /controlnet/model_list")).toBe(2);
    expect(proxy.seen.get("GET /controlnet/module_list")).toBe(2);
  });

  it("bounds detection by the timeout it is given when the server stays silent (fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { client } = await behindFaults(
      { http: (_, path) => (path === "/controlnet/module_list" ? { kind: "silence" } : undefined) },
      { generationTimeoutMs: 5000 },
    );
    const pending = failure(client.detect());
    for (let i = 0; i < 200 && !(await Promise.race([pending.then(() => true), Promise.resolve(false)])); i++)
      await vi.advanceTimersByTimeAsync(50);
    const error = await pending;
    expect(error.code).toBe("NETWORK");
    expect(error.message).toMatch(/within 5 s|after 5 s/);
  });

  describe("streaming the images to files leaves nothing behind", () => {
    const answerWith = async (images: unknown[], info: unknown = '{"all_seeds": [1]}') =>
      onTxt2img({ kind: "json", text: JSON.stringify({ images, parameters: {}, info }) });
    const png = async () => (await pngOf(8, 8)).toString("base64");

    it.each([
      [
        "the connection drops mid-answer",
        async (): Promise<FaultRules> => onTxt2img({ kind: "drop-mid-body" }),
        "NETWORK",
        /dropped while its answer was read/,
      ],
      [
        "the answer is cut off inside an image",
        async () => onTxt2img({ kind: "json", text: `{"images": ["${await png()}`.slice(0, 60) }),
        "SERVER",
        /is not valid JSON/,
      ],
      ["an image is not base64", async () => answerWith([`${await png()}`.replace("A", "*")]), "SERVER", /is not base64/],
      ["an image is a web page", async () => answerWith([Buffer.from("<html>502</html>").toString("base64")]), "SERVER", /is not an image/],
      ["an image is not a string", async () => answerWith([await png(), 7]), "SERVER", /images\.1/],
      ["the info after good images is of the wrong shape", async () => answerWith([await png(), await png()], 5), "SERVER", /info/],
      [
        "the answer passes the size cap",
        async () => onTxt2img({ kind: "oversized", bytes: 3 * 1024 * 1024 }),
        "SERVER",
        /more than 1048576 bytes/,
      ],
    ])("when %s", async (_, rules, code, message) => {
      const { client } = await behindFaults(await rules(), { maxResponseBytes: 1024 * 1024 });
      const dir = await tempDir();
      const error = await failure(client.generateToFiles(await request(client), join(dir, "out.png")));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(await readdir(dir)).toEqual([]);
    });

    it("refuses an answer of more than 1024 images before writing a file for each", async () => {
      const tiny = await png();
      const { client } = await behindFaults(await answerWith(Array.from({ length: 1025 }, () => tiny)));
      const dir = await tempDir();
      const error = await failure(client.generateToFiles(await request(client), join(dir, "out.png")));
      expect(error.code).toBe("SERVER");
      expect(error.message).toContain("holds more than 1024 images");
      expect(await readdir(dir)).toEqual([]);
    });

    it("ignores what follows the generated images, as before: an empty or non-image detected map fails nothing", async () => {
      const { client } = await behindFaults(await answerWith([await png(), "", "bad*base64", Buffer.from("<html>").toString("base64")]));
      const dir = await tempDir();
      expect((await client.generateToFiles(await request(client), join(dir, "out.png"))).images).toHaveLength(1);
      expect((await readdir(dir)).sort()).toEqual(["out.json", "out.png"]);
      expect((await client.generate(await request(client))).images).toHaveLength(1);
    });

    it("keeps only the images all_seeds counts, once the whole answer is read (the detected map after them goes)", async () => {
      const { client } = await behindFaults(await answerWith([await png(), await png(), await png()], '{"all_seeds": [1, 2]}'));
      const dir = await tempDir();
      const result = await client.generateToFiles(await request(client), join(dir, "out.png"));
      expect(result.images.map((image) => image.path)).toEqual([join(dir, "out-1.png"), join(dir, "out-2.png")]);
      expect((await readdir(dir)).sort()).toEqual(["out-1.json", "out-1.png", "out-2.json", "out-2.png"]);
    });
  });
});
