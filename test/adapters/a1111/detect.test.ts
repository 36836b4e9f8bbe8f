import { describe, expect, it } from "vitest";
import { createA1111Client } from "../../../adapters/a1111/index.js";
import { InstantIdError } from "../../../core/index.js";
import { startMockComfy } from "../../mocks/comfyui-server.js";

describe("detectServer", () => {
  it("says a ComfyUI server is not an A1111 API and names the other command", async () => {
    const comfy = await startMockComfy();
    try {
      const error = await createA1111Client({ baseUrl: comfy.url })
        .detect()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InstantIdError);
      expect((error as InstantIdError).message).toMatch(/is not an A1111-style API.*instantid comfyui/);
    } finally {
      await comfy.close();
    }
  });
});
