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
 * What to assume about a server without asking it (for `--dry-run`): model names without their
 * hash, which sd-webui-controlnet resolves to the closest installed model.
 */
export function assumedCapabilities(flavour: A1111Flavour): ServerCapabilities {
  return {
    flavour,
    ipAdapterModel: instantIdModelNames.ipAdapter,
    controlNetModel: instantIdModelNames.controlNet,
    embeddingModule: embeddingModules[flavour],
    keypointsModule,
    acceptsEmbeddingInput: flavour === "a1111",
  };
}
