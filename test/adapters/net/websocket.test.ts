import { afterEach, describe, expect, it, vi } from "vitest";
import { InstantIdError } from "../../../core/index.js";
import { connectWebSocket, DEFAULT_MAX_MESSAGE_BYTES, type WebSocketMessage } from "../../../adapters/net/index.js";
import { sendJson, startServer, type RunningServer } from "../../mocks/http-server.js";
import { acceptWebSockets, type ServerSocket } from "../../mocks/websocket-server.js";
import { startFaultProxy, type FaultProxy } from "../../mocks/fault-proxy.js";

let running: RunningServer | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await running?.close();
  running = undefined;
  proxy = undefined;
});

async function serve(): Promise<{ url: string; opened: Promise<ServerSocket> }> {
  running = await startServer((_, response) => sendJson(response, 404, { detail: "Not Found" }));
  let resolve!: (socket: ServerSocket) => void;
  const opened = new Promise<ServerSocket>((r) => (resolve = r));
  acceptWebSockets(running.server, (request) => request.url?.startsWith("/ws") ?? false, resolve);
  return { url: running.url.replace("http", "ws"), opened };
}

/** Timers (setTimeout) holding the event loop open. */
const liveTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

function nextMessage(messages: WebSocketMessage[], count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => messages.length >= count && (clearInterval(check), resolve()), 2);
  });
}

describe("connectWebSocket", () => {
  it("exchanges text, binary and fragmented messages with masked client frames", async () => {
    const { url, opened } = await serve();
    const connection = await connectWebSocket(`${url}/ws?clientId=abc`);
    const server = await opened;
    expect(server.url.searchParams.get("clientId")).toBe("abc");
    const messages: WebSocketMessage[] = [];
    connection.onMessage((m) => messages.push(m));
    server.sendText('{"type":"status"}');
    server.sendBinary(new Uint8Array([0, 0, 0, 1, 9]));
    server.sendFragmented("x".repeat(1000), 3);
    await nextMessage(messages, 3);
    expect(messages[0]).toEqual({ kind: "text", text: '{"type":"status"}' });
    expect(messages[1].kind).toBe("binary");
    expect(messages[2]).toEqual({ kind: "text", text: "x".repeat(1000) });
    connection.send("hi");
    connection.close();
    expect(await server.clientClosed).toBe(1000);
    expect(server.received).toEqual(["hi"]);
  });

  it("stays open when quiet for longer than the handshake timeout (fake timers: the handshake cannot run out)", async () => {
    const { url, opened } = await serve();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let connection: Awaited<ReturnType<typeof connectWebSocket>>;
    try {
      connection = await connectWebSocket(`${url}/ws`, { timeoutMs: 50 });
      await vi.advanceTimersByTimeAsync(250);
    } finally {
      vi.useRealTimers();
    }
    const server = await opened;
    const messages: WebSocketMessage[] = [];
    connection.onMessage((m) => messages.push(m));
    server.sendText("still here");
    await nextMessage(messages, 1);
    expect(messages[0]).toEqual({ kind: "text", text: "still here" });
    connection.close();
  });

  it("answers pings with pongs", async () => {
    const { url, opened } = await serve();
    const connection = await connectWebSocket(`${url}/ws`);
    const server = await opened;
    server.ping("beat");
    await new Promise((r) => setTimeout(r, 30));
    expect(server.pongs).toEqual(["beat"]);
    connection.close();
  });

  it("reports a dropped connection as code 1006 and a close frame with its code", async () => {
    const first = await serve();
    const dropped = await connectWebSocket(`${first.url}/ws`);
    (await first.opened).drop();
    expect((await dropped.closed).code).toBe(1006);
    await running!.close();
    const second = await serve();
    const closed = await connectWebSocket(`${second.url}/ws`);
    (await second.opened).close(1001, "going away");
    expect(await closed.closed).toEqual({ code: 1001, reason: "going away" });
  });

  it("drops a server that ignores its close frame after closeTimeoutMs, so nothing waits on it", async () => {
    const { url } = await serve();
    proxy = await startFaultProxy(url.replace("ws", "http"), { ws: () => ({ kind: "ignore-close" }) });
    const socket = await connectWebSocket(`${proxy.url.replace("http", "ws")}/ws`, { closeTimeoutMs: 20 });
    const timers = liveTimers();
    socket.close();
    expect((await socket.closed).code).toBe(1006); // no close frame came back: dropped by us
    expect(liveTimers()).toBeLessThanOrEqual(timers); // ws's own 30 s close timer went with the socket
  });

  it("refuses a frame that claims 2^62 bytes from its header: closed with 1009, nothing buffered", async () => {
    const { url } = await serve();
    proxy = await startFaultProxy(url.replace("ws", "http"), { ws: () => ({ kind: "oversized-frame", claimed: 2n ** 62n }) });
    const socket = await connectWebSocket(`${proxy.url.replace("http", "ws")}/ws`, { closeTimeoutMs: 20 });
    const closed = await socket.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toContain(`over the ${DEFAULT_MAX_MESSAGE_BYTES} bytes accepted`);
  });

  it("refuses a frame over a configured maxMessageBytes from its header (the proxy sends only 64 bytes of it)", async () => {
    const { url } = await serve();
    proxy = await startFaultProxy(url.replace("ws", "http"), { ws: () => ({ kind: "oversized-frame", claimed: 2n ** 20n + 1n }) });
    const socket = await connectWebSocket(`${proxy.url.replace("http", "ws")}/ws`, { maxMessageBytes: 2 ** 20, closeTimeoutMs: 20 });
    const closed = await socket.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toContain("over the 1048576 bytes accepted");
  });

  it("refuses a fragmented message that grows past maxMessageBytes, though each fragment fits", async () => {
    const { url, opened } = await serve();
    const connection = await connectWebSocket(`${url}/ws`, { maxMessageBytes: 1000 });
    const messages: WebSocketMessage[] = [];
    connection.onMessage((m) => messages.push(m));
    (await opened).sendFragmented("x".repeat(1500), 3);
    expect((await connection.closed).code).toBe(1009);
    expect(messages).toEqual([]);
  });

  it("delivers a text frame 'null' as the text it is (the bridges decide what it means)", async () => {
    const { url } = await serve();
    proxy = await startFaultProxy(url.replace("ws", "http"), { ws: () => ({ kind: "text", text: "null" }) });
    const connection = await connectWebSocket(`${proxy.url.replace("http", "ws")}/ws`);
    const messages: WebSocketMessage[] = [];
    connection.onMessage((m) => messages.push(m));
    await nextMessage(messages, 1);
    expect(messages[0]).toEqual({ kind: "text", text: "null" });
    connection.close();
  });

  it("fails with a typed error when the server refuses the upgrade or is down", async () => {
    const { url } = await serve();
    const refused = await connectWebSocket(`${url}/nope`).catch((e: InstantIdError) => e);
    expect(refused).toBeInstanceOf(InstantIdError);
    expect((refused as InstantIdError).code).toBe("SERVER");
    expect((refused as InstantIdError).message).toContain("HTTP 400");
    await running!.close();
    const error = await connectWebSocket(`${url}/ws`).catch((e: InstantIdError) => e);
    expect((error as InstantIdError).code).toBe("NETWORK");
  });
});
