import { encodeTorchTensorBase64, ErrorCode, InstantIdError } from "../../core/index.js";
import type { ControlNetUnit, EmbeddingEncoder, IdentitySpec, ServerCapabilities } from "./types.js";

/** Base64 of bytes, as the A1111 API takes images. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const common = {
  enabled: true,
  // The extension's default: photos keep their aspect; our keypoint images override it below.
  resize_mode: "Crop and Resize",
  control_mode: "Balanced",
  pixel_perfect: false,
  processor_res: 512,
  save_detected_map: false,
} as const;

/**
 * Where a unit acts, in the field the server reads. Forge's unit has no `effective_region_mask` (it
 * drops unknown fields); its `mask_image` weights the ControlNet residuals and masks the IP-Adapter
 * attention the same way. Forge first resizes a unit's mask to the unit's input image and then to the
 * picture by the unit's resize mode, so the Image Adapter unit (whose input is the face photo, analysed
 * as it is) goes with "Just Resize" to keep its region where it was drawn.
 */
function regionFields(mask: Uint8Array, server: ServerCapabilities): { region: Partial<ControlNetUnit>; adapterResize?: string } {
  if (server.flavour === "forge") return { region: { mask_image: toBase64(mask) }, adapterResize: "Just Resize" };
  return { region: { effective_region_mask: toBase64(mask) } };
}

/**
 * The two sd-webui-controlnet units of one InstantID identity, in the order the extension asserts:
 * the Image Adapter unit immediately followed by the IdentityNet unit.
 * With a local analysis and a server that takes `ipadapter_input`, the embedding travels as a torch blob
 * and the keypoint image with module `none`; otherwise the server analyses the photo itself.
 * `encodeEmbedding` defaults to the core `torch.save` writer.
 */
export async function identityUnits(
  identity: IdentitySpec,
  server: ServerCapabilities,
  encodeEmbedding: EmbeddingEncoder = encodeTorchTensorBase64,
): Promise<[ControlNetUnit, ControlNetUnit]> {
  const { face } = identity;
  const { region, adapterResize } = identity.mask ? regionFields(identity.mask, server) : { region: {} };
  const adapterCommon = adapterResize ? { ...common, resize_mode: adapterResize } : common;
  const gating = { guidance_start: identity.guidanceStart, guidance_end: identity.guidanceEnd };
  const useEmbedding = Boolean(face.analysis && server.acceptsEmbeddingInput);
  const photo = () => {
    if (face.photo) return toBase64(face.photo);
    throw new InstantIdError(ErrorCode.InvalidInput, `The ${server.flavour} server analyses faces itself and needs the photo, but this identity has none (an identity file?); pass the photo, or use A1111 with sd-webui-controlnet, which takes the embedding`);
  };
  const embeddings = face.analysis ? (face.analysis.embedding instanceof Float32Array ? [face.analysis.embedding] : face.analysis.embedding) : [];
  const adapterUnit: ControlNetUnit = useEmbedding
    ? { ...adapterCommon, ...gating, ...region, module: server.embeddingModule, model: server.ipAdapterModel, weight: identity.ipScale, ipadapter_input: await Promise.all(embeddings.map((e) => encodeEmbedding(e))) }
    : { ...adapterCommon, ...gating, ...region, module: server.embeddingModule, model: server.ipAdapterModel, weight: identity.ipScale, image: photo() };
  const identityNetUnit: ControlNetUnit = face.analysis
    ? { ...common, ...gating, ...region, module: "none", model: server.controlNetModel, weight: identity.cnScale, image: toBase64(face.analysis.keypointImage), resize_mode: "Just Resize" }
    : { ...common, ...gating, ...region, module: server.keypointsModule, model: server.controlNetModel, weight: identity.cnScale, image: face.pose ? toBase64(face.pose) : photo() };
  return [adapterUnit, identityNetUnit];
}
