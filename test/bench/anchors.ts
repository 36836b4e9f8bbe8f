import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's interpreter, where python3-torch / python3-opencv install (a pyenv shim on PATH may lack them). */
const DEBIAN_PYTHON = "/usr/bin/python3";

/** A baseline measured by another library in this run, or why there is none. */
export type Anchor<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * Runs `script` with Debian's python3 when `modules` import there; the bench's optional same-run anchors
 * (PyTorch, OpenCV). CI and users never need Python: without it the anchor is skipped with the reason.
 * OPENBLAS_* / OMP_* variables are removed so the library picks its threads as it does by default.
 */
export async function pythonAnchor<T>(modules: readonly string[], script: string, timeoutMs = 600_000): Promise<Anchor<T>> {
  if (!existsSync(DEBIAN_PYTHON)) return { ok: false, reason: `${DEBIAN_PYTHON} is absent` };
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OPENBLAS|OMP|MKL)_/.test(key)));
  try {
    await run(DEBIAN_PYTHON, ["-c", modules.map((m) => `import ${m}`).join("; ")], { env });
  } catch {
    return {
      ok: false,
      reason:
        `${DEBIAN_PYTHON} cannot import ${modules.join(", ")} (apt-get install ` +
        `${modules.map((m) => (m === "cv2" ? "python3-opencv" : `python3-${m}`)).join(" ")})`,
    };
  }
  const { stdout } = await run(DEBIAN_PYTHON, ["-c", script], { env, maxBuffer: 1 << 20, timeout: timeoutMs });
  return { ok: true, value: JSON.parse(stdout.trim().split("\n").pop()!) as T };
}

/** Which BLAS library PyTorch has loaded once it has multiplied two matrices (from the process's memory maps). */
export const TORCH_BLAS_SCRIPT = `
import json, torch
torch.ones(64, 64) @ torch.ones(64, 64)
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
print(json.dumps({"blas": ", ".join(libs) or "none (linked in)"}))
`;

/**
 * PyTorch doing the Image Adapter work the bench times: the Resampler (ip_adapter/resampler.py's
 * computation, random weights of InstantID's shapes) at batch 1 and 2, and the 70 layers' K/V
 * projections at batch 2; median ms of `runs`, best of 1 and all threads (the faster is PyTorch's figure).
 */
export const TORCH_ADAPTER_SCRIPT = `
import json, math, time, torch
torch.manual_seed(0)
dim, depth, heads, dim_head, queries, emb, out_dim, ff = 1280, 4, 20, 64, 16, 512, 2048, 5120
inner = heads * dim_head
L = lambda i, o, bias=False: torch.nn.Linear(i, o, bias=bias)
class Attn(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.norm1 = torch.nn.LayerNorm(dim); s.norm2 = torch.nn.LayerNorm(dim)
        s.to_q = L(dim, inner); s.to_kv = L(dim, 2 * inner); s.to_out = L(inner, dim)
    def forward(s, x, lat):
        x = s.norm1(x); lat = s.norm2(lat); b, l, _ = lat.shape
        q = s.to_q(lat); k, v = s.to_kv(torch.cat((x, lat), dim=-2)).chunk(2, dim=-1)
        r = lambda t: t.reshape(b, t.shape[1], heads, -1).transpose(1, 2)
        q, k, v = r(q), r(k), r(v)
        sc = 1 / math.sqrt(math.sqrt(dim_head))
        w = torch.softmax(((q * sc) @ (k * sc).transpose(-2, -1)).float(), dim=-1)
        return s.to_out((w @ v).permute(0, 2, 1, 3).reshape(b, l, -1))
class Resampler(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.latents = torch.nn.Parameter(torch.randn(1, queries, dim) / dim ** 0.5)
        s.proj_in = L(emb, dim, True); s.proj_out = L(dim, out_dim, True); s.norm_out = torch.nn.LayerNorm(out_dim)
        block = lambda: torch.nn.ModuleList([Attn(), torch.nn.Sequential(torch.nn.LayerNorm(dim), L(dim, ff), torch.nn.GELU(), L(ff, dim))])
        s.layers = torch.nn.ModuleList([block() for _ in range(depth)])
    def forward(s, x):
        lat = s.latents.repeat(x.size(0), 1, 1); x = s.proj_in(x)
        for a, f in s.layers:
            lat = a(x, lat) + lat; lat = f(lat) + lat
        return s.norm_out(s.proj_out(lat))
model = Resampler().eval()
kv = [torch.randn(w, out_dim) * 0.02 for w in [640] * 10 + [1280] * 60 for _ in (0, 1)]
def median(fn, runs):
    fn(); fn(); t = []
    for _ in range(runs):
        s = time.perf_counter(); fn(); t.append((time.perf_counter() - s) * 1000)
    return sorted(t)[len(t) // 2]
res = {}
with torch.no_grad():
    for threads in (1, torch.get_num_threads()):
        torch.set_num_threads(threads)
        for b in (1, 2):
            x = torch.randn(b, 1, emb)
            res.setdefault("resampler_b%d" % b, []).append(median(lambda: model(x), 9))
        tokens = torch.randn(2, queries, out_dim)
        res.setdefault("kv_b2", []).append(median(lambda: [torch.nn.functional.linear(tokens, w) for w in kv], 5))
print(json.dumps({k: min(v) for k, v in res.items()}))
`;
