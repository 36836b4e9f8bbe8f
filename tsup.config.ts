import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: {
      index: "core/index.ts",
      a1111: "adapters/a1111/index.ts",
      comfyui: "adapters/comfyui/index.ts",
      "diffusers-js": "adapters/diffusers-js/index.ts",
      "onnx-sdxl": "adapters/onnx-sdxl/index.ts",
      queue: "adapters/queue/index.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    // import.meta.url in the CJS build too: generateInWorker finds dist/runner-worker.js through it.
    shims: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    // The wrap-session codemod loads ts-morph on demand; users who run it install it themselves.
    external: ["ts-morph"],
  },
  {
    entry: {
      cli: "adapters/cli/main.ts",
      bench: "test/bench/main.ts",
      // The runner's worker thread; generateInWorker finds it beside the bundle that imports it.
      "runner-worker": "adapters/onnx-sdxl/worker/runner-worker.ts",
    },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    external: ["ts-morph"],
    banner: { js: "#!/usr/bin/env node" },
  },
]);
