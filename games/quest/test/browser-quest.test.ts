import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorldMap } from "../src/server/world-map.js";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("..", import.meta.url));
const artifacts = join(root, "test-results", "artifacts");
/** Headless chromium has no GPU: SwiftShader gives Phaser a (software) WebGL. */
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
/** A click target this many tiles of path away: a real walk, short enough for a lean test. */
const MIN_PATH = 4;
const MAX_PATH = 9;

interface TilePoint {
  tx: number;
  ty: number;
}
/** What the page exposes as `window.__quest` (src/client/game-scene.ts, debugView). */
interface QuestView {
  state: string;
  entityId: number;
  renderer: string;
  firstFrameAt: number;
  localTile: TilePoint | null;
  localDrawn: { x: number; y: number } | null;
  walking: boolean;
  others: { id: number; name: string; drawnName: string | null; x: number; y: number; tx: number; ty: number }[];
  bubbles: { id: number; text: string; drawn: string; browserFont: boolean; page: { left: number; top: number; right: number; bottom: number } }[];
  hud: { log: string[]; toasts: string[] };
  notices: string[];
  population: { world: number; total: number };
  portals: { kind: string; from: TilePoint; to: TilePoint }[];
  camera: { x: number; y: number };
  me: { hp: number; maxHp: number; weapon: number; armor: number; invincible: boolean; dead: boolean } | null;
  mobs: { id: number; kind: string; hp: number; x: number; y: number; tx: number; ty: number }[];
  engaged: { kind: string; id: number } | null;
  damageNumbers: { shown: { target: number; text: string }[]; floating: number };
  deaths: number[];
  npcs: { id: number; kind: string; tx: number; ty: number; saying: string | null }[];
  chests: { id: number; tx: number; ty: number }[];
  said: { id: number; line: string; index: number; last: boolean }[];
  achievements: string[];
  pathLength(tx: number, ty: number): number | null;
  tileToPage(tx: number, ty: number): { x: number; y: number };
  worldToPage(x: number, y: number): { x: number; y: number };
}
declare const __quest: QuestView;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the Quest browser test: ${CHROMIUM} is not installed`);

/** Players the test servers keep, in a directory of this run's own. */
const dataDir = mkdtempSync(join(tmpdir(), "quest-browser-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the real Quest server (src/server/main.ts) on a free port; resolves with its URL. */
function startServer(env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/server/main.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", QUEST_WORLDS: "1", QUEST_DATA_DIR: dataDir, ...env },
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
    child.once("exit", (code) => reject(new Error(`the Quest server exited (${code}):\n${output}`)));
  });
}

describe.skipIf(!haveChromium)("Quest in headless chromium against the real server", () => {
  let server: ChildProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    // The server hosts dist/client: build it fresh so a stale build cannot pass.
    await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" });
    ({ child: server, url } = await startServer());
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
  });

  /** A page in a browser context of its own (its own localStorage, so its own secret and player). */
  async function enter(name: string, query = ""): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 960, height: 600 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${url}?name=${encodeURIComponent(name)}${query}`);
    await page.waitForFunction(() => {
      const view = (globalThis as { __quest?: QuestView }).__quest;
      return view?.state === "open" && view.localTile !== null && !Number.isNaN(view.firstFrameAt);
    }, null, {
      timeout: 20_000,
    });
    expect(problems).toEqual([]);
    return page;
  }

  it("A clicks a tile and walks there, B sees A arrive on it; A's chat shows as a bubble over A on B's screen; an arrow-key tap walks whole tiles and is never drawn stepping back; A's name and lines in any script are drawn whole, and A's bubbles stay inside B's view", async () => {
    const alice = "José Müller";
    const a = await enter(alice);
    const b = await enter("bob");
    expect(await a.evaluate(() => __quest.renderer)).toBe("webgl");
    const aId = await a.evaluate(() => __quest.entityId);
    await b.waitForFunction(([id, name]) => __quest.others.some((o) => o.id === id && o.name === name), [aId, alice] as const, { timeout: 10_000 });
    // The bitmap font has no é or ü: the name is drawn in a browser font, whole.
    expect(await b.evaluate((id) => __quest.others.find((o) => o.id === id)!.drawnName, aId)).toBe(alice);
    // Population reaches the HUD within a second or so (the server sends it every second).
    await b.waitForFunction(() => __quest.population.world === 2, null, { timeout: 5_000 });

    // A reachable tile a few steps away, on A's screen.
    const target = await a.evaluate(
      ([min, max]) => {
        const from = __quest.localTile!;
        for (const [dx, dy] of [
          [5, 2],
          [-5, 2],
          [5, -2],
          [-5, -2],
          [4, 0],
          [-4, 0],
          [0, 4],
          [0, -4],
          [3, 3],
          [-3, -3],
        ]) {
          const tile = { tx: from.tx + dx, ty: from.ty + dy };
          const length = __quest.pathLength(tile.tx, tile.ty);
          if (length !== null && length >= min && length <= max) return tile;
        }
        return null;
      },
      [MIN_PATH, MAX_PATH] as const,
    );
    expect(target).not.toBeNull();
    const { tx, ty } = target!;
    const before = await a.evaluate(() => __quest.localDrawn!);
    const point = await a.evaluate(([x, y]) => __quest.tileToPage(x, y), [tx, ty] as const);
    await a.mouse.click(point.x, point.y);
    // Predicted: A moves within a few frames of the click, not a round trip later.
    const moved = await a.evaluate(
      (start) =>
        new Promise<boolean>((resolve) => {
          let frames = 0;
          const check = () => {
            const now = __quest.localDrawn!;
            if (now.x !== start.x || now.y !== start.y) resolve(true);
            else if (++frames > 3) resolve(false);
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
      before,
    );
    expect(moved).toBe(true);
    await a.screenshot({ path: join(artifacts, "browser-a-walking.png") });

    await a.waitForFunction(([x, y]) => __quest.localTile?.tx === x && __quest.localTile?.ty === y && !__quest.walking, [tx, ty] as const, {
      timeout: 10_000,
    });
    await b.waitForFunction(
      ([id, x, y]) => __quest.others.some((o) => o.id === id && o.x === x * 16 + 8 && o.y === y * 16 + 8),
      [aId, tx, ty] as const,
      { timeout: 10_000 },
    );

    const line = "hello from alice";
    await a.keyboard.press("Enter");
    await a.keyboard.type(line);
    await a.keyboard.press("Enter");
    await b.waitForFunction(([id, text]) => __quest.bubbles.some((bubble) => bubble.id === id && bubble.text === text), [aId, line] as const, {
      timeout: 10_000,
    });
    await a.waitForFunction((text) => __quest.bubbles.some((bubble) => bubble.text === text), line, { timeout: 5_000 });
    await a.screenshot({ path: join(artifacts, "browser-a-chat.png") });
    await b.screenshot({ path: join(artifacts, "browser-b-sees-alice.png") });

    // Keys: a tap of an arrow key walks whole tiles and what A draws never steps back (no correction on release).
    const way = await a.evaluate(() => {
      const { tx, ty } = __quest.localTile!;
      const ways = [
        { key: "ArrowRight", axis: 0, sign: 1, dx: 2, dy: 0 },
        { key: "ArrowLeft", axis: 0, sign: -1, dx: -2, dy: 0 },
        { key: "ArrowDown", axis: 1, sign: 1, dx: 0, dy: 2 },
        { key: "ArrowUp", axis: 1, sign: -1, dx: 0, dy: -2 },
      ];
      return ways.find((w) => __quest.pathLength(tx + w.dx, ty + w.dy) === 2) ?? null;
    });
    expect(way).not.toBeNull();
    const { key, axis, sign } = way!;
    await a.evaluate((along) => {
      const trace: number[] = [];
      (globalThis as { trace?: number[] }).trace = trace;
      const record = () => {
        const drawn = __quest.localDrawn!;
        trace.push(along === 0 ? drawn.x : drawn.y);
        if (trace.length < 600) requestAnimationFrame(record);
      };
      requestAnimationFrame(record);
    }, axis);
    const start = await a.evaluate(() => __quest.localDrawn!);
    await a.keyboard.down(key);
    await a.waitForFunction((s) => __quest.localDrawn!.x !== s.x || __quest.localDrawn!.y !== s.y, start, { timeout: 5_000 });
    await a.keyboard.up(key);
    // Stopped on a tile centre, where the server has it too (B draws it there).
    await a.waitForFunction(() => __quest.localTile !== null && !__quest.walking, null, { timeout: 5_000 });
    const stop = await a.evaluate(() => __quest.localTile!);
    await b.waitForFunction(
      ([id, x, y]) => __quest.others.some((o) => o.id === id && o.x === x * 16 + 8 && o.y === y * 16 + 8),
      [aId, stop.tx, stop.ty] as const,
      { timeout: 5_000 },
    );
    const trace = await a.evaluate(() => (globalThis as { trace?: number[] }).trace!.slice());
    for (let i = 1; i < trace.length; i++) expect((trace[i] - trace[i - 1]) * sign).toBeGreaterThanOrEqual(0);
    // Every frame of the walk moves: drawn from when each input tick was due, a frame that ran
    // a tick late does not freeze the player (and leap on the next one).
    const steps = trace.slice(1).map((at, i) => Math.abs(at - trace[i]));
    const walk = steps.slice(steps.findIndex((step) => step > 0), steps.length - [...steps].reverse().findIndex((step) => step > 0));
    expect(walk.filter((step) => step === 0)).toEqual([]);
    expect((trace[trace.length - 1] - trace[0]) * sign).toBeGreaterThanOrEqual(16);

    // What A writes in any script reaches B's bubble and chat log whole (the burst allows 3 more lines).
    const canvasOf = (page: Page) =>
      page.evaluate(() => {
        const r = document.querySelector("canvas")!.getBoundingClientRect();
        return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      });
    const bubbleOf = (page: Page, text: string) =>
      page.waitForFunction(([id, t]) => __quest.bubbles.find((bubble) => bubble.id === id && bubble.text === t) ?? null, [aId, text] as const, { timeout: 10_000 }).then((handle) => handle.jsonValue() as Promise<QuestView["bubbles"][number]>);
    const say = async (text: string) => {
      await a.keyboard.press("Enter");
      await a.keyboard.type(text);
      await a.keyboard.press("Enter");
    };
    const squeezed = (text: string) => text.replace(/\s+/g, "");
    const canvas = await canvasOf(b);
    const inCanvas = (bubble: QuestView["bubbles"][number]) => {
      expect(bubble.page.left).toBeGreaterThanOrEqual(canvas.left);
      expect(bubble.page.top).toBeGreaterThanOrEqual(canvas.top);
      expect(bubble.page.right).toBeLessThanOrEqual(canvas.right);
      expect(bubble.page.bottom).toBeLessThanOrEqual(canvas.bottom);
    };
    const worldly = "¡Hola! ça va? 你好 🙂";
    await say(worldly);
    const hola = await bubbleOf(b, worldly);
    expect(hola.browserFont).toBe(true);
    expect(squeezed(hola.drawn)).toBe(squeezed(worldly));
    await b.waitForFunction((line) => __quest.hud.log.includes(line), `${alice}: ${worldly}`, { timeout: 5_000 });
    await b.screenshot({ path: join(artifacts, "browser-b-sees-any-script.png") });

    // A 60-letter word wraps inside the bubble's width, broken where it must be.
    const word = "Supercalifragilistic".repeat(3);
    await say(word);
    const long = await bubbleOf(b, word);
    expect(long.browserFont).toBe(false);
    expect(squeezed(long.drawn)).toBe(word);
    expect(long.drawn.split("\n").length).toBeGreaterThan(2);
    inCanvas(long);

    // B stands a few tiles south of A, so a bubble over A would poke out of the top of B's view: it stays inside.
    const aTile = () => b.evaluate((id) => __quest.others.find((o) => o.id === id)!, aId);
    const under = await b.evaluate((at) => {
      for (const dy of [4, 5, 3, 6]) for (const dx of [0, 1, -1, 2, -2, 3, -3]) if (__quest.pathLength(at.tx + dx, at.ty + dy) !== null) return { tx: at.tx + dx, ty: at.ty + dy };
      return null;
    }, await aTile());
    expect(under).not.toBeNull();
    const south = async () => {
      const at = await aTile();
      return b.evaluate((a) => __quest.localTile !== null && !__quest.walking && __quest.localTile.ty - a.ty >= 3 && Math.abs(__quest.localTile.tx - a.tx) <= 4, at);
    };
    await hopToward(b, under!, south, 8);
    expect(await south()).toBe(true);
    const sentence = "hello everyone, the forest north of the village has goblins";
    await say(sentence);
    const edge = await bubbleOf(b, sentence);
    expect(squeezed(edge.drawn)).toBe(squeezed(sentence));
    inCanvas(edge);
    // An ASCII line stays in the bitmap font, its speaker coloured apart.
    await b.keyboard.press("Enter");
    await b.keyboard.type("hi there");
    await b.keyboard.press("Enter");
    await b.waitForFunction(() => __quest.hud.log.includes("bob: hi there"), null, { timeout: 5_000 });
    await b.screenshot({ path: join(artifacts, "browser-b-bubble-at-edge.png") });
    // Closing A's tab says goodbye: B sees A gone at once, not after the 30 s resume grace.
    await a.context().close();
    await b.waitForFunction((id) => !__quest.others.some((o) => o.id === id) && __quest.population.world === 1, aId, { timeout: 3_000 });
    await b.context().close();
  }, 90_000);

  it("walking onto a door teleports the player inside and the camera cuts there in one frame, no slide across the map", async () => {
    const page = await enter("dora");
    const door = await page.evaluate(() => {
      const { tx, ty } = __quest.localTile!;
      const doors = __quest.portals
        .filter((p) => p.kind === "door")
        .map((p) => ({ ...p, length: __quest.pathLength(p.from.tx, p.from.ty) ?? Number.POSITIVE_INFINITY, far: Math.abs(p.from.tx - tx) + Math.abs(p.from.ty - ty) }));
      doors.sort((a, b) => a.length - b.length);
      return doors[0];
    });
    expect(door.length).toBeLessThan(60);
    // Walk there a screenful at a time: click a reachable tile a few steps closer, wait, repeat.
    for (let hop = 0; hop < 20; hop++) {
      const near = await page.evaluate(
        ([dx, dy]) => {
          const here = __quest.localTile!;
          const gx = dx - here.tx;
          const gy = dy - here.ty;
          if (Math.abs(gx) + Math.abs(gy) <= 5) return null;
          const scale = 4 / Math.max(Math.abs(gx), Math.abs(gy));
          for (let back = 0; back < 4; back++) {
            for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]]) {
              const tx = Math.round(here.tx + gx * scale) - Math.sign(gx) * back + ox;
              const ty = Math.round(here.ty + gy * scale) - Math.sign(gy) * back + oy;
              if ((tx !== dx || ty !== dy) && __quest.pathLength(tx, ty) !== null) return { tx, ty };
            }
          }
          return null;
        },
        [door.from.tx, door.from.ty] as const,
      );
      if (near === null) break;
      const from = await page.evaluate(() => __quest.localTile!);
      const point = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [near.tx, near.ty] as const);
      await page.mouse.click(point.x, point.y);
      // There, or stopped elsewhere on the way (a mob or NPC on the tile turns the click into engaging it).
      await page.waitForFunction(
        ([x, y, fx, fy]) => {
          const here = __quest.localTile;
          return here !== null && ((here.tx === x && here.ty === y) || (!__quest.walking && (here.tx !== fx || here.ty !== fy)));
        },
        [near.tx, near.ty, from.tx, from.ty] as const,
        { timeout: 10_000 },
      );
    }
    await page.evaluate(() => {
      const trace: { px: number; py: number; cx: number; cy: number }[] = [];
      (globalThis as { trace?: typeof trace }).trace = trace;
      const record = () => {
        const drawn = __quest.localDrawn!;
        const camera = __quest.camera;
        trace.push({ px: drawn.x, py: drawn.y, cx: camera.x, cy: camera.y });
        if (trace.length < 900) requestAnimationFrame(record);
      };
      requestAnimationFrame(record);
    });
    const point = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [door.from.tx, door.from.ty] as const);
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(([x, y]) => __quest.localTile?.tx === x && __quest.localTile?.ty === y, [door.to.tx, door.to.ty] as const, { timeout: 10_000 });
    await page.waitForTimeout(300);
    const trace = await page.evaluate(() => (globalThis as { trace?: { px: number; py: number; cx: number; cy: number }[] }).trace!.slice());
    // The frame the player jumps, the camera jumps with it: it never shows the way between.
    const jump = trace.findIndex((t, i) => i > 0 && Math.abs(t.px - trace[i - 1].px) + Math.abs(t.py - trace[i - 1].py) > 3 * 16);
    expect(jump).toBeGreaterThan(0);
    const at = trace[jump];
    expect(Math.abs(at.cx - at.px) + Math.abs(at.cy - at.py)).toBeLessThan(8 * 16);
    for (let i = jump + 1; i < trace.length; i++) {
      expect(Math.abs(trace[i].cx - trace[i - 1].cx) + Math.abs(trace[i].cy - trace[i - 1].cy)).toBeLessThan(16);
    }
    await page.screenshot({ path: join(artifacts, "browser-through-door.png") });
    await page.context().close();
  }, 60_000);

  /** Walks a page's player toward a tile by clicking reachable tiles a few steps closer, until `done` says stop. */
  async function hopToward(page: Page, goal: TilePoint, done: () => Promise<boolean>, hops = 30): Promise<void> {
    for (let hop = 0; hop < hops && !(await done()); hop++) {
      const near = await page.evaluate(
        ([gx, gy]) => {
          const here = __quest.localTile!;
          const dx = gx - here.tx;
          const dy = gy - here.ty;
          if (dx === 0 && dy === 0) return null;
          const scale = Math.min(1, 5 / Math.max(Math.abs(dx), Math.abs(dy)));
          for (let back = 0; back < 5; back++) {
            for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [2, 0], [0, 2], [-2, 0], [0, -2]]) {
              const tx = Math.round(here.tx + dx * scale) - Math.sign(dx) * back + ox;
              const ty = Math.round(here.ty + dy * scale) - Math.sign(dy) * back + oy;
              // A click on a chest or NPC would open or talk: hop on plain ground.
              const taken = __quest.chests.some((c) => c.tx === tx && c.ty === ty) || __quest.npcs.some((n) => n.tx === tx && n.ty === ty);
              if ((tx !== here.tx || ty !== here.ty) && !taken && __quest.pathLength(tx, ty) !== null) return { tx, ty };
            }
          }
          return null;
        },
        [goal.tx, goal.ty] as const,
      );
      if (near === null) break;
      const point = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [near.tx, near.ty] as const);
      await page.mouse.click(point.x, point.y);
      // Done when it stands still on a tile (or fell on the way: the dead may lie between two tiles).
      await page.waitForFunction(() => (!__quest.walking && __quest.localTile !== null) || __quest.me?.dead === true, null, { timeout: 10_000 });
    }
  }

  it("a player clicks a rat, walks next to it and fights it: damage numbers float over it and it dies in a puff of smoke", async () => {
    const page = await enter("hunter");
    // The rats of the south fields (gen-map's areas): walk until one is on screen.
    const ratArea = { tx: 64, ty: 108 };
    const ratInView = () =>
      page.evaluate(() => {
        const here = __quest.localTile;
        return here !== null && __quest.mobs.some((m) => m.kind === "rat" && Math.abs(m.tx - here.tx) <= 6 && Math.abs(m.ty - here.ty) <= 4);
      });
    await hopToward(page, ratArea, ratInView);
    expect(await ratInView()).toBe(true);
    const rat = await page.evaluate(() => {
      const here = __quest.localTile!;
      const rats = __quest.mobs.filter((m) => m.kind === "rat").sort((a, b) => Math.abs(a.tx - here.tx) + Math.abs(a.ty - here.ty) - (Math.abs(b.tx - here.tx) + Math.abs(b.ty - here.ty)));
      return rats[0];
    });
    const point = await page.evaluate(([x, y]) => __quest.worldToPage(x, y), [rat.x, rat.y] as const);
    await page.mouse.click(point.x, point.y);
    expect(await page.evaluate(() => __quest.engaged)).toEqual({ kind: "mob", id: rat.id });
    // Hits land on the rat (the server swings every 800 ms from the next tile): numbers float over it.
    await page.waitForFunction((id) => __quest.damageNumbers.shown.some((n) => n.target === id) && __quest.damageNumbers.floating > 0, rat.id, { timeout: 15_000 });
    await page.screenshot({ path: join(artifacts, "browser-fight.png") });
    // A rat has 25 HP and a sword deals 2–9 a swing: it dies within a few seconds, and the page shows it.
    await page.waitForFunction((id) => __quest.deaths.includes(id), rat.id, { timeout: 20_000 });
    // At once: the rat blinks out and the puff plays within the next ~0.7 s.
    await page.screenshot({ path: join(artifacts, "browser-mob-dies.png") });
    expect(await page.evaluate((id) => __quest.mobs.some((m) => m.id === id), rat.id)).toBe(false);
    expect(await page.evaluate(() => __quest.engaged)).toBeNull();
    // Every hit showed its number, the killing blow too (its hit comes with the despawn): they add up to the rat's 25 HP.
    const dealt = await page.evaluate((id) => __quest.damageNumbers.shown.filter((n) => n.target === id).reduce((sum, n) => sum + (Number(n.text) || 0), 0), rat.id);
    expect(dealt).toBeGreaterThanOrEqual(25);
    await page.context().close();
  }, 90_000);

  it("clicking a sign shows its text where the player stands; clicking an NPC walks up to it and its lines show in a bubble over it, the next one on each click; clicking a chest walks to it and opens it", async () => {
    const page = await enter("visitor");
    const here = await page.evaluate(() => __quest.localTile!);
    // On screen (at least 20 × 12 tiles are shown around the player).
    const signs = loadWorldMap().signs.filter((sign) => Math.abs(sign.tx - here.tx) <= 8 && Math.abs(sign.ty - here.ty) <= 5);
    expect(signs.length).toBeGreaterThan(0);
    const signAt = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [signs[0].tx, signs[0].ty] as const);
    await page.mouse.click(signAt.x, signAt.y);
    await page.waitForFunction((text) => __quest.notices.includes(text), signs[0].text, { timeout: 5_000 });
    expect(await page.evaluate(() => __quest.walking)).toBe(false);
    const npc = await page.evaluate(() => {
      const here = __quest.localTile!;
      const near = __quest.npcs.map((n) => ({ ...n, length: __quest.pathLength(n.tx, n.ty + 1) ?? Number.POSITIVE_INFINITY }));
      near.sort((a, b) => a.length - b.length);
      return { ...near[0], from: here };
    });
    expect(npc.length).toBeLessThan(12);
    const at = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [npc.tx, npc.ty] as const);
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((id) => __quest.npcs.find((n) => n.id === id)?.saying != null, npc.id, { timeout: 10_000 });
    const first = await page.evaluate(() => __quest.said.at(-1)!);
    expect(first).toMatchObject({ id: npc.id, index: 0 });
    await page.screenshot({ path: join(artifacts, "browser-npc-talk.png") });
    // The camera followed the walk: where the NPC is on the page now.
    const again = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [npc.tx, npc.ty] as const);
    await page.mouse.click(again.x, again.y);
    await page.waitForFunction((id) => __quest.said.some((s) => s.id === id && s.index === 1), npc.id, { timeout: 5_000 });
    expect(await page.evaluate((id) => __quest.npcs.find((n) => n.id === id)!.saying, npc.id)).toBe(await page.evaluate(() => __quest.said.at(-1)!.line));

    const chest = await page.evaluate(() => {
      const near = __quest.chests.map((c) => ({ ...c, length: __quest.pathLength(c.tx, c.ty) ?? Number.POSITIVE_INFINITY }));
      near.sort((a, b) => a.length - b.length);
      return near[0];
    });
    expect(chest.length).toBeLessThan(30);
    // Near enough to see it, then click it.
    await hopToward(page, chest, () => page.evaluate(([x, y]) => Math.abs(__quest.localTile!.tx - x) + Math.abs(__quest.localTile!.ty - y) <= 5, [chest.tx, chest.ty] as const));
    const chestAt = await page.evaluate(([x, y]) => __quest.tileToPage(x, y), [chest.tx, chest.ty] as const);
    await page.mouse.click(chestAt.x, chestAt.y);
    // Opened on arrival: its item drops on its tile, where we stand, and is taken at once (a
    // healing one, at full HP, is left there for later with a notice).
    await page.waitForFunction(() => __quest.achievements.includes("Treasure hunter"), null, { timeout: 15_000 });
    await page.waitForFunction(() => __quest.achievements.includes("Finders keepers") || __quest.notices.some((n) => n.startsWith("You are at full health")), null, {
      timeout: 5_000,
    });
    expect(await page.evaluate(() => __quest.localTile)).toEqual({ tx: chest.tx, ty: chest.ty });
    await page.screenshot({ path: join(artifacts, "browser-chest.png") });
    await page.context().close();
  }, 60_000);

  it("a player killed by goblins sees a Respawn button; clicking it brings them back alive at full HP at a checkpoint", async () => {
    const page = await enter("doomed");
    // The Oakwood's goblins (gen-map's area north of the village) attack from 2 tiles.
    const goblins = { tx: 91, ty: 38 };
    const dead = () => page.evaluate(() => __quest.me?.dead === true);
    await hopToward(page, goblins, dead, 40);
    await page.waitForFunction(() => __quest.me?.dead === true, null, { timeout: 45_000 });
    const fell = await page.evaluate(() => __quest.localDrawn!);
    await page.waitForSelector("#dead button", { state: "visible", timeout: 5_000 });
    // It says where the player will come back.
    expect(await page.textContent("#dead p")).toMatch(/^You died\. You will come back at .+\.$/);
    expect(await page.evaluate(() => __quest.deaths.includes(__quest.entityId))).toBe(true);
    await page.screenshot({ path: join(artifacts, "browser-dead.png") });
    await page.click("#dead button");
    await page.waitForFunction(() => __quest.me !== null && !__quest.me.dead && __quest.me.hp === __quest.me.maxHp, null, { timeout: 5_000 });
    await page.waitForSelector("#dead", { state: "hidden", timeout: 5_000 });
    const back = await page.evaluate(() => __quest.localDrawn!);
    expect(Math.abs(back.x - fell.x) + Math.abs(back.y - fell.y)).toBeGreaterThan(16);
    await page.screenshot({ path: join(artifacts, "browser-respawned.png") });
    await page.context().close();
  }, 90_000);

  it("draws the world with Phaser's Canvas renderer where WebGL is missing (?canvas forces it)", async () => {
    const page = await enter("carol", "&canvas");
    expect(await page.evaluate(() => __quest.renderer)).toBe("canvas");
    const shot = PNG.sync.read(await page.screenshot({ path: join(artifacts, "browser-canvas.png") }));
    // A real frame: the map's many colours, not a blank or single-colour canvas.
    const colours = new Set<number>();
    for (let i = 0; i < shot.data.length; i += 4 * 97) colours.add(shot.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(40);
    await page.context().close();
  }, 30_000);
});

describe.skipIf(!haveChromium)("Quest's title after the server lets a player go", () => {
  let server: ChildProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    // Uses the client the first describe built; an idle timeout of a second.
    ({ child: server, url } = await startServer({ QUEST_IDLE_TIMEOUT_S: "1" }));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
  });

  it("an idle player is sent back to the title, which says why and keeps the name", async () => {
    const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
    await page.goto(`${url}?name=dozy`);
    await page.waitForFunction(() => (globalThis as { __quest?: QuestView }).__quest?.state === "open", null, { timeout: 20_000 });
    await page.waitForFunction(() => !document.querySelector<HTMLFormElement>("#title")!.hidden, null, { timeout: 10_000 });
    const status = await page.textContent("#title .status");
    expect(status).toMatch(/idle/i);
    expect(await page.inputValue("#title input[name=name]")).toBe("dozy");
    await page.screenshot({ path: join(artifacts, "browser-title-after-idle.png") });
  }, 40_000);
});
