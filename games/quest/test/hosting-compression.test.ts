/** Production hosting: the build's precompressed siblings, served by the real server with cache headers. */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQuestGame } from "../src/server/game.js";
import { loadWorldMap } from "../src/server/world-map.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The page-weight target: compressed bytes of everything the first load fetches. */
const PAGE_WEIGHT_TARGET_BYTES = 800 * 1024;
/** A production build with brotli at quality 11 takes ~25 s on the loaded 2-core machine. */
const BUILD_TIMEOUT_MS = 120_000;
/** What a browser sends. */
const BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (fetch would decode the body and hide what went over the wire). */
function get(port: number, path: string, acceptEncoding: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: "127.0.0.1", port, path, headers: { "Accept-Encoding": acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    sent.on("error", reject);
    sent.end();
  });
}

describe("Quest's production build, hosted by the tickwire server", () => {
  const outDir = mkdtempSync(join(tmpdir(), "quest-hosting-"));
  let server: TickwireServer;
  let assets: string[];

  beforeAll(async () => {
    await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
    assets = readdirSync(join(outDir, "assets"));
    server = await createServer({
      host: "127.0.0.1",
      port: 0,
      worlds: [{ id: "quest-1", game: createQuestGame({ map: loadWorldMap() }) }],
      static: { dir: outDir },
      logger: silentLogger(),
      defaultMetrics: false,
    });
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("writes .br and .gz beside every js, css, html, xml and json file, and none beside PNGs", () => {
    const texts = ["index.html", ...assets.filter((file) => /\.(js|css|xml|json)$/.test(file)).map((file) => `assets/${file}`)];
    expect(texts.some((file) => file.endsWith(".js"))).toBe(true);
    for (const file of texts) {
      const original = readFileSync(join(outDir, file));
      expect(brotliDecompressSync(readFileSync(join(outDir, `${file}.br`))).equals(original)).toBe(true);
      expect(gunzipSync(readFileSync(join(outDir, `${file}.gz`))).equals(original)).toBe(true);
    }
    const pngs = assets.filter((file) => file.endsWith(".png"));
    expect(pngs.length).toBeGreaterThan(0);
    for (const png of pngs) {
      expect(assets).not.toContain(`${png}.br`);
      expect(assets).not.toContain(`${png}.gz`);
    }
  });

  it("answers Accept-Encoding br with the brotli file, caching hashed assets for a year and revalidating index.html; the first load stays under 800 KiB", async () => {
    const script = assets.find((file) => /^index-[\w-]{8,}\.js$/.test(file))!;
    const js = await get(server.port, `/assets/${script}`, "br");
    expect(js.status).toBe(200);
    expect(js.headers["content-encoding"]).toBe("br");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers.vary).toBe("Accept-Encoding");
    expect(brotliDecompressSync(js.body).equals(readFileSync(join(outDir, "assets", script)))).toBe(true);

    const gzipOnly = await get(server.port, `/assets/${script}`, "gzip");
    expect(gzipOnly.headers["content-encoding"]).toBe("gzip");

    const page = await get(server.port, "/", "br");
    expect(page.headers["content-encoding"]).toBe("br");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers.etag).toBeDefined();

    const png = assets.find((file) => file.endsWith(".png"))!;
    const image = await get(server.port, `/assets/${png}`, "br");
    expect(image.headers["content-encoding"]).toBeUndefined();
    expect(image.headers["cache-control"]).toBe("public, max-age=31536000, immutable");

    // The page, then everything it references: every emitted asset is loaded at start (the
    // boot scene loads all the art and the map), so the first load fetches the whole build.
    const firstLoad = ["/", ...assets.filter((file) => !/\.(br|gz)$/.test(file)).map((file) => `/assets/${file}`)];
    let raw = 0;
    let sent = 0;
    for (const path of firstLoad) {
      const answer = await get(server.port, path, BROWSER_ACCEPT_ENCODING);
      expect(answer.status).toBe(200);
      sent += answer.body.length;
      raw += readFileSync(join(outDir, path === "/" ? "index.html" : path)).length;
    }
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(`Quest first load: ${firstLoad.length} files, ${kib(raw)} raw, ${kib(sent)} as sent to a browser (brotli for text)`);
    expect(sent).toBeLessThanOrEqual(PAGE_WEIGHT_TARGET_BYTES);
  });
});
