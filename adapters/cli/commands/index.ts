import type { CliCommand } from "../command.js";
import { a1111Txt2ImgCommand } from "./a1111.js";
import { analyzeCommand } from "./analyze.js";
import { comfyuiTxt2ImgCommand } from "./comfyui.js";
import { a1111ComposeBackend } from "../compose/a1111-backend.js";
import { comfyuiComposeBackend } from "../compose/comfyui-backend.js";
import { localComposeBackend } from "../compose/local-backend.js";
import { composeCommand } from "./compose.js";
import { conformanceCommand } from "./conformance.js";
import { convertIdentityNetCommand } from "./convert-identitynet.js";
import { demoCommand } from "./demo.js";
import { generateCommand } from "./generate.js";
import { withDetectionOptions } from "../face-analysis.js";
import { identityCreateCommand } from "./identity-create.js";
import { identityMixCommand } from "./identity-mix.js";
import { identityShowCommand } from "./identity-show.js";
import { kpsCommand } from "./kps.js";
import { modelsCheckCommand } from "./models-check.js";
import { modelsPullCommand } from "./models-pull.js";
import { workerCommand } from "./worker.js";
import { wrapSessionCommand } from "./wrap-session.js";

/** Every CLI command; each capability adds its command here. */
export const commands: readonly CliCommand[] = [
  conformanceCommand,
  analyzeCommand,
  modelsPullCommand,
  modelsCheckCommand,
  convertIdentityNetCommand,
  withDetectionOptions(a1111Txt2ImgCommand),
  withDetectionOptions(comfyuiTxt2ImgCommand),
  generateCommand,
  wrapSessionCommand,
  withDetectionOptions(kpsCommand),
  withDetectionOptions(identityCreateCommand),
  identityShowCommand,
  identityMixCommand,
  demoCommand,
  withDetectionOptions((open) =>
    composeCommand(open, { local: localComposeBackend, a1111: a1111ComposeBackend, comfyui: comfyuiComposeBackend }),
  ),
  workerCommand,
];
