/**
 * `npm run bench`: the engine micro-benchmarks, the snapshot pipeline in process, the
 * field scenario, then the Quest sample game under its bots (quest.ts).
 *   --quick                  reduced pipeline, field and quest sets (under 2 minutes in all)
 *   --only engine|pipeline|field|quest|scale   one suite
 *   --clients 50,200,...     field (and pipeline) client counts     --variants all,aoi
 *   --window S  --warmup S   field and quest measuring window and warm-up
 *   --runs walk,fight        quest runs (default both)
 *   --parts field,matchmake,drain   scale parts (default all); scale's field C is --clients' first
 *   --profile DIR            V8 CPU profiles of each field and quest run (server and load), into DIR
 *   --no-floor               skip the floor (a bare uWS server sending alone, floor.ts) measured
 *                            after the field runs at C ≥ 1000, or at the largest C of a smaller run
 *   --input-timing free      bots send inputs on timers of their own instead of timed to the
 *                            server's ticks (the client's default, "aligned")
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { FieldVariant } from "./field-game.js";
import { FIELD_CLIENTS, FIELD_VARIANTS, runField } from "./field.js";
import { progress } from "./harness.js";
import { PIPELINE_CLIENTS, runPipeline } from "./pipeline.js";
import { QUEST_RUNS, type QuestRunName, runQuest } from "./quest.js";
import { runScale, SCALE_PARTS, type ScalePart } from "./scale.js";

/** The quick set: two sizes per variant, Quest's walk run and one page load, short windows, so the whole run stays under 2 minutes. */
const QUICK = { clients: [50, 500], windowSec: 5, warmupSec: 2, pipelineClients: [1000], pipelineTicks: 100, questRuns: ["walk"], questPageRuns: 1, scaleRuns: 1 } as const;
const SUITES = ["engine", "pipeline", "field", "quest", "scale"] as const;

function numbers(flag: string, text: string): number[] {
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) throw new Error(`--${flag} takes positive integers: ${text}`);
  return values;
}

function inputTiming(text: string | undefined): "aligned" | "free" | undefined {
  if (text !== undefined && text !== "aligned" && text !== "free") throw new Error(`--input-timing takes aligned, free: ${text}`);
  return text;
}

function questRuns(text: string): QuestRunName[] {
  const names = text.split(",").map((part) => part.trim());
  for (const name of names) if (!QUEST_RUNS.includes(name as QuestRunName)) throw new Error(`--runs takes ${QUEST_RUNS.join(", ")}: ${text}`);
  return names as QuestRunName[];
}

function scaleParts(text: string): ScalePart[] {
  const names = text.split(",").map((part) => part.trim());
  for (const name of names) if (!SCALE_PARTS.includes(name as ScalePart)) throw new Error(`--parts takes ${SCALE_PARTS.join(", ")}: ${text}`);
  return names as ScalePart[];
}

function variants(text: string): FieldVariant[] {
  const names = text.split(",").map((part) => part.trim());
  for (const name of names) if (!FIELD_VARIANTS.includes(name as FieldVariant)) throw new Error(`--variants takes all, aoi: ${text}`);
  return names as FieldVariant[];
}

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    clients: { type: "string" },
    variants: { type: "string" },
    window: { type: "string" },
    warmup: { type: "string" },
    profile: { type: "string" },
    "input-timing": { type: "string" },
    "no-floor": { type: "boolean", default: false },
    runs: { type: "string" },
    parts: { type: "string" },
  },
});
if (values.only !== undefined && !(SUITES as readonly string[]).includes(values.only)) {
  throw new Error(`--only takes ${SUITES.join(", ")}, got ${values.only}`);
}
const clients = values.clients !== undefined ? numbers("clients", values.clients) : undefined;
const chosenVariants = values.variants !== undefined ? variants(values.variants) : undefined;
const windowSec = values.window !== undefined ? numbers("window", values.window)[0] : values.quick ? QUICK.windowSec : undefined;
const warmupSec = values.warmup !== undefined ? Number(values.warmup) : values.quick ? QUICK.warmupSec : undefined;

if (values.only === undefined || values.only === "engine") {
  progress("engine micro-benchmarks");
  // engine.ts runs and writes bench-results/engine.json when loaded.
  await import("./engine.js");
}
if (values.only === undefined || values.only === "pipeline") {
  await runPipeline({
    clients: clients ?? (values.quick ? QUICK.pipelineClients : PIPELINE_CLIENTS),
    variants: chosenVariants,
    ticks: values.quick ? QUICK.pipelineTicks : undefined,
  });
}
if (values.only === undefined || values.only === "field") {
  await runField({
    clients: clients ?? (values.quick ? QUICK.clients : FIELD_CLIENTS),
    variants: chosenVariants ?? FIELD_VARIANTS,
    windowSec,
    warmupSec,
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
    floor: !values["no-floor"],
    inputTiming: inputTiming(values["input-timing"]),
  });
}
if (values.only === undefined || values.only === "quest") {
  await runQuest({
    runs: values.runs !== undefined ? questRuns(values.runs) : values.quick ? QUICK.questRuns : undefined,
    windowSec,
    warmupSec,
    pageRuns: values.quick ? QUICK.questPageRuns : undefined,
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
  });
}
if (values.only === undefined || values.only === "scale") {
  await runScale({
    parts: values.parts !== undefined ? scaleParts(values.parts) : undefined,
    clients: clients?.[0],
    runs: values.quick ? QUICK.scaleRuns : undefined,
    windowSec,
    warmupSec,
  });
}
