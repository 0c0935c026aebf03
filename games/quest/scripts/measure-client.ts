/**
 * Measures Quest's first load in headless chromium against the real server on loopback:
 * the bytes of everything the first load fetches (as served, and gzip -9 / brotli of each
 * text body, images as they are: what a compressing host sends) and the time from navigation to the first rendered
 * game frame (the map drawn with the local player in it, `?name=` skipping the title form).
 *
 *   npm run build -w @tickwire/quest && node --conditions=source --import tsx scripts/measure-client.ts [runs]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv[2] ?? 5);

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/server/main.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", QUEST_WORLDS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /open (http:\/\/\S+\/)/.exec(output);
      if (match) resolve({ child, url: match[1].replace("localhost", "127.0.0.1") });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
}

const { child, url } = await startServer();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const times: number[] = [];
let files: { url: string; raw: number; served: number; encoding: string; gzip: number; brotli: number }[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const seen: Promise<(typeof files)[number] | null>[] = [];
    page.on("response", (response) => {
      seen.push(
        (async () => {
          if (!response.url().startsWith(url)) return null;
          const body = await response.body().catch(() => null);
          if (body === null) return null;
          const sizes = await response.request().sizes();
          // Images are compressed already: hosts send them as they are.
          const image = /\.(png|jpe?g|webp)$/.test(new URL(response.url()).pathname);
          return {
            url: response.url().slice(url.length - 1),
            raw: body.length,
            served: sizes.responseBodySize,
            encoding: (await response.headerValue("content-encoding")) ?? "identity",
            gzip: image ? body.length : gzipSync(body, { level: 9 }).length,
            brotli: image ? body.length : brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
          };
        })(),
      );
    });
    await page.goto(`${url}?name=measure${run}`);
    await page.waitForFunction(() => {
      const view = (globalThis as { __quest?: { firstFrameAt: number } }).__quest;
      return view !== undefined && !Number.isNaN(view.firstFrameAt);
    }, null, { timeout: 30_000 });
    times.push(await page.evaluate(() => (globalThis as unknown as { __quest: { firstFrameAt: number } }).__quest.firstFrameAt));
    files = (await Promise.all(seen)).filter((f) => f !== null);
    await context.close();
  }
} finally {
  await browser.close();
  child.kill("SIGTERM");
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log("first load (last run):");
for (const f of files) console.log(`  ${f.url.padEnd(44)} raw ${kib(f.raw).padStart(11)}  served ${kib(f.served).padStart(11)} (${f.encoding})  gzip ${kib(f.gzip).padStart(10)}  br ${kib(f.brotli).padStart(10)}`);
const sum = (key: "raw" | "served" | "gzip" | "brotli") => files.reduce((total, f) => total + f[key], 0);
console.log(`  total: raw ${kib(sum("raw"))}, as served ${kib(sum("served"))}, gzip -9 ${kib(sum("gzip"))}, brotli ${kib(sum("brotli"))}`);
times.sort((x, y) => x - y);
console.log(`navigation -> first game frame, ms (${runs} runs, sorted): ${times.map((t) => t.toFixed(0)).join(", ")}; median ${times[Math.floor(times.length / 2)].toFixed(0)}`);
