import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, silentLogger, type TickwireServer } from "@tickwire/server";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDotsGame } from "../src/server/world.js";
import { PLAYER_SPEED, WORLD_WIDTH } from "../src/shared/schema.js";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("..", import.meta.url));
const artifacts = join(root, "test-results", "artifacts");
/** The page is built fresh for the test, next to the artifacts, so a stale dist/public cannot pass. */
const publicDir = join(root, "test-results", "public");
/** Page A holds the arrow key until its dot has moved this far (world units). */
const DISTANCE = 120;

/** What the page exposes as `window.dots` (see src/client/main.ts). */
interface PageHandle {
  client: {
    state: string;
    entityId: number;
    predicted?: { x: number; y: number };
    get(id: number): { render: { x: number; y: number }; values: { x: number; y: number } } | undefined;
  };
  graph: { visible: boolean; canvas: HTMLCanvasElement };
}
declare const dots: PageHandle;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the dots browser test: ${CHROMIUM} is not installed (CI installs Debian's chromium)`);

describe.skipIf(!haveChromium)("dots in headless chromium", () => {
  let server: TickwireServer;
  let context: BrowserContext;
  let profile: string;
  let url: string;

  beforeAll(async () => {
    await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn", build: { outDir: publicDir } });
    server = await createServer({
      host: "127.0.0.1",
      port: 0,
      worlds: [{ id: "main", game: createDotsGame() }],
      static: { dir: publicDir },
      logger: silentLogger(),
      defaultMetrics: false,
    });
    url = `http://127.0.0.1:${server.port}/`;
    mkdirSync(artifacts, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), "dots-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 960, height: 640 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function openPage(name: string): Promise<Page> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${url}?name=${name}`);
    await page.waitForFunction(() => dots.client.state === "open" && dots.client.predicted !== undefined, null, { timeout: 10_000 });
    expect(problems).toEqual([]);
    return page;
  }

  it("the local dot moves on every frame at its speed (±25% of speed × frame time), with no console error on load", async () => {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.goto(`${url}?name=walker`);
    await page.waitForFunction(() => dots.client.state === "open" && dots.client.predicted !== undefined, null, { timeout: 10_000 });
    const start = await page.evaluate(() => ({ ...dots.client.predicted! }));
    const key = start.x < WORLD_WIDTH / 2 ? "ArrowRight" : "ArrowLeft";
    await page.keyboard.down(key);
    // Past the first ticks of acceleration from rest, record 1 s of frames: [time, drawn x].
    const frames = await page.evaluate(
      () =>
        new Promise<number[][]>((resolve) => {
          const out: number[][] = [];
          const begin = performance.now();
          const record = (now: number) => {
            const local = dots.client.get(dots.client.entityId);
            if (now - begin > 300 && local !== undefined) out.push([now, local.render.x]);
            if (now - begin < 1_300) requestAnimationFrame(record);
            else resolve(out);
          };
          requestAnimationFrame(record);
        }),
    );
    await page.keyboard.up(key);
    let within = 0;
    for (let i = 1; i < frames.length; i++) {
      const step = Math.abs(frames[i][1] - frames[i - 1][1]);
      const expected = (PLAYER_SPEED * (frames[i][0] - frames[i - 1][0])) / 1000;
      if (step >= expected * 0.75 && step <= expected * 1.25) within++;
    }
    // Headless chromium on a loaded machine hitches (≈ 90% alone, 86% under the full suite);
    // tick-rate stepping puts at most one frame in three within (0% measured before the fix).
    expect(frames.length).toBeGreaterThan(30);
    expect(within / (frames.length - 1)).toBeGreaterThanOrEqual(0.75);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it("page B sees page A's dot move the way A's arrow key moved it; the net graph draws", async () => {
    const a = await openPage("alice");
    const b = await openPage("bob");
    const aId = await a.evaluate(() => dots.client.entityId);
    await b.waitForFunction((id) => dots.client.get(id) !== undefined, aId, { timeout: 5_000 });
    const start = await a.evaluate(() => ({ ...dots.client.predicted! }));
    // Move toward the far side of the world, so the wall never stops the dot early.
    const direction = start.x < WORLD_WIDTH / 2 ? 1 : -1;
    const key = direction > 0 ? "ArrowRight" : "ArrowLeft";
    const target = start.x + direction * DISTANCE;
    const startSeenByB = await b.evaluate((id) => {
      const { x, y } = dots.client.get(id)!.render;
      return [x, y];
    }, aId);
    expect(startSeenByB).toEqual([start.x, start.y]);

    // B records where it draws A's dot on every frame while A moves.
    await b.evaluate((id) => {
      const trace: number[][] = [];
      (globalThis as { trace?: number[][] }).trace = trace;
      const record = () => {
        const seen = dots.client.get(id);
        if (seen !== undefined) trace.push([seen.render.x, seen.render.y]);
        requestAnimationFrame(record);
      };
      requestAnimationFrame(record);
    }, aId);

    await a.keyboard.down(key);
    await a.waitForFunction(([x, sign]) => (dots.client.predicted!.x - x) * sign >= 0, [target, direction] as const, {
      timeout: 10_000,
    });
    await a.keyboard.up(key);

    // A stops where its prediction says and the server agrees.
    await a.waitForFunction(() => {
      const self = dots.client.get(dots.client.entityId)!;
      return dots.client.predicted!.x === self.values.x;
    }, null, { timeout: 5_000 });
    const end = await a.evaluate(() => ({ ...dots.client.predicted! }));
    expect((end.x - target) * direction).toBeGreaterThanOrEqual(0);
    expect(end.y).toBe(start.y);
    // B draws A's dot there too, having moved it the same way: one direction only, through the points between.
    await b.waitForFunction(
      ([id, x, y]) => {
        const seen = dots.client.get(id)?.render;
        return seen !== undefined && seen.x === x && seen.y === y;
      },
      [aId, end.x, end.y] as const,
      { timeout: 5_000 },
    );
    const trace = await b.evaluate(() => (globalThis as { trace?: number[][] }).trace!);
    for (let i = 1; i < trace.length; i++) {
      expect((trace[i][0] - trace[i - 1][0]) * direction).toBeGreaterThanOrEqual(0);
      expect(trace[i][1]).toBe(start.y);
    }
    const between = new Set(trace.map(([x]) => x).filter((x) => (x - start.x) * direction > 0 && (end.x - x) * direction > 0));
    expect(between.size).toBeGreaterThan(5);

    // The net graph: F3 shows it, and it draws (non-transparent pixels).
    await a.keyboard.press("F3");
    await a.waitForFunction(() => dots.graph.visible, null, { timeout: 2_000 });
    await a.waitForTimeout(300);
    const painted = await a.evaluate(() => {
      const canvas = dots.graph.canvas;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) count++;
      return { count, total: pixels.length / 4, display: getComputedStyle(canvas).display };
    });
    expect(painted.display).toBe("block");
    expect(painted.count).toBeGreaterThan(painted.total / 2);

    await a.screenshot({ path: join(artifacts, "dots-page-a-netgraph.png") });
    await b.screenshot({ path: join(artifacts, "dots-page-b.png") });
  }, 60_000);
});
