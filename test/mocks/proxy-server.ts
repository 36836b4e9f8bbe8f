import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { startServer, type RunningServer } from "./http-server.js";

/** A loopback HTTP proxy and the targets it was asked for (CONNECT tunnels and absolute-form requests). */
export interface MockProxy extends RunningServer {
  readonly targets: string[];
}

/** Starts a forwarding proxy on 127.0.0.1 that tunnels CONNECT and forwards absolute-form requests. */
export async function startMockProxy(): Promise<MockProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const running = await startServer((request, response) => {
    targets.push(request.url ?? "");
    const target = new URL(request.url ?? "");
    const upstream = httpRequest(target, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  running.server.on("connect", (request, client: Socket, head: Buffer) => {
    targets.push(request.url ?? "");
    const [host, port] = (request.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
  });
  return {
    ...running,
    targets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await running.close();
    },
  };
}
