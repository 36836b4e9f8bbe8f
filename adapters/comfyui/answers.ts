import { z } from "zod";

/**
 * The shapes of the ComfyUI answers the bridge reads (server.py, execution.py): anything else is
 * reported with what the server sent. Objects are loose: newer servers add fields.
 */

const inputSpec = z.tuple([z.union([z.string(), z.array(z.unknown())])], z.unknown());
const inputSection = z.record(z.string(), inputSpec);

/** One node class of `GET /object_info`. */
const nodeInfo = z.looseObject({
  input: z.looseObject({
    required: inputSection.optional(),
    optional: inputSection.optional(),
    hidden: z.record(z.string(), z.unknown()).optional(),
  }),
  input_order: z.record(z.string(), z.array(z.string())).optional(),
  output: z.array(z.string()),
  output_name: z.array(z.string()).optional(),
  name: z.string(),
});

/** `GET /object_info`: node class name → description. */
export const objectInfoAnswer = z.record(z.string(), nodeInfo);

/** An image a node saved, as `/history` lists it. */
const imageRef = z.looseObject({ filename: z.string(), subfolder: z.string(), type: z.string() });

/** One `/history/<id>` entry: outputs per node, and the run's status with its messages. */
export const historyEntryAnswer = z.looseObject({
  outputs: z.record(z.string(), z.looseObject({ images: z.array(imageRef).optional() })).optional(),
  status: z
    .looseObject({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown())])).optional(),
    })
    .optional(),
});

/** `GET /history/<id>`: `{}` while the prompt runs, `{ <id>: entry }` once it ended. */
export const historyAnswer = z.record(z.string(), historyEntryAnswer);

/** `POST /prompt`. */
export const queueAnswer = z.looseObject({ prompt_id: z.string() });

/** `POST /upload/image`. */
export const uploadAnswer = z.looseObject({ name: z.string(), subfolder: z.string().nullish() });

/** A websocket event: `{ type, data }`; only events naming our prompt are read further. */
export const wsEvent = z.looseObject({ type: z.string(), data: z.record(z.string(), z.unknown()).nullish() });

/** The data of a `progress` event. */
export const progressData = z.looseObject({ value: z.number(), max: z.number() });
