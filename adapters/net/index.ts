export { DEFAULT_MAX_RESPONSE_BYTES, HttpClient, parseJson } from "./http-client.js";
export type { HttpClientOptions, HttpRequest, HttpResponse } from "./http-client.js";
export { parseAnswer, parseJsonAnswer } from "./answer.js";
export { describeServerError } from "./server-message.js";
export { connectWebSocket, WebSocketConnection } from "./websocket.js";
export type { WebSocketMessage, WebSocketOptions } from "./websocket.js";
export {
  acceptKey,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeFrame,
  FrameParser,
  MessageAssembler,
  Opcode,
  WebSocketProtocolError,
} from "./websocket-frames.js";
export type { WebSocketFrame } from "./websocket-frames.js";
