import { cpus, loadavg, totalmem } from "node:os";
import type { BenchResult } from "./benchmark.js";
import { benchmarks } from "./benchmarks.js";

// The load when the run starts and ends: on a shared machine it says how far to trust absolute times.
const loadAtStart = loadavg()[0];
const rows: BenchResult[] = [];
const skipped: string[] = [];
const only = process.argv[2];
for (const bench of benchmarks) {
  if (only && !bench.name.includes(only)) continue;
  if (!bench.available()) {
    skipped.push(`${bench.name}: ${bench.skipReason ?? "not available"}`);
    continue;
  }
  process.stderr.write(`running ${bench.name}...\n`);
  rows.push(...(await bench.run()));
}

const format = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));
const table = [
  ["benchmark", "value", "baseline", "baseline value", "decided by", "ratio", "goal", "met"],
  ...rows.map((r) => {
    const ratio = r.ratio ?? r.value / r.baseline;
    const from = r.decidedBy ?? "same run";
    // Quoted figures never decide "met": only what this run measured does.
    const met = from === "quoted" ? "quoted" : r.met === undefined ? "" : r.met ? "yes" : "NO";
    return [
      r.name,
      `${format(r.value)} ${r.unit}`,
      r.baselineName,
      `${format(r.baseline)} ${r.unit}`,
      from,
      Number.isNaN(ratio) ? "" : format(ratio),
      r.goal,
      met,
    ];
  }),
];
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
console.log(
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
    `load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (${cpus().length} cores)\n`,
);
console.log(line(table[0]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of table.slice(1)) console.log(line(row));
for (const s of skipped) console.log(`skipped: ${s}`);
