import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/shared.js";
import { packPackage, root, run } from "./pack.js";

// A new user's project: the tarball installed with npm (from the local cache when it can), strict TypeScript without skipLibCheck.
let consumer = "";
const typesNode = JSON.parse(readFileSync(join(root, "node_modules/@types/node/package.json"), "utf8")).version as string;
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;

const USE_EVERY_ENTRY = `
import { ErrorCode, InstantIdError, loadImage, type RgbImage } from "instantid";
import { buildGenerationRequest, createA1111Client } from "instantid/a1111";
import { buildInstantIdWorkflow } from "instantid/comfyui";
import { generate } from "instantid/onnx-sdxl";
import { wrapUnetSession } from "instantid/diffusers-js";

export function describeError(error: unknown): string {
  return error instanceof InstantIdError ? \`\${error.code}: \${error.message}\` : String(error);
}
export const code: ErrorCode = ErrorCode.InvalidOption;
export type Used = [
  typeof createA1111Client,
  typeof buildGenerationRequest,
  typeof buildInstantIdWorkflow,
  typeof generate,
  typeof wrapUnetSession,
  typeof loadImage,
  RgbImage,
];
// The declarations are real types, not any: a wrong call does not compile.
// @ts-expect-error createA1111Client takes an options object
createA1111Client("http://127.0.0.1:7860");
`;

/** tsconfig of one module-resolution mode, strict and checking the package's declarations (no skipLibCheck). */
function tsconfig(module: string, moduleResolution: string, files: string[]): string {
  // esModuleInterop as `tsc --init` sets it (zod's own CommonJS declarations need it under node10).
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      skipLibCheck: false,
      esModuleInterop: true,
      noEmit: true,
      module,
      moduleResolution,
      target: "ES2022",
      types: ["node"],
    },
    files,
  });
}

beforeAll(async () => {
  const { tarball } = await packPackage();
  consumer = await tempDir("instantid-consumer-");
  await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  // The flag the README's install section documents: onnxruntime-node's postinstall would otherwise fetch CUDA libraries.
  run(
    "npm",
    ["install", tarball, `@types/node@${typesNode}`, "--prefer-offline", "--no-audit", "--no-fund", "--onnxruntime-node-install=skip"],
    { cwd: consumer },
  );
  await mkdir(join(consumer, "src"));
  await writeFile(join(consumer, "src", "use.ts"), USE_EVERY_ENTRY);
  await writeFile(join(consumer, "src", "use.mts"), USE_EVERY_ENTRY);
  await writeFile(join(consumer, "tsconfig.node10.json"), tsconfig("commonjs", "node", ["src/use.ts"]));
  await writeFile(join(consumer, "tsconfig.node16.json"), tsconfig("node16", "node16", ["src/use.ts", "src/use.mts"]));
  await writeFile(join(consumer, "tsconfig.bundler.json"), tsconfig("esnext", "bundler", ["src/use.ts"]));
});

describe("a consumer project with the tarball installed", () => {
  it.each(["node10", "node16", "bundler"])("compiles strict TypeScript without skipLibCheck under moduleResolution %s", (mode) => {
    // node16 compiles use.ts as CommonJS (the project has no "type") and use.mts as ESM: both conditions' declarations.
    run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", `tsconfig.${mode}.json`], { cwd: consumer });
  });

  it("shares one core between the CommonJS entries: an error thrown by any entry is an InstantIdError", () => {
    const script = `
      const { InstantIdError } = require("instantid");
      const calls = [() => require("instantid/comfyui").buildInstantIdWorkflow({}, []), () => require("instantid/a1111").buildGenerationRequest({})];
      Promise.all(calls.map(async (call) => {
        try { await call(); } catch (error) { return error instanceof InstantIdError && error.code; }
        return "no error";
      })).then((codes) => console.log(JSON.stringify(codes)));`;
    expect(JSON.parse(run(process.execPath, ["-e", script], { cwd: consumer }))).toEqual(["INVALID_OPTION", "INVALID_OPTION"]);
  });

  it("imports every entry as ESM, with the same InstantIdError class", () => {
    const script = `
      import { InstantIdError } from "instantid";
      import { buildInstantIdWorkflow } from "instantid/comfyui";
      await Promise.all(["instantid/a1111", "instantid/onnx-sdxl", "instantid/diffusers-js"].map((entry) => import(entry)));
      try { buildInstantIdWorkflow({}, []); } catch (error) { console.log(error instanceof InstantIdError); }`;
    expect(run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer }).trim()).toBe("true");
  });

  it.each([
    ["CommonJS", [], `const { createServer } = require("node:http"); const { createA1111Client } = require("instantid/a1111");`],
    ["ESM", ["--input-type=module"], `import { createServer } from "node:http"; import { createA1111Client } from "instantid/a1111";`],
  ])("parses an A1111 answer as it streams in, with its JSON tokenizer loaded as %s", (_, flags, imports) => {
    const script = `${imports}
      const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
      const server = createServer((_, response) => response.end(JSON.stringify({ images: [png.toString("base64")], info: "{}" })));
      server.listen(0, "127.0.0.1", async () => {
        const client = createA1111Client({ baseUrl: "http://127.0.0.1:" + server.address().port });
        const { images } = await client.generate({});
        console.log(Buffer.from(images[0]).toString("hex"));
        server.close();
      });`;
    expect(run(process.execPath, [...flags, "-e", script], { cwd: consumer }).trim()).toBe("89504e470d0a1a0a0000000d49484452");
  });

  it("installs the instantid command, which prints the package version", () => {
    expect(run(join(consumer, "node_modules", ".bin", "instantid"), ["--version"], { cwd: consumer }).trim()).toBe(version);
  });
});
