export { DEFAULT_MAX_RESPONSE_BYTES, HttpClient, parseJson } from "./http-client.js";
export type { DownloadOptions, HttpClientOptions, HttpDownload, HttpRequest, HttpResponse } from "./http-client.js";
export { parseAnswer, parseJsonAnswer } from "./answer.js";
export { describeServerError } from "./server-message.js";
export { connectWebSocket, DEFAULT_MAX_MESSAGE_BYTES } from "./websocket.js";
export type { WebSocketConnection } from "./websocket.js";
export type { WebSocketClose, WebSocketMessage, WebSocketOptions } from "./websocket.js";
