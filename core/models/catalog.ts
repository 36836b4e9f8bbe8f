/**
 * The files InstantID needs, with their published sizes and SHA-256 digests.
 *
 * Sources (the Git LFS pointers Hugging Face shows for each file):
 * - InstantX/InstantID: `ip-adapter.bin` (oid 02b3618e…, 1691134141 bytes) and
 *   `ControlNetModel/diffusion_pytorch_model.safetensors` (oid c8127be9…, 2502139136 bytes).
 *   `ControlNetModel/config.json` is a plain (non-LFS) Git file: Hugging Face publishes only its Git
 *   blob id, no SHA-256 or exact size, and no source at hand gives its exact bytes (docs/models.md says
 *   why), so it is listed without them: capped at 64 KiB while downloading, checked against the Git blob
 *   id the hub sends as its ETag, and parsed with the converter's config schema before it is accepted.
 * - InsightFace antelopev2 (mirrored on Hugging Face, e.g. DIAMONIK7777/antelopev2, identical
 *   digests across mirrors): `scrfd_10g_bnkps.onnx` and `glintr100.onnx` are what InstantID uses;
 *   the pack's other three models are optional.
 * No ONNX export of IdentityNet is published by InstantX: a pull converts `ControlNetModel/` to
 * `identitynet.onnx` (+ `identitynet.onnx.data`) after the download.
 */

import type { FaceModelManifestInput } from "../face/manifest.js";
import type { FileStructure } from "./structure.js";

/** One file of a model pack: where it lives in the pack folder and what it must hash to. */
export interface ModelFile {
  /** Path relative to the pack's folder (and to the pack's base URL), with `/` separators. */
  readonly path: string;
  /** Size in bytes, when published; `undefined` means the size cannot be verified. */
  readonly size?: number;
  /** Lower-case hex SHA-256, when published; `undefined` means the content cannot be verified. */
  readonly sha256?: string;
  /** Largest size accepted while downloading a file whose `size` is not published. */
  readonly maxSize?: number;
  /** For a file without a published digest: what its content must be, checked before it is accepted. */
  readonly structure?: FileStructure;
  /** A plain Git file on Hugging Face: the download must match the Git blob id the hub sends as its ETag. */
  readonly gitBlobEtag?: boolean;
  /** False for files of a pack that InstantID does not use (pulled only on request). */
  readonly required: boolean;
  /** What the file is, for listings and messages. */
  readonly description: string;
}

/** A named set of files downloaded from one base URL into one sub-folder of the models folder. */
export interface ModelPack {
  /** The name used on the command line: `antelopev2`, `instantid`. */
  readonly name: string;
  /** Sub-folder of the models folder the pack's files go to. */
  readonly folder: string;
  /** Hugging Face repository and revision the default URL points to. */
  readonly repo: string;
  readonly revision: string;
  /** Environment variable that overrides the pack's base URL. */
  readonly baseUrlEnv: string;
  readonly files: readonly ModelFile[];
  /** A `models.json` to write into the pack folder once its required files are in place. */
  readonly manifest?: FaceModelManifestInput;
  /** A diffusers ControlNet folder of the pack to convert to ONNX once pulled (paths relative to the pack folder). */
  readonly controlNet?: { readonly from: string; readonly to: string };
}

/**
 * The `models.json` of the antelopev2 folder. Preprocessing as InsightFace applies it: SCRFD takes
 * (x − 127.5) / 128 after swapping BGR to RGB; ArcFace swaps to RGB too and, for a graph that does not
 * start with Sub/Mul nodes (glintr100 is a PyTorch export), uses (x − 127.5) / 127.5.
 */
