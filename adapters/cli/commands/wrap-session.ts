import { relative } from "node:path";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { WRAP_IMPORT, wrapSessionEdits } from "../../diffusers-js/codemod/find-unet-runs.js";
import { defineCommand } from "../command.js";

/** `instantid wrap-session`: the ts-morph codemod that wraps UNet sessions with InstantID. */
export const wrapSessionCommand = defineCommand({
  path: ["wrap-session"],
  summary:
    "Find UNet `session.run(feeds)` calls in a JS/TS project (feeds with sample and encoder_hidden_states)\nand show the " +
    "one-line change that wraps the session with InstantID; --apply makes it.",
  positionals: "PROJECT_DIR",
  options: {
    apply: { type: "boolean", description: "Edit the files (adds the wrapUnetSession import)", default: false },
  },
  examples: ["instantid wrap-session ./my-sd-runner", "instantid wrap-session --apply ./my-sd-runner"],
  async run({ values, positionals }, io) {
    const [dir] = positionals;
    if (!dir)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "Expected a PROJECT_DIR but received nothing, e.g. instantid wrap-session ./my-runner",
      );
    const apply = values.apply === true;
    const plan = await wrapSessionEdits(dir, { apply });
    for (const edit of plan.edits) {
      const calls = edit.calls.map((c) => `${relative(dir, c.file)}:${c.line}`).join(", ");
      io.stdout(`${relative(dir, edit.file)}:${edit.line} (serves ${calls})\n- ${edit.before.trim()}\n+ ${edit.after.trim()}\n\n`);
    }
    for (const call of plan.untraced) {
      io.stdout(
        `${relative(dir, call.file)}:${call.line}: ${call.session}.run(...) — could not find where ${call.session} is created; ` +
          `wrap it there with wrapUnetSession(session, { hooks }).\n`,
      );
    }
    if (plan.edits.length === 0 && plan.untraced.length === 0)
      io.stdout("No UNet run() calls found (feeds naming sample and encoder_hidden_states).\n");
    else if (apply) io.stdout(`Applied ${plan.edits.length} edit(s); each edited file imports: ${WRAP_IMPORT}\n`);
    else if (plan.edits.length > 0) io.stdout(`Run again with --apply to make these edits (and add: ${WRAP_IMPORT}).\n`);
    return 0;
  },
});
