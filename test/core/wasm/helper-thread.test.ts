import { describe, expect, it } from "vitest";
import { i32c, kernelModuleBytes, memarg, op } from "../../../core/wasm/assembler.js";
import { KernelHelper } from "../../../core/wasm/helper-thread.js";
import { wasmApi } from "../../../core/wasm/webassembly.js";

const I32_STORE = 0x36;
const UNREACHABLE = 0x00;
const kernel = (exportName: string, params: number, body: number[]) => ({
  bytes: kernelModuleBytes({ exportName, params, i32Locals: 0, v128Locals: 0, body, shared: true, maxPages: 1 }),
  exportName,
});

describe("KernelHelper", () => {
  const memory = new wasmApi!.Memory({ initial: 1, maximum: 1, shared: true });
  const helper = new KernelHelper(
    [
      kernel("store", 2, [op.get, 0, op.get, 1, I32_STORE, ...memarg(2)]),
      kernel("trap", 0, [UNREACHABLE]),
      kernel("answer", 1, [op.get, 0, ...i32c(42), I32_STORE, ...memarg(2)]),
    ],
    memory,
  );

  it("starts, and runs the kernel a job names with its parameters on the shared memory", () => {
    expect(helper.ready).toBe(true);
    helper.finish(helper.start(0, [64, 7]));
    helper.finish(helper.start(2, [128]));
    const words = new Int32Array(memory.buffer);
    expect([words[16], words[32]]).toEqual([7, 42]);
  });

  it("turns a trap on the helper thread into an INTERNAL error naming the switches, and keeps working after it", () => {
    expect(() => helper.finish(helper.start(1, []))).toThrow(
      expect.objectContaining({ code: "INTERNAL", message: expect.stringMatching(/INSTANTID_THREADS=1/) }),
    );
    helper.finish(helper.start(0, [256, 9]));
    expect(new Int32Array(memory.buffer)[64]).toBe(9);
  });
});