export const antelopev2Manifest: FaceModelManifestInput = {
  about:
    "Model manifest for InsightFace antelopev2, written by `instantid models pull`: which file does what, and how each network " +
    "wants its input. paths are relative to this file.",
  detector: { path: "scrfd_10g_bnkps.onnx", kind: "scrfd", inputSize: 640, mean: 127.5, std: 128, channelOrder: "RGB" },
  recognizer: { path: "glintr100.onnx", kind: "arcface", inputSize: 112, mean: 127.5, std: 127.5, channelOrder: "RGB" },
};

/** The InsightFace antelopev2 face models (detector and recognizer used by InstantID). */
export const antelopev2Pack: ModelPack = {
  name: "antelopev2",
  folder: "antelopev2",
  repo: "DIAMONIK7777/antelopev2",
  revision: "main",
  baseUrlEnv: "INSTANTID_ANTELOPEV2_BASE",
  manifest: antelopev2Manifest,
  files: [
    {
      path: "scrfd_10g_bnkps.onnx",
      size: 16923827,
      sha256: "5838f7fe053675b1c7a08b633df49e7af5495cee0493c7dcf6697200b85b5b91",
      required: true,
      description: "SCRFD-10GF face detector with 5 keypoints",
    },
    {
      path: "glintr100.onnx",
      size: 260665334,
      sha256: "4ab1d6435d639628a6f3e5008dd4f929edf4c4124b1a7169e1048f9fef534cdf",
      required: true,
      description: "ArcFace ResNet100 (Glint360K) face recognizer, 512-d embedding",
    },
    {
      path: "1k3d68.onnx",
      size: 143607619,
      sha256: "df5c06b8a0c12e422b2ed8947b8869faa4105387f199c477af038aa01f9a45cc",
      required: false,
      description: "68-point 3D landmarks (not used by InstantID)",
    },
    {
      path: "2d106det.onnx",
      size: 5030888,
      sha256: "f001b856447c413801ef5c42091ed0cd516fcd21f2d6b79635b1e733a7109dbf",
      required: false,
      description: "106-point 2D landmarks (not used by InstantID)",
    },
    {
      // The exact byte size of genderage.onnx was not found in a published pointer; the digest was.
      path: "genderage.onnx",
      sha256: "4fde69b1c810857b88c64a335084f1c3fe8f01246c9a191b48c7bb756d6652fb",
      required: false,
      description: "gender and age estimator (not used by InstantID)",
    },
  ],
};

/** The InstantX InstantID checkpoints: the Image Adapter and IdentityNet. */
export const instantIdPack: ModelPack = {
  name: "instantid",
  folder: "instantid",
  repo: "InstantX/InstantID",
  revision: "main",
  baseUrlEnv: "INSTANTID_INSTANTID_BASE",
  files: [
    {
      path: "ip-adapter.bin",
      size: 1691134141,
      sha256: "02b3618e36d803784166660520098089a81388e61a93ef8002aa79a5b1c546e1",
      required: true,
      description: "Image Adapter: Resampler and the 70 image-attention K/V projections (torch pickle)",
    },
    {
      path: "ControlNetModel/config.json",
      maxSize: 64 * 1024,
      structure: "controlnet-config",
      gitBlobEtag: true,
      required: true,
      description: "IdentityNet configuration (diffusers ControlNetModel)",
    },
    {
      path: "ControlNetModel/diffusion_pytorch_model.safetensors",
      size: 2502139136,
      sha256: "c8127be9f174101ebdafee9964d856b49b634435cf6daa396d3f593cf0bbbb05",
      required: true,
      description: "IdentityNet weights (SDXL ControlNet, float16)",
    },
  ],
  controlNet: { from: "ControlNetModel", to: "identitynet.onnx" },
};

/** Every pack the SDK knows, in the order `all` pulls them. */
export const modelCatalog: readonly ModelPack[] = [antelopev2Pack, instantIdPack];

/** The files of a pack that a pull fetches: the required ones, plus the optional ones on request. */
export function filesToFetch(pack: ModelPack, includeOptional: boolean): readonly ModelFile[] {
  return pack.files.filter((file) => file.required || includeOptional);
}
