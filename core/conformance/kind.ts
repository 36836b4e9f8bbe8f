/** What a conformance kind receives: the reference case folder, where to write, and optional models. */
export interface ConformanceContext {
  /** The reference folder, e.g. `../shared/golden/scrfd`; its name is the kind. */
  readonly caseDir: string;
  /** `OUT/<kind>`: everything the kind writes goes here. */
  readonly outDir: string;
  /** A folder with `models.json`, for kinds that run face models. */
  readonly modelsDir?: string;
  /** Called with a short line as work advances. */
  readonly onProgress?: (message: string) => void;
}

/** What a kind reports once its outputs are written. */
export interface ConformanceSummary {
  readonly cases: number;
  readonly files: readonly string[];
}

/** One family of reference cases (`align`, `scrfd`, `kps`, ...) that the SDK can recompute. */
export interface ConformanceKind {
  readonly name: string;
  readonly description: string;
  run(context: ConformanceContext): Promise<ConformanceSummary>;
}
