import type { Readable } from "node:stream";
import type { z } from "zod";
import { ErrorCode, InstantIdError } from "../../core/index.js";
import { parseAnswer, parseJsonStream } from "../net/index.js";
import { generationAnswer } from "./answers.js";
import type { ImageStore } from "./image-store.js";

/**
 * Longest other string kept from a generation answer, in characters: `parameters` echoes the request, whose
 * ControlNet units carry their input images as base64, so this must hold a large face photo.
 */
const MAX_KEPT_CHARS = 64 * 1024 * 1024;
/** Deepest nesting accepted in a generation answer (the request echo nests a few levels). */
const MAX_DEPTH = 64;
/** Most values kept from a generation answer besides its images (an echo and an info hold hundreds). */
const MAX_VALUES = 1_000_000;
/**
 * Most images accepted in one answer: A1111 makes at most 8 per batch × 100 batches, plus a detected map per
 * ControlNet unit. Without a bound, an answer of tiny images would make one temp file per few bytes.
 */
export const MAX_ANSWER_IMAGES = 1024;

/** A generation answer with each image replaced by what its sink returned (a short description). */
export type GenerationAnswer = z.infer<typeof generationAnswer>;

/**
 * Reads a txt2img / img2img answer as it streams in: each base64 image of `images` goes through its sink
 * in `store` and never sits whole in memory; the rest (the request echo, the info) is parsed with caps
 * and checked against the answer's shape.
 */
export async function readGenerationAnswer(body: Readable, store: ImageStore<unknown>, what: string): Promise<GenerationAnswer> {
  const imageSink = (index: number) => {
    if (index >= MAX_ANSWER_IMAGES) {
      throw new InstantIdError(ErrorCode.Server, `${what} holds more than ${MAX_ANSWER_IMAGES} images, so it was refused`);
    }
    return store.sink(index);
  };
  const value = await parseJsonStream(body, {
    what,
    maxDepth: MAX_DEPTH,
    maxValueChars: MAX_KEPT_CHARS,
    maxValues: MAX_VALUES,
    sinkFor: (path) => (path.length === 2 && path[0] === "images" && typeof path[1] === "number" ? imageSink(path[1]) : undefined),
  });
  return parseAnswer(generationAnswer, value, what);
}
