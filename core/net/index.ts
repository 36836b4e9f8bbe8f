export { HttpClient, parseJson } from "./http-client.js";
export type { HttpClientOptions, HttpRequest, HttpResponse } from "./http-client.js";
export { describeServerError } from "./server-message.js";
export { connectWebSocket, WebSocketConnection } from "./websocket.js";
export type { WebSocketMessage, WebSocketOptions } from "./websocket.js";
export { acceptKey, encodeFrame, FrameParser, MessageAssembler, Opcode } from "./websocket-frames.js";
export type { WebSocketFrame } from "./websocket-frames.js";
