import { describe, expect, it } from "vitest";
import { createDownloadProgress, humanBytes, humanDuration } from "../../../adapters/cli/download-progress.js";

describe("download progress", () => {
  it("prints sizes in human units and durations as m:ss", () => {
    expect([humanBytes(999), humanBytes(16_923_827), humanBytes(1_691_134_141)]).toEqual(["999 B", "16.9 MB", "1.69 GB"]);
    expect([humanDuration(5), humanDuration(125), humanDuration(3725)]).toEqual(["0:05", "2:05", "1:02:05"]);
  });

  it("shows file n of m, bytes of total, speed and time left, one log line per 10%", () => {
    const lines: string[] = [];
    let clock = 0;
    const show = createDownloadProgress(
      { interactive: false, stderr: (text: string) => lines.push(text), stdout: () => undefined } as never,
      () => clock,
    );
    show({ stage: "instantid/ip-adapter.bin", completed: 0, total: 100_000_000, message: "file 3 of 5" });
    clock = 2000;
    show({ stage: "instantid/ip-adapter.bin", completed: 20_000_000, total: 100_000_000, message: "file 3 of 5" });
    clock = 2100;
    show({ stage: "instantid/ip-adapter.bin", completed: 20_500_000, total: 100_000_000, message: "file 3 of 5" });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("[file 3 of 5] downloading instantid/ip-adapter.bin: 20.0 MB / 100 MB, 10.0 MB/s, 0:08 left (20%)\n");
  });
});
