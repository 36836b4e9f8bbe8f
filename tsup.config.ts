import { defineConfig, type Options } from "tsup";

/** The package's public entries (package.json "exports"): ESM and CommonJS, each with its type declarations. */
const libraryEntries = {
  index: "core/index.ts",
  a1111: "adapters/a1111/index.ts",
  comfyui: "adapters/comfyui/index.ts",
  "diffusers-js": "adapters/diffusers-js/index.ts",
  "diffusers-js/codemod": "adapters/diffusers-js/codemod/index.ts",
  "onnx-sdxl": "adapters/onnx-sdxl/index.ts",
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
      // CommonJS is split too, so every entry shares one copy of the core (one InstantIdError class, one registry).
      splitting: true,
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
