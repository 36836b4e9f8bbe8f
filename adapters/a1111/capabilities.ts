import { currentFaceScript } from "./sdnext-face.js";
import type { A1111Flavour, ServerCapabilities } from "./types.js";

/** Model names InstantID's two units need, as substrings of the server's model list entries. */
export const instantIdModelNames = { ipAdapter: "ip-adapter_instant_id_sdxl", controlNet: "control_instant_id_sdxl" } as const;

/** Embedding preprocessor name per flavour. */
export const embeddingModules: Readonly<Record<A1111Flavour, string>> = {
  a1111: "instant_id_face_embedding",
  forge: "InsightFace (InstantID)",
  sdnext: "InstantID",
};

/** Keypoint preprocessor name (the same in sd-webui-controlnet and Forge). */
export const keypointsModule = "instant_id_face_keypoints";

/**
 * The pass-through preprocessor per flavour: sd-webui-controlnet registers `none`, Forge `None`
 * (`modules_forge/supported_preprocessor.py`).
 */
export const passThroughModules: Readonly<Record<A1111Flavour, string>> = { a1111: "none", forge: "None", sdnext: "none" };

/**
 * What to assume about a server without asking it (for `--dry-run`): model names without their
 * hash, which sd-webui-controlnet resolves to the closest installed model (Forge does not: ask a Forge
 * server with `detectServer`), the default unit slots (unknown), and current SD.Next's face script.
 */
export function assumedCapabilities(flavour: A1111Flavour): ServerCapabilities {
  return {
    flavour,
    ipAdapterModel: instantIdModelNames.ipAdapter,
    controlNetModel: instantIdModelNames.controlNet,
    embeddingModule: embeddingModules[flavour],
    keypointsModule,
    acceptsEmbeddingInput: flavour === "a1111",
    passThroughModule: passThroughModules[flavour],
    ...(flavour === "sdnext" ? { faceScript: currentFaceScript } : {}),
  };
}
