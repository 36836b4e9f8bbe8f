import { writeFile } from "node:fs/promises";
import { compileWat, kernelModuleSource, WASM_KERNELS } from "./compile-wat.js";

// `npm run wasm` (and `npm run build`): compiles each kernel's .wat into its TypeScript module.
for (const kernel of WASM_KERNELS) {
  const bytes = await compileWat(kernel.source);
  await writeFile(kernel.module, kernelModuleSource(kernel, bytes));
  console.log(`${kernel.source} → ${kernel.module} (${bytes.length} bytes)`);
}
