/** The part of an ONNX Runtime tensor the wrapper reads (onnxruntime-node, -web and -common all fit). */
export interface TensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** A UNet session as JS runners hold it: `run(feeds)` returning named outputs. */
export interface SessionLike {
  run(feeds: Record<string, TensorLike>, ...rest: unknown[]): Promise<Record<string, TensorLike>>;
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  readonly inputMetadata?: readonly { readonly name: string; readonly isTensor?: boolean; readonly shape?: readonly (number | string)[] }[];
}
