import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { ErrorCode, InstantIdError } from "../errors.js";

/**
 * Where ONNX Runtime runs the SDK's graphs: one execution provider name as onnxruntime-node names
 * it (`"cpu"`, `"cuda"`, `"dml"`, `"coreml"`, `"webgpu"`, `"tensorrt"`...), or several in order of
 * preference (`["cuda", "cpu"]`, or the string `"cuda,cpu"`): ONNX Runtime places each node on the
 * first provider that supports it.
 */
export type Device = string | readonly string[];

/** The default: the CPU provider, bundled with onnxruntime-node on every platform. */
export const DEFAULT_DEVICE: readonly string[] = ["cpu"];

let processDevice: readonly string[] = DEFAULT_DEVICE;

/** Settings every session the SDK opens takes, unless a call gives its own. */
export interface RuntimeSettings {
  /** Execution providers for every session (face models, UNet, IdentityNet, VAE, Resampler, K/V products); default CPU. */
  readonly device?: Device;
}

/**
 * Sets the execution providers of every session the SDK opens from now on in this thread (the
 * reference runner passes its own to its worker). The one place a library user chooses the device.
 * @example
 * configureRuntime({ device: ["cuda", "cpu"] }); // CUDA where it can, CPU for the rest
 */
export function configureRuntime(settings: RuntimeSettings): void {
  if (settings.device !== undefined) processDevice = parseDevice(settings.device);
}

/** The execution providers sessions get by default (set by {@link configureRuntime}). */
export function currentDevice(): readonly string[] {
  return processDevice;
}

/** `"cuda,cpu"`, `["cuda", "cpu"]` or `"cuda"` → lower-case provider names, in order, without duplicates. */
export function parseDevice(device: Device): string[] {
  const names = (typeof device === "string" ? device.split(",") : [...device]).map((n) => n.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0)
    throw new InstantIdError(
      ErrorCode.InvalidOption,
      `Expected an execution provider name for device (cpu, cuda, dml, coreml, webgpu...) but received ${JSON.stringify(device)}`,
    );
  return [...new Set(names)];
}

/** How to get each provider that onnxruntime-node ships outside its default install. */
const INSTALL_HINTS: Record<string, string> = {
  cuda:
    "onnxruntime-node's Linux x64 postinstall downloads the CUDA 12 provider libraries; reinstall without " +
    "`--onnxruntime-node-install=skip` (or with `--onnxruntime-node-install=cuda12`), with CUDA 12 and cuDNN 9 on the library path",
  tensorrt: "install the CUDA 12 provider libraries as for cuda (`--onnxruntime-node-install=cuda12`) and TensorRT 10 on the library path",
  dml: "DirectML ships with onnxruntime-node on Windows x64 and arm64 only",
  coreml: "CoreML ships with onnxruntime-node on macOS only",
};

/** Provider libraries the postinstall fetches, which a `--onnxruntime-node-install=skip` install lacks. */
const PROVIDER_LIBRARIES: Record<string, string> = {
  cuda: "libonnxruntime_providers_cuda.so",
  tensorrt: "libonnxruntime_providers_tensorrt.so",
};

interface Backend {
  readonly name: string;
  readonly bundled: boolean;
}

function bindingDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("onnxruntime-node");
    const dir = join(dirname(entry), "..", "bin", "napi-v6", process.platform, process.arch);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks that this install of onnxruntime-node can run every provider in `providers`, and refuses
 * with DEVICE_UNAVAILABLE saying what to install. `backends` is onnxruntime-node's
 * `listSupportedBackends()` (what this build knows); `libraryExists` tells whether a
 * provider's shared library is in place (the CUDA ones come from the postinstall).
 */
export function checkDevice(
  providers: readonly string[],
  backends: readonly Backend[],
  libraryExists: (file: string) => boolean = (file) => {
    const dir = bindingDir();
    return dir !== undefined && existsSync(join(dir, file));
  },
): void {
  for (const name of providers) {
    const backend = backends.find((b) => b.name === name);
    const hint = INSTALL_HINTS[name];
    if (!backend) {
      throw new InstantIdError(
        ErrorCode.DeviceUnavailable,
        `The execution provider "${name}" is not available in this onnxruntime-node build on ${process.platform}/${process.arch} ` +
          `(it has ${backends.map((b) => b.name).join(", ")}). ${hint ? `${hint[0].toUpperCase()}${hint.slice(1)}; ` : ""}or ` +
          `choose one of those with --device / configureRuntime({ device }).`,
        { details: { device: name, available: backends.map((b) => b.name) } },
      );
    }
    const library = PROVIDER_LIBRARIES[name];
    if (!backend.bundled && library && !libraryExists(library)) {
      throw new InstantIdError(
        ErrorCode.DeviceUnavailable,
        `The execution provider "${name}" needs ${library}, which this install of onnxruntime-node lacks (an install with ` +
          `--onnxruntime-node-install=skip, e.g. this project's .npmrc, leaves it out): ${hint}. Or run on the CPU (--device cpu).`,
        { details: { device: name, missing: library } },
      );
    }
  }
}
