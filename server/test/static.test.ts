import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepts, safeRelativePath } from "../src/http/static.js";
import { testGame } from "./helpers/games.js";
import { type StartedServer, startServer } from "./helpers/server.js";

describe("safeRelativePath", () => {
  it.each([
    ["/", "index.html"],
    ["/assets/app.js", "assets/app.js"],
    ["/a//b/./c.txt", "a/b/c.txt"],
    ["/caf%C3%A9.png", "café.png"],
  ])("maps %s to %s", (raw, expected) => {
    expect(safeRelativePath(raw)).toBe(expected);
  });

  it.each([
    ["parent segment", "/../secret.txt"],
    ["nested parent segment", "/assets/../../secret.txt"],
    ["encoded dots", "/%2e%2e/secret.txt"],
    ["encoded slash and dots", "/assets%2f..%2f..%2fsecret.txt"],
    ["backslash", "/..\\secret.txt"],
    ["NUL byte", "/index.html%00.png"],
    ["malformed escape", "/%E0%A4%A"],
    ["dotfile", "/.env"],
    ["dot directory", "/.git/config"],
  ])("refuses a %s (%s)", (_name, raw) => {
    expect(safeRelativePath(raw)).toBeUndefined();
  });
});

describe("accepts", () => {
  it("reads Accept-Encoding tokens, honouring q=0", () => {
    expect(accepts("gzip, deflate, br", "br")).toBe(true);
    expect(accepts("gzip;q=1.0, br;q=0", "br")).toBe(false);
    expect(accepts("GZIP", "gzip")).toBe(true);
    expect(accepts("", "gzip")).toBe(false);
    expect(accepts("brotli", "br")).toBe(false);
  });
});

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP GET: the path is sent exactly as given (fetch would normalize `..`). */
function get(port: number, rawPath: string, headers: Record<string, string> = {}, method = "GET"): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("static hosting", () => {
  let root: string;
  let server: StartedServer;
  const script = "console.log('tickwire');\n".repeat(50);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "tickwire-static-"));
    const dist = path.join(root, "dist");
    mkdirSync(path.join(dist, "assets"), { recursive: true });
    writeFileSync(path.join(root, "secret.txt"), "top secret");
    writeFileSync(path.join(dist, ".env"), "TOKEN=1");
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>game</title>");
    writeFileSync(path.join(dist, "assets", "app-Bx7kQ9zA.js"), script);
    writeFileSync(path.join(dist, "assets", "app-Bx7kQ9zA.js.br"), brotliCompressSync(script));
    writeFileSync(path.join(dist, "assets", "app-Bx7kQ9zA.js.gz"), gzipSync(script));
    writeFileSync(path.join(dist, "assets", "tiles.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    symlinkSync(path.join(root, "secret.txt"), path.join(dist, "linked.txt"));
    server = await startServer({ game: testGame(), static: { dir: dist, spaFallback: true } });
  });

  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serves index.html at / with no-cache", async () => {
    const res = await get(server.port, "/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body.toString()).toContain("<title>game</title>");
  });

  it("serves hashed assets as immutable with their MIME type", async () => {
    const res = await get(server.port, "/assets/app-Bx7kQ9zA.js");
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.body.toString()).toBe(script);
    const png = await get(server.port, "/assets/tiles.png");
    expect(png.headers["content-type"]).toBe("image/png");
  });

  it("serves the .br variant when the client accepts brotli, else .gz, else identity", async () => {
    const br = await get(server.port, "/assets/app-Bx7kQ9zA.js", { "accept-encoding": "gzip, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toBe("Accept-Encoding");
    expect(br.body.equals(brotliCompressSync(script))).toBe(true);
    const gz = await get(server.port, "/assets/app-Bx7kQ9zA.js", { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.body.equals(gzipSync(script))).toBe(true);
    const plain = await get(server.port, "/assets/app-Bx7kQ9zA.js", { "accept-encoding": "br;q=0" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it("answers a matching If-None-Match with 304 and no body", async () => {
    const first = await get(server.port, "/");
    const again = await get(server.port, "/", { "if-none-match": String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers["content-length"]).toBeUndefined();
  });

  it.each([
    ["..", "/../secret.txt"],
    ["encoded ..", "/%2e%2e/secret.txt"],
    ["encoded slashes", "/assets%2f..%2f..%2fsecret.txt"],
    ["absolute path", "//etc/passwd"],
    ["dotfile", "/.env"],
    ["symlink out of the directory", "/linked.txt"],
  ])("never serves a file outside the directory (%s)", async (_name, rawPath) => {
    const res = await get(server.port, rawPath);
    // A refusal, or the SPA fallback's index.html for extension-less paths: never the file.
    if (res.status === 200) expect(res.body.toString()).toContain("<title>game</title>");
    else expect([400, 404]).toContain(res.status);
    expect(res.body.toString()).not.toContain("top secret");
    expect(res.body.toString()).not.toContain("TOKEN");
    expect(res.body.toString()).not.toContain("root:");
  });

  it("falls back to index.html for extension-less client routes, but 404s missing files", async () => {
    const route = await get(server.port, "/lobby/42");
    expect(route.status).toBe(200);
    expect(route.body.toString()).toContain("<title>game</title>");
    expect((await get(server.port, "/missing.js")).status).toBe(404);
  });

  it("answers HEAD without a body and refuses other methods with 405", async () => {
    const head = await get(server.port, "/", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    // uWS v20 does not take chunked request bodies: say there is none.
    const post = await get(server.port, "/", { "content-length": "0" }, "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });
});
