import { loadImage, savePng, fitKeypoints, largestFace, renderKeypoints, workingSize } from "../../../core/index.js";
import { drawFacePreview } from "../../../core/internal.js";
import { parseSize, requireString } from "../cli-values.js";
import { defineCommand, type CliCommand } from "../command.js";
import type { OpenFaceAnalysis } from "../face-analysis.js";

/** `instantid kps`: the keypoint image of a photo's main face (or of a pose photo's), for IdentityNet. */
export function kpsCommand(openFaceAnalysis: OpenFaceAnalysis): CliCommand {
  return defineCommand({
    path: ["kps"],
    opensSessions: true,
    summary:
      "Draw the keypoint image IdentityNet conditions on, from the largest face in IMAGE.\nWith --pose the keypoints (and " +
      "canvas) come from the pose photo instead, as InstantID's pose transfer.",
    positionals: "IMAGE",
    options: {
      out: { type: "string", short: "o", value: "FILE", description: "PNG to write (required)" },
      models: { type: "string", value: "DIR", description: "Folder with models.json for face analysis (required)" },
      pose: { type: "string", value: "IMAGE", description: "Take the keypoints from this photo instead" },
      size: {
        type: "string",
        value: "WxH",
        description:
          "Canvas size; the photo is fitted in whole with one scale factor and centred, so the face keeps its proportions " +
          "(default: the photo's size)",
      },
      "working-size": { type: "boolean", description: "Use the reference app's working size (long side 1280, multiples of 64)" },
      preview: { type: "string", value: "FILE", description: "Also write the photo with the detected boxes and keypoints drawn over it" },
    },
    examples: [
      "instantid kps me.jpg --models models -o kps.png",
      "instantid kps me.jpg --pose dancer.jpg --working-size --models models -o kps.png --preview check.png",
    ],
    async run({ values, positionals }, io) {
      const out = requireString(values.out, "out", "kps.png");
      const models = requireString(values.models, "models", "models");
      const photo = values.pose === undefined ? requireString(positionals[0], "IMAGE", "me.jpg") : (values.pose as string);
      const { analyzer } = await openFaceAnalysis(models);
      const image = await loadImage(photo);
      const faces = await analyzer.analyze(image);
      const face = largestFace(faces, photo);
      const size = values.size ? parseSize(values.size as string) : values["working-size"] ? workingSize(image) : image;
      const kps = fitKeypoints(face.kps, image, size);
      await savePng(out, renderKeypoints(kps, size));
      io.stdout(
        `${out}: ${size.width}x${size.height} keypoint image from ${photo} (${faces.length} face${faces.length === 1 ? "" : "s"} ` +
          `found, largest used)\n`,
      );
      if (typeof values.preview === "string") {
        await savePng(values.preview, drawFacePreview(image, faces));
        io.stdout(`${values.preview}: preview of ${photo}\n`);
      }
      return 0;
    },
  });
}
