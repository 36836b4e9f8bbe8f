/** The marker every synthetic model carries, so no one mistakes its output for a real model's. */
export const RANDOM_WEIGHTS_NOTICE =
  "RANDOM WEIGHTS: a synthetic model built by the instantid SDK for demos, tests and benchmarks. Its outputs are meaningless.";

/** The doc string and metadata of a synthetic ONNX model. */
export function randomModelNotice(role: string, description: string, config: object) {
  return {
    name: `instantid_synthetic_${role}`,
    docString: `${RANDOM_WEIGHTS_NOTICE} ${description}.`,
    metadata: { "instantid.synthetic": "random-weights", "instantid.role": role, "instantid.config": JSON.stringify(config) },
  };
}
