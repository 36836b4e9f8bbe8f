/**
 * SD.Next's face script as its source has it (vladmandic/sdnext `modules/face/__init__.py`,
 * `modules/api/generate.py`, `modules/api/script.py`): `run()` took 14 arguments until 2025-01-20,
 * 16 from then (ReSwapper), 17 from 2025-01-21 (PhotoMaker model); the API always builds the 14 of the
 * `face` object, positionally.
 */
export type FaceScriptVersion = 14 | 16 | 17;

interface Param {
  readonly name: string;
  readonly label: string;
  readonly value: unknown;
}

const p = (name: string, label: string, value: unknown): Param => ({ name, label, value });
const head = [p("mode", "Mode", "None"), p("input_images", "", [])];
const reswapper = [p("reswapper_model", "ReSwapper Model", "ReSwapper 256 0.2"), p("reswapper_original", "Return original images", false)];
const faceId = [
  p("ip_model", "FaceID Model", "FaceID Base"),
  p("ip_override", "Override sampler", true),
  p("ip_cache", "Cache model", true),
  p("ip_strength", "Strength", 1),
  p("ip_structure", "Structure", 1),
];
const instantId = [p("id_strength", "Strength", 1), p("id_conditioning", "Control", 0.5), p("id_cache", "Cache model", true)];
const pmModel = [p("pm_model", "PhotoMaker Model", "PhotoMaker v2")];
const tail = [
  p("pm_trigger", "Trigger word", ""),
  p("pm_strength", "Strength", 1),
  p("pm_start", "Start", 0.5),
  p("fs_cache", "Cache model", true),
];

function params(version: FaceScriptVersion): Param[] {
  if (version === 14) return [...head, ...faceId, ...instantId, ...tail];
  if (version === 16) return [...head, ...reswapper, ...faceId, ...instantId, ...tail];
  return [...head, ...reswapper, ...faceId, ...instantId, ...pmModel, ...tail];
}

const TITLE = "Face: Multiple ID Transfers";

/** `/sdapi/v1/script-info`: every script's name (its title, lower case) and UI arguments, for txt2img and img2img. */
export function sdNextScriptInfo(version: FaceScriptVersion): unknown[] {
  const args = params(version).map(({ label, value }) => ({ label, value, minimum: null, maximum: null, step: null, choices: null }));
  const xyz = { name: "x/y/z plot", is_alwayson: false, is_img2img: false, args: [{ label: "X type", value: "Nothing" }] };
  return [
    xyz,
    { name: TITLE.toLowerCase(), is_alwayson: false, is_img2img: false, args },
    { name: TITLE.toLowerCase(), is_alwayson: false, is_img2img: true, args },
  ];
}

class ScriptFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** pydantic's ItemFace with its defaults, turned into the 14 positional arguments the API builds. */
function faceObjectArguments(face: Record<string, unknown>): unknown[] {
  if (!["None", "FaceID", "FaceSwap", "PhotoMaker", "InstantID", "ReSwapper"].includes(String(face.mode ?? "FaceID")))
    throw new ScriptFailure("ValidationError", `face.mode: unexpected value ${face.mode}`);
  if (!Array.isArray(face.source_images)) throw new ScriptFailure("ValidationError", "face.source_images: field required");
  const d = (key: string, value: unknown) => (face[key] === undefined ? value : face[key]);
  return [
    d("mode", "FaceID"),
    face.source_images,
    d("ip_model", "FaceID Base"),
    d("ip_override_sampler", true),
    d("ip_cache_model", true),
    d("ip_strength", 1),
    d("ip_structure", 1),
    d("id_strength", 1),
    d("id_conditioning", 0.5),
    d("id_cache", true),
    d("pm_trigger", "person"),
    d("pm_strength", 1),
    d("pm_start", 0.5),
    d("fs_cache", true),
  ];
}

/** Python's `float()` of a script argument. */
function pyFloat(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  throw new ScriptFailure("ValueError", `could not convert string to float: '${String(value)}'`);
}

/**
 * What the face script's `run()` receives for a txt2img body, by parameter name (empty when no face
 * script runs: an unknown `script_name` is logged and ignored). InstantID mode converts strength and
 * conditioning with `float()` (`modules/face/instantid.py`), which fails for the words the misaligned
 * `face` object puts there.
 */
export function runFaceScript(body: Record<string, unknown>, version: FaceScriptVersion): Record<string, unknown> {
  const list = params(version);
  let args: unknown[];
  let name = body.script_name as string | undefined;
  if (body.face && typeof body.face === "object") {
    args = faceObjectArguments(body.face as Record<string, unknown>);
    name = "face";
  } else {
    args = Array.isArray(body.script_args) ? body.script_args : [];
  }
  const known = name && [TITLE.toLowerCase(), TITLE.toLowerCase().split(":")[0]].includes(name.toLowerCase());
  if (!known) return {};
  const run = Object.fromEntries(list.map((param, i) => [param.name, i < args.length ? args[i] : param.value]));
  if (run.mode === "InstantID") {
    if (!Array.isArray(run.input_images) || !run.input_images.length) return {};
    run.id_strength = pyFloat(run.id_strength);
    run.id_conditioning = pyFloat(run.id_conditioning);
  }
  return run;
}
