/** Which A1111-style server: AUTOMATIC1111 with sd-webui-controlnet, Forge's built-in ControlNet, or SD.Next. */
export type A1111Flavour = "a1111" | "forge" | "sdnext";

/** The face of one identity, as the server should receive it. */
export interface IdentityFace {
  /**
   * The reference photo (encoded JPEG/PNG/WebP bytes): sent when the server must analyse the face itself.
   * May be left out with an analysis (e.g. from an identity file) for servers that take `ipadapter_input`.
   */
  readonly photo?: Uint8Array;
  /**
   * Local analysis, when the SDK has face models: the raw 512-d embedding and the keypoint image
   * (PNG bytes) drawn at the generation size. With it the server needs no insightface.
   * Several embeddings (an identity that concatenates its references) go as one blob of all of them, which
   * sd-webui-controlnet reshapes to the Resampler's [1, N, 512] input: what `concat` means.
   */
  readonly analysis?: { readonly embedding: Float32Array | readonly Float32Array[]; readonly keypointImage: Uint8Array };
  /** A pose photo whose face gives the keypoints instead of the reference photo (server-side analysis only). */
  readonly pose?: Uint8Array;
}

/** One identity to place in the picture, with its strengths and optional region mask. */
export interface IdentitySpec {
  readonly face: IdentityFace;
  /** The Image Adapter's scale (sent as the first unit's `weight`, SD.Next's face *Strength*). */
  readonly adapterScale: number;
  /** IdentityNet's scale (sent as the second unit's `weight`, SD.Next's face *Control*). */
  readonly identityNetScale: number;
  readonly guidanceStart: number;
  readonly guidanceEnd: number;
  /** White where this identity may act (PNG bytes at the generation size); needed when there are several. */
  readonly mask?: Uint8Array;
}

import type { FaceScriptLayout } from "./sdnext-face.js";

/** What a server offers for InstantID: its flavour, the exact model names and module names to send. */
export interface ServerCapabilities {
  readonly flavour: A1111Flavour;
  /** Image Adapter model name as listed by the server (e.g. `ip-adapter_instant_id_sdxl [eb2d3ec0]`). */
  readonly ipAdapterModel: string;
  /** IdentityNet model name as listed by the server (e.g. `control_instant_id_sdxl [c5c25a35]`). */
  readonly controlNetModel: string;
  /** Preprocessor that computes the embedding on the server. */
  readonly embeddingModule: string;
  /** Preprocessor that draws the keypoints on the server. */
  readonly keypointsModule: string;
  /** Whether the server accepts a precomputed embedding as `ipadapter_input`. */
  readonly acceptsEmbeddingInput: boolean;
  /**
   * The preprocessor that passes an image through, by the name the server lists (`/controlnet/module_list`):
   * sd-webui-controlnet's `none`, Forge's `None` (Forge looks preprocessors up by exact name).
   */
  readonly passThroughModule: string;
  /** ControlNet unit slots (`control_net_unit_count`) as the server reports them; undefined when it does not say (default 3). */
  readonly unitSlots?: number;
  /** SD.Next: how its face script takes InstantID's arguments (default: the `face` object). */
  readonly faceScript?: FaceScriptLayout;
}

/** Turns a raw 512-d embedding into base64 of its `torch.save` blob (what `/controlnet/detect` returns). */
export type EmbeddingEncoder = (embedding: Float32Array) => string | Promise<string>;

/** One sd-webui-controlnet unit as sent in `alwayson_scripts.controlnet.args`. */
export interface ControlNetUnit {
  readonly enabled: true;
  readonly module: string;
  readonly model: string;
  readonly weight: number;
  readonly image?: string;
  readonly ipadapter_input?: string[];
  readonly resize_mode: string;
  readonly guidance_start: number;
  readonly guidance_end: number;
  readonly control_mode: string;
  readonly pixel_perfect: boolean;
  readonly processor_res: number;
  readonly save_detected_map: boolean;
  /** sd-webui-controlnet's region mask (white = where the unit acts). */
  readonly effective_region_mask?: string;
  /** Forge's equivalent: its ControlNet weights the unit's residuals and masks the IP-Adapter attention by it. */
  readonly mask_image?: string;
}

/** A txt2img/img2img request body as A1111's API takes it. */
export type A1111Request = Record<string, unknown>;
