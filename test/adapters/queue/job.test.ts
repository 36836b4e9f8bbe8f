import { describe, expect, it } from "vitest";
import { ErrorCode, InstantIdError } from "../../../core/index.js";
import { decodeIdentity, encodeIdentity } from "../../../core/internal.js";
import { GENERATION_JOB_VERSION, jobComposition, parseGenerationJob } from "../../../adapters/queue/index.js";
import { toGenerationJob } from "../../../adapters/queue/job.js";
import { testIdentity, twoPeople } from "./jobs.js";

const drawSeed = () => 4242;

function thrown(fn: () => unknown): InstantIdError {
  try {
    fn();
  } catch (error) {
    return error as InstantIdError;
  }
  throw new Error("expected a throw");
}

describe("generation job (the data on the queue)", () => {
  it("carries identity files as base64, never objects, so it survives JSON in Redis unchanged", () => {
    const job = toGenerationJob(twoPeople(7), drawSeed);
    const wire = JSON.parse(JSON.stringify(job)) as unknown;
    expect(parseGenerationJob(wire)).toEqual(job);
    expect(job.version).toBe(GENERATION_JOB_VERSION);
    const identity = decodeIdentity(Buffer.from(job.identities[0].identity, "base64"));
    expect(identity.embeddings[0]).toEqual(testIdentity(1).embeddings[0]);
  });

  it("accepts identity file bytes and photo bytes as well as Identity objects", () => {
    const bytes = encodeIdentity(testIdentity(3));
    const job = toGenerationJob(
      { ...twoPeople(1), identities: [{ identity: new Uint8Array(bytes), photo: new Uint8Array([0xff, 0xd8, 1, 2]) }] },
      drawSeed,
    );
    expect(job.identities[0].identity).toBe(bytes.toString("base64"));
    expect(job.identities[0].photo).toBe(Buffer.from([0xff, 0xd8, 1, 2]).toString("base64"));
  });

  it("fixes the seed when the job is made: a drawn one when the request has none, the given one otherwise", () => {
    const { settings, ...noSeed } = twoPeople(7);
    expect(toGenerationJob({ ...noSeed, settings: { steps: settings!.steps } }, drawSeed).settings.seed).toBe(4242);
    expect(toGenerationJob(twoPeople(7), drawSeed).settings.seed).toBe(7);
  });

  it("refuses a malformed job with INVALID_INPUT naming the fields", () => {
    const job = JSON.parse(JSON.stringify(toGenerationJob(twoPeople(7), drawSeed))) as Record<string, unknown>;
    const error = thrown(() => parseGenerationJob({ ...job, width: 63, identities: [] }));
    expect(error).toBeInstanceOf(InstantIdError);
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toMatch(/width: must be a multiple of 8/);
    expect(error.message).toMatch(/identities/);
    expect(thrown(() => parseGenerationJob({ ...job, settings: { steps: 2 } })).message).toMatch(/settings\.seed/);
    expect(thrown(() => parseGenerationJob("not a job")).code).toBe(ErrorCode.InvalidInput);
  });

  it("makes an old worker refuse a job of a newer layout, saying to upgrade", () => {
    const job = JSON.parse(JSON.stringify(toGenerationJob(twoPeople(7), drawSeed))) as Record<string, unknown>;
    const error = thrown(() => parseGenerationJob({ ...job, version: GENERATION_JOB_VERSION + 1, newField: true }));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toMatch(
      new RegExp(`version ${GENERATION_JOB_VERSION + 1}, newer than this worker reads \\(${GENERATION_JOB_VERSION}\\); upgrade instantid`),
    );
  });

  it(
    "reads a version 1 job (queued before the upgrade) with its ipScale as the adapterScale, and refuses ipScale in a version 2 " + "job",
    async () => {
      const job = JSON.parse(JSON.stringify(toGenerationJob(twoPeople(7), drawSeed))) as { identities: Record<string, unknown>[] };
      const v1 = {
        ...job,
        version: 1,
        identities: job.identities.map(({ adapterScale, ...rest }) => ({ ...rest, ipScale: adapterScale })),
      };
      const read = parseGenerationJob(v1);
      expect(read.version).toBe(GENERATION_JOB_VERSION);
      expect(read.identities.map((person) => person.adapterScale)).toEqual([undefined, 0.6]);
      expect((await jobComposition(read)).identities.map((c) => c.adapterScale)).toEqual([0.8, 0.6]);
      expect(thrown(() => parseGenerationJob({ ...v1, version: GENERATION_JOB_VERSION })).message).toMatch(/ipScale/);
    },
  );

  it("lays the job out on the worker as the core's composition: regions, keypoints and scales", async () => {
    const composition = await jobComposition(toGenerationJob(twoPeople(7), drawSeed));
    expect([composition.width, composition.height, composition.prompt]).toEqual([64, 64, "job 7"]);
    expect(composition.identities.map((c) => c.adapterScale)).toEqual([0.8, 0.6]);
    const [left, right] = composition.identities;
    expect(left.mask.data[10 * 64 + 5]).toBe(1);
    expect(left.mask.data[10 * 64 + 40]).toBe(0);
    expect(right.mask.data[10 * 64 + 40]).toBe(1);
    expect(left.keypoints!.every(([x]) => x < 32)).toBe(true);
  });

  it("reports a corrupt identity file in a job as FILE_CORRUPT", async () => {
    const job = toGenerationJob(twoPeople(7), drawSeed);
    const bad = { ...job, identities: [{ ...job.identities[0], identity: Buffer.from("not safetensors at all").toString("base64") }] };
    await expect(jobComposition(bad)).rejects.toMatchObject({
      code: ErrorCode.FileCorrupt,
      message: expect.stringMatching(/identity 1 of the job/),
    });
  });
});
