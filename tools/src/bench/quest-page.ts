/**
 * Quest's first load in headless chromium against the real server on loopback, as
 * games/quest/scripts/measure-client.ts measures it: the compressed bytes of everything the
 * first load fetches (each text body gzip -9'd, what a compressing host sends; images as they
 * are) and the time from navigation to the first rendered game frame (`?name=` skips the
 * title form; the client sets `window.__quest.firstFrameAt`). Builds the client first when
 * `games/quest/dist/client` is missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { nextMessage, spawnChild, stopChild } from "./children.js";
import { median, progress } from "./harness.js";
import type { QuestServerReply } from "./quest-ipc.js";
import { QUEST_DIR } from "./quest-paths.js";

const CHROMIUM = "/usr/bin/chromium";
/** SwiftShader: WebGL without a GPU, as the game's browser tests run it. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const FIRST_FRAME_TIMEOUT_MS = 30_000;
const STARTUP_TIMEOUT_MS = 30_000;
const IMAGE = /\.(png|jpe?g|webp)$/;

export interface QuestPageFigures {
  /** Compressed bytes of the first load (text gzip -9, images as they are). */
  pageBytes: number;
  files: number;
  /** Navigation to the first rendered game frame: the median of `runs`, and each run's. */
  firstFrameMs: number;
  firstFrameRunsMs: number[];
}

/** Builds Quest (client and server) unless its client is built already. */
export function ensureQuestClient(): void {
  if (existsSync(join(QUEST_DIR, "dist", "client", "index.html"))) return;
  progress("quest: no built client in games/quest/dist/client: npm run build -w @tickwire/quest");
  const built = spawnSync("npm", ["run", "build", "-w", "@tickwire/quest"], { cwd: join(QUEST_DIR, "..", ".."), stdio: ["ignore", "ignore", "inherit"] });
  if (built.status !== 0) throw new Error(`building Quest failed (exit ${built.status})`);
}

/** `runs` fresh browser contexts against a one-world Quest server; the page weight from the last. */
export async function measureQuestPage(runs: number): Promise<QuestPageFigures> {
  ensureQuestClient();
  const server = spawnChild("quest-server.ts", { worlds: 1, mobsPerWorld: null }, null);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS }).catch(async (error: unknown) => {
    await stopChild(server);
    throw error;
  });
  try {
    const { port } = await nextMessage<QuestServerReply, "ready">(server, "ready", STARTUP_TIMEOUT_MS);
    const origin = `http://127.0.0.1:${port}`;
    const times: number[] = [];
    let sizes: number[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      const seen: Promise<number | null>[] = [];
      page.on("response", (response) => {
        seen.push(
          (async () => {
            if (!response.url().startsWith(origin)) return null;
            const body = await response.body().catch(() => null);
            if (body === null) return null;
            return IMAGE.test(new URL(response.url()).pathname) ? body.length : gzipSync(body, { level: 9 }).length;
          })(),
        );
      });
      await page.goto(`${origin}/?name=bench${run}`);
      await page.waitForFunction(
        () => {
          const view = (globalThis as { __quest?: { firstFrameAt: number } }).__quest;
          return view !== undefined && !Number.isNaN(view.firstFrameAt);
        },
        null,
        { timeout: FIRST_FRAME_TIMEOUT_MS },
      );
      times.push(await page.evaluate(() => (globalThis as unknown as { __quest: { firstFrameAt: number } }).__quest.firstFrameAt));
      sizes = (await Promise.all(seen)).filter((size) => size !== null);
      await context.close();
    }
    return { pageBytes: sizes.reduce((sum, size) => sum + size, 0), files: sizes.length, firstFrameMs: median(times), firstFrameRunsMs: times };
  } finally {
    await browser.close();
    await stopChild(server);
  }
}
