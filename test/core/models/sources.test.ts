import { describe, expect, it } from "vitest";
import { antelopev2Pack, instantIdPack } from "../../../core/models/catalog.js";
import { fileUrl, packBaseUrl } from "../../../core/models/sources.js";

describe("packBaseUrl", () => {
  it("points at Hugging Face's resolve/<revision> URL of the pack's repository by default", () => {
    expect(packBaseUrl(instantIdPack, {}, {})).toBe("https://huggingface.co/InstantX/InstantID/resolve/main");
    expect(packBaseUrl(antelopev2Pack, {}, {})).toBe("https://huggingface.co/DIAMONIK7777/antelopev2/resolve/main");
  });

  it("uses a mirror host from INSTANTID_HF_BASE, and the option over the variable", () => {
    expect(packBaseUrl(instantIdPack, {}, { INSTANTID_HF_BASE: "https://hf-mirror.com/" })).toBe(
      "https://hf-mirror.com/InstantX/InstantID/resolve/main",
    );
    expect(packBaseUrl(instantIdPack, { hfBase: "http://a" }, { INSTANTID_HF_BASE: "http://b" })).toBe(
      "http://a/InstantX/InstantID/resolve/main",
    );
  });

  it("lets a per-pack URL (option, then the pack's variable) win over the host", () => {
    const env = { INSTANTID_ANTELOPEV2_BASE: "http://env/antelope", INSTANTID_HF_BASE: "http://host" };
    expect(packBaseUrl(antelopev2Pack, {}, env)).toBe("http://env/antelope");
    expect(packBaseUrl(antelopev2Pack, { packBase: { antelopev2: "http://opt/a/" } }, env)).toBe("http://opt/a");
    expect(packBaseUrl(instantIdPack, {}, env)).toBe("http://host/InstantX/InstantID/resolve/main");
  });
});

describe("fileUrl", () => {
  it("joins the base and the file path, escaping each path segment", () => {
    expect(fileUrl("http://h/base/", { path: "Control Net/a b.json", required: true, description: "" })).toBe(
      "http://h/base/Control%20Net/a%20b.json",
    );
  });
});
