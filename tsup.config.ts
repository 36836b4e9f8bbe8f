import { dirname, resolve } from "node:path";
import { defineConfig, type Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/** The core's entries, each built once and imported by the others as the package itself. */
const coreEntries = new Map([
  [resolve(import.meta.dirname, "core/index.ts"), "instantid"],
  [resolve(import.meta.dirname, "core/internal.ts"), "instantid/internal"],
  [resolve(import.meta.dirname, "core/testing.ts"), "instantid/testing"],
]);

/**
 * Every entry imports the core's entries as the package itself ("instantid", "instantid/internal", resolved through
 * "exports"), so ESM and CommonJS users alike get one copy of the core whichever entries they load: one
 * InstantIdError class, one lazily loaded onnxruntime. core/internal.ts holds the code; core/index.ts (the curated
 * public API) and core/testing.ts re-export from it, and adapters reach the core only through these three files (the
 * boundary test says so).
 */
const coreFromPackage: EsbuildPlugin = {
  name: "core-from-package",
  setup(build) {
    build.onResolve({ filter: /\/(index|internal|testing)\.js$/ }, (args) => {
      const target = resolve(dirname(args.importer), args.path.replace(/\.js$/, ".ts"));
      const external = coreEntries.get(target);
      return external && target !== args.importer ? { path: external, external: true } : undefined;
    });
  },
};

/** The package's public entries (package.json "exports"): ESM and CommonJS, each with its type declarations. */
const libraryEntries = {
  index: "core/index.ts",
  internal: "core/internal.ts",
  testing: "core/testing.ts",
  a1111: "adapters/a1111/index.ts",
  comfyui: "adapters/comfyui/index.ts",
  "diffusers-js": "adapters/diffusers-js/index.ts",
  "diffusers-js/codemod": "adapters/diffusers-js/codemod/index.ts",
  "onnx-sdxl": "adapters/onnx-sdxl/index.ts",
  queue: "adapters/queue/index.ts",
};

/** The executables: the CLI and the runner's worker thread (generateInWorker finds it beside the bundle that imports it). */
const programEntries = {
  cli: "adapters/cli/main.ts",
  "runner-worker": "adapters/onnx-sdxl/worker/runner-worker.ts",
};

const shared: Options = {
  target: "node20",
  // Source maps stay out of the package: the bundles are readable ESM/CJS and the maps would double its size.
  sourcemap: false,
  // The wrap-session codemod loads ts-morph on demand; users who run it install it themselves.
  external: ["ts-morph"],
};

/**
 * `tsup` builds everything with type declarations (npm run build, prepack). `tsup --env.TYPES off` skips the
 * declarations, the slow part, for what only runs the code (npm run demo).
 */
export default defineConfig((flags) => {
  const declarations = flags.env?.TYPES !== "off";
  return [
    {
      ...shared,
      entry: libraryEntries,
      format: ["esm", "cjs"],
      dts: declarations,
      esbuildPlugins: [coreFromPackage],
      // import.meta.url in the CJS build too: generateInWorker finds dist/runner-worker.js through it.
      shims: true,
      clean: true,
    },
    {
      ...shared,
      entry: programEntries,
      format: ["esm"],
      banner: { js: "#!/usr/bin/env node" },
    },
  ];
});
