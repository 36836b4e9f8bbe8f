/**
 * ComfyUI's binary websocket events (server.py, BinaryEventTypes), all integers big-endian:
 * - 1 PREVIEW_IMAGE: [4: type][4: format, 1 JPEG / 2 PNG][image bytes]
 * - 4 PREVIEW_IMAGE_WITH_METADATA: [4: type][4: metadata length][metadata JSON: prompt_id, node_id, image_type…][image bytes]
 * Type 4 reaches clients that announce `supports_preview_metadata`; others (this one) get type 1. Both are read.
 */
const PREVIEW_IMAGE = 1;
const PREVIEW_IMAGE_WITH_METADATA = 4;

/** A preview frame's image bytes and, when the frame names it, the prompt it belongs to. */
export interface PreviewFrame {
  readonly image: Uint8Array;
  readonly promptId?: string;
}

function metadataPromptId(json: Uint8Array): string | undefined {
  try {
    const metadata: unknown = JSON.parse(new TextDecoder().decode(json));
    const id = typeof metadata === "object" && metadata !== null ? (metadata as { prompt_id?: unknown }).prompt_id : undefined;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The preview in a binary frame, or undefined for another event type or a frame too short to hold one. */
export function parsePreviewFrame(data: Uint8Array): PreviewFrame | undefined {
  if (data.length <= 8) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = view.getUint32(0);
  if (type === PREVIEW_IMAGE) return { image: data.subarray(8) };
  if (type !== PREVIEW_IMAGE_WITH_METADATA) return undefined;
  const end = 8 + view.getUint32(4);
  if (end >= data.length) return undefined;
  return { image: data.subarray(end), promptId: metadataPromptId(data.subarray(8, end)) };
}
