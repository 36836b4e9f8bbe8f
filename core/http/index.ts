// Plain HTTP for model downloads and the bridges: proxies from the environment, capped bodies, deadlines.
export { delay, withDeadline } from "./deadline.js";
export { fetchWithProxy, readCapped } from "./fetch.js";
export type { FetchOptions } from "./fetch.js";
export { proxyFor } from "./proxy.js";
