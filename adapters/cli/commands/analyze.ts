import { ErrorCode, InstantIdError, type Face } from "../../../core/index.js";
import { writeEmbeddingFile } from "../../../core/internal.js";
import { defineCommand } from "../command.js";
import { createFaceAnalysis, detectionOptions, parseDetection } from "../face-analysis.js";

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

function faceJson(face: Face) {
  return {
    bbox: face.bbox.map((v) => round(v)),
    score: round(face.score, 4),
    kps: face.kps.map(([x, y]) => [round(x), round(y)]),
    embeddingNorm: round(Math.hypot(...face.embedding), 4),
  };
}

function faceLine(face: Face, index: number): string {
  const [x1, y1, x2, y2] = face.bbox.map((v) => Math.round(v));
  return (
    `  face ${index + 1}: box ${x1},${y1}-${x2},${y2} (${x2 - x1}x${y2 - y1}), score ${face.score.toFixed(3)}, embedding ` +
    `norm ${Math.hypot(...face.embedding).toFixed(2)}\n`
  );
}

/** `instantid analyze IMAGE... --models DIR [--json] [--save-embedding FILE]`: faces and embeddings of photos. */
export const analyzeCommand = defineCommand({
  path: ["analyze"],
  opensSessions: true,
  summary:
    "Detect faces and compute their identity embeddings (SCRFD + ArcFace ONNX models).\nFaces are listed largest first; " +
    "InstantID uses the largest face's raw embedding.",
  positionals: "IMAGE...",
  options: {
    models: {
      type: "string",
      short: "m",
      value: "DIR",
      description: "Folder with models.json naming the detector and recognizer (required)",
    },
    json: { type: "boolean", description: "Print the results as JSON" },
    "save-embedding": {
      type: "string",
      value: "FILE",
      description: "Save the largest face's raw embedding ([512]; [N,512] for N images) to FILE (.safetensors, else JSON)",
    },
    ...detectionOptions,
  },
  examples: [
    "instantid analyze photo.jpg --models ~/.insightface/models/buffalo_s",
    "instantid analyze a.jpg b.jpg --models models --json --save-embedding me.safetensors",
  ],
  async run({ values, positionals }, io) {
    const models = values.models as string | undefined;
    if (!models)
      throw new InstantIdError(
        ErrorCode.InvalidOption,
        "Expected a folder with models.json for --models but received nothing, e.g. --models models/antelopev2 (instantid models " +
          "pull antelopev2 --dir models fills it)",
      );
    if (!positionals.length) throw new InstantIdError(ErrorCode.InvalidOption, "Expected at least one IMAGE to analyze");
    const analysis = await createFaceAnalysis(models, parseDetection(values));
    const results: { image: string; faces: Face[] }[] = [];
    for (const image of positionals) results.push({ image, faces: await analysis.analyze(image) });
    const target = values["save-embedding"] as string | undefined;
    if (target)
      await writeEmbeddingFile(
        target,
        results.map((r) => r.faces[0].embedding),
      );
    if (values.json)
      io.stdout(`${JSON.stringify({ results: results.map((r) => ({ image: r.image, faces: r.faces.map(faceJson) })) }, null, 2)}\n`);
    else
      for (const r of results)
        io.stdout(`${r.image}: ${r.faces.length} face${r.faces.length === 1 ? "" : "s"}\n${r.faces.map(faceLine).join("")}`);
    if (target) io.stderr(`saved the largest face's embedding of ${results.length} image${results.length === 1 ? "" : "s"} to ${target}\n`);
    return 0;
  },
});
