import { ErrorCode, InstantIdError } from "../../core/index.js";
import { encodeTorchTensorBase64 } from "../../core/internal.js";
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
 * The embeddings of one identity as one flat float32 array. sd-webui-controlnet reshapes an
 * `ipadapter_input` tensor to [1, -1, 512] before the Resampler, so N embeddings in one blob are the
 * Resampler's N inputs: what `concat` means. (Several blobs would each be projected and the results
 * averaged, which is neither mode.)
 */
function oneBlob(embedding: Float32Array | readonly Float32Array[]): Float32Array {
  if (embedding instanceof Float32Array) return embedding;
  if (embedding.length === 1) return embedding[0];
  const joined = new Float32Array(embedding.reduce((n, e) => n + e.length, 0));
  embedding.reduce((offset, e) => (joined.set(e, offset), offset + e.length), 0);
  return joined;
}

/**
 * The two sd-webui-controlnet units of one InstantID identity, in the order the extension asserts:
 * the Image Adapter unit immediately followed by the IdentityNet unit.
 * With a local analysis and a server that takes `ipadapter_input`, the embedding travels as a torch blob
 * (several embeddings as one, see {@link oneBlob}); with a local analysis the keypoint image goes with the
 * server's pass-through module (`none`, Forge's `None`); otherwise the server analyses the photo itself.
 * A photo or pose photo the server draws keypoints from goes with "Resize and Fill": fitted whole and
 * centred, the placement the SDK gives its own keypoint images (`fitKeypoints`).
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
    throw new InstantIdError(
      ErrorCode.InvalidInput,
      `The ${server.flavour} server analyses faces itself and needs the photo, but this identity has none (an identity file?); ` +
        `pass the photo, or use A1111 with sd-webui-controlnet, which takes the embedding`,
    );
  };
  const adapterInput = useEmbedding ? { ipadapter_input: [await encodeEmbedding(oneBlob(face.analysis!.embedding))] } : { image: photo() };
  const adapterUnit: ControlNetUnit = {
    ...adapterCommon,
    ...gating,
    ...region,
    module: server.embeddingModule,
    model: server.ipAdapterModel,
    weight: identity.adapterScale,
    ...adapterInput,
  };
  // Keypoints drawn here go through the pass-through module as they are; otherwise the server draws them.
  const keypoints = face.analysis
    ? { module: server.passThroughModule, image: toBase64(face.analysis.keypointImage), resize_mode: "Just Resize" }
    : { module: server.keypointsModule, image: face.pose ? toBase64(face.pose) : photo(), resize_mode: "Resize and Fill" };
  const identityNetUnit: ControlNetUnit = {
    ...common,
    ...gating,
    ...region,
    module: keypoints.module,
    model: server.controlNetModel,
    weight: identity.identityNetScale,
    image: keypoints.image,
    resize_mode: keypoints.resize_mode,
  };
  return [adapterUnit, identityNetUnit];
}
