import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "core/index.ts", a1111: "adapters/a1111/index.ts", comfyui: "adapters/comfyui/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
  },
  {
    entry: { cli: "adapters/cli/main.ts", bench: "test/bench/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
