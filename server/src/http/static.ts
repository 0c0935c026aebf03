import { type Stats, promises as fs } from "node:fs";
import path from "node:path";
import type { Header } from "./respond.js";

export interface StaticOptions {
  /** Directory of the built client (e.g. Vite's `dist`). */
  dir: string;
  /** Serve index.html for extension-less paths that match no file (client-side routing). */
  spaFallback?: boolean;
}

export type StaticResult =
  | { readonly kind: "file"; readonly status: 200 | 304; readonly body: Uint8Array; readonly headers: Header[] }
  | { readonly kind: "refused"; readonly status: 400 | 404; readonly reason: string };

const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
  ".m4a": "audio/mp4",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
};
const DEFAULT_MIME_TYPE = "application/octet-stream";

/**
 * Bundlers name assets `name-<hash>.ext` or `name.<hash>.ext` with a hash of 8+ url-safe
 * characters; such a file never changes, so browsers may keep it forever.
 */
const HASHED_ASSET = /[.-][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Everything else (index.html first) is revalidated on each use, cheaply thanks to the ETag. */
const REVALIDATE = "no-cache";

/** Precompressed siblings, best first, with the Accept-Encoding token that unlocks each. */
const ENCODINGS = [
  { token: "br", suffix: ".br" },
  { token: "gzip", suffix: ".gz" },
] as const;

/**
 * Serves a built client directory: MIME types, cache headers, precompressed `.br`/`.gz`
 * variants, ETags, and no way out of the directory (no `..`, encoded or not, no dotfiles,
 * no symlinks pointing outside).
 */
export class StaticFiles {
  private readonly root: string;
  private realRoot: string | undefined;

  constructor(private readonly options: StaticOptions) {
    this.root = path.resolve(options.dir);
  }

  /**
   * @param rawPath the request path as sent (percent-encoded, without the query)
   * @param acceptEncoding the Accept-Encoding header ("" when absent)
   * @param ifNoneMatch the If-None-Match header ("" when absent)
   */
  async resolve(rawPath: string, acceptEncoding: string, ifNoneMatch: string): Promise<StaticResult> {
    const relative = safeRelativePath(rawPath);
    if (relative === undefined) return { kind: "refused", status: 400, reason: "bad path" };
    let found = await this.find(relative);
    if (found === undefined && this.options.spaFallback === true && path.posix.extname(relative) === "") {
      found = await this.find("index.html");
    }
    if (found === undefined) return { kind: "refused", status: 404, reason: "not found" };
    return this.load(found.file, found.stats, acceptEncoding, ifNoneMatch);
  }

  private async find(relative: string): Promise<{ file: string; stats: Stats } | undefined> {
    let file = path.join(this.root, relative);
    let stats = await statOrUndefined(file);
    if (stats?.isDirectory()) {
      file = path.join(file, "index.html");
      stats = await statOrUndefined(file);
    }
    if (stats === undefined || !stats.isFile()) return undefined;
    if (!(await this.insideRoot(file))) return undefined;
    return { file, stats };
  }

  /** Symlinks may point anywhere: the real path must still be under the real root. */
  private async insideRoot(file: string): Promise<boolean> {
    this.realRoot ??= await fs.realpath(this.root);
    const real = await fs.realpath(file);
    return real.startsWith(this.realRoot + path.sep);
  }

  private async load(file: string, stats: Stats, acceptEncoding: string, ifNoneMatch: string): Promise<StaticResult> {
    const extension = path.extname(file).toLowerCase();
    const headers: Header[] = [
      ["Content-Type", MIME_TYPES[extension] ?? DEFAULT_MIME_TYPE],
      ["Cache-Control", extension !== ".html" && HASHED_ASSET.test(path.basename(file)) ? IMMUTABLE : REVALIDATE],
      ["X-Content-Type-Options", "nosniff"],
    ];
    let served = file;
    let servedStats = stats;
    let variants = false;
    for (const { token, suffix } of ENCODINGS) {
      const variantStats = await statOrUndefined(file + suffix);
      if (variantStats === undefined || !variantStats.isFile()) continue;
      variants = true;
      if (served === file && accepts(acceptEncoding, token)) {
        served = file + suffix;
        servedStats = variantStats;
        headers.push(["Content-Encoding", token]);
      }
    }
    if (variants) headers.push(["Vary", "Accept-Encoding"]);
    const etag = `W/"${servedStats.size.toString(36)}-${Math.floor(servedStats.mtimeMs).toString(36)}${path.extname(served) === extension ? "" : path.extname(served)}"`;
    headers.push(["ETag", etag]);
    if (ifNoneMatch !== "" && ifNoneMatch.split(",").some((tag) => tag.trim() === etag)) {
      return { kind: "file", status: 304, body: new Uint8Array(0), headers };
    }
    return { kind: "file", status: 200, body: await fs.readFile(served), headers };
  }
}

/**
 * The request path as a relative file path, or undefined when it is malformed or tries to
 * leave the directory. Decodes percent-escapes first so `%2e%2e` is caught like `..`.
 */
export function safeRelativePath(rawPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const segments = decoded.split("/").filter((segment) => segment !== "" && segment !== ".");
  // ".." climbs out; any other dot-segment is a hidden file (.env, .git) that is never served.
  if (segments.some((segment) => segment.startsWith("."))) return undefined;
  return segments.length === 0 ? "index.html" : segments.join("/");
}

/** Whether an Accept-Encoding header allows `token` (absent or q > 0). */
export function accepts(acceptEncoding: string, token: string): boolean {
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (name.trim().toLowerCase() !== token) continue;
    const quality = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
    return quality === undefined || Number(quality.slice(2)) > 0;
  }
  return false;
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch {
    return undefined;
  }
}
