import { describe, expect, it } from "vitest";
import { askedOnce } from "../../../adapters/queue/backends/backend.js";

describe("askedOnce", () => {
  it("asks the server once and keeps the answer for the next jobs", async () => {
    let asked = 0;
    const models = askedOnce(async () => ++asked);
    expect(await models()).toBe(1);
    expect(await models()).toBe(1);
    expect(asked).toBe(1);
  });

  it("does not keep a failed answer: the next job asks again (the server may have been starting)", async () => {
    let asked = 0;
    const models = askedOnce(async () => {
      asked++;
      if (asked === 1) throw new Error("starting");
      return "ready";
    });
    await expect(models()).rejects.toThrow("starting");
    expect(await models()).toBe("ready");
    expect(asked).toBe(2);
  });
});
