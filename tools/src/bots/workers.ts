import { Worker } from "node:worker_threads";
import { WORKER_REPLY_TIMEOUT_MS } from "./constants.js";
import { BotGroup, type GroupConfig, type GroupRuntime } from "./group.js";
import type { GroupResult, GroupSample } from "./metrics.js";

/**
 * Parent ↔ worker protocol. The worker loads its modules and answers `ready` (or
 * `failed`); once every worker is ready the parent sends `start`, so all ramps begin
 * together; then `sample` once per interval and `finish` at the end.
 */
export type ParentMessage = { type: "start" } | { type: "sample" } | { type: "finish" };
export type WorkerMessage =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "sample"; sample: GroupSample }
  | { type: "result"; result: GroupResult };

/** A running group, in this thread or in a worker: the parent drives both the same way. */
export interface GroupHandle {
  start(): void;
  sample(): Promise<GroupSample>;
  /** Stops the group's bots and returns what they measured. */
  finish(): Promise<GroupResult>;
  /** Stops whatever still runs and releases the thread; safe to call twice and after a failure. */
  dispose(): Promise<void>;
}

export class WorkerFailedError extends Error {
  override name = "WorkerFailedError";
}

/** A group in the main thread: used for `--workers 1`, and the only way to pass behaviour objects. */
export async function startInlineGroup(config: GroupConfig, runtime: GroupRuntime): Promise<GroupHandle> {
  const group = await BotGroup.create(config, runtime);
  let finished: Promise<GroupResult> | null = null;
  const finish = () => (finished ??= group.finish());
  return {
    start: () => group.start(),
    sample: async () => group.sample(),
    finish,
    // A run that failed midway still closes its bots: they live in this thread.
    dispose: async () => {
      await finish().catch(() => undefined);
    },
  };
}

/** tsx's registration API when it is installed, so TypeScript game and behaviour modules load in workers too. */
function tsxApi(): string | null {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return null;
  }
}

const SOURCE_CONDITION_HOOK =
  'export function resolve(specifier, context, next) { return next(specifier, { ...context, conditions: [...context.conditions, "source"] }); }';

/**
 * What a new worker thread runs. Hooks registered in this thread do not carry over to a
 * worker, so when tsx is installed a small bootstrap registers it there first; run from
 * the TypeScript sources (tests, the bin script before a build) it also adds the workspace
 * "source" export condition, and loads `worker.ts` instead of the built `worker.js`.
 */
function workerEntry(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  const worker = new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
  const tsx = tsxApi();
  if (tsx === null) return worker;
  const code = [
    `const { register: registerTsx } = await import(${JSON.stringify(tsx)});`,
    "registerTsx();",
    ...(fromSource
      ? [
          'const { register } = await import("node:module");',
          // Registered after tsx, so it runs first and hands tsx a context that includes "source".
          `register("data:text/javascript," + encodeURIComponent(${JSON.stringify(SOURCE_CONDITION_HOOK)}));`,
        ]
      : []),
    `await import(${JSON.stringify(worker.href)});`,
  ].join("\n");
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Starts a worker thread running one group; resolves once its modules are loaded. */
export async function startWorkerGroup(config: GroupConfig): Promise<GroupHandle> {
  const worker = new Worker(workerEntry(), { workerData: config });
  let failure: Error | null = null;
  let waiting: { type: WorkerMessage["type"]; resolve: (message: WorkerMessage) => void; reject: (error: Error) => void } | null = null;
  const fail = (error: Error): void => {
    failure ??= error;
    const pending = waiting;
    waiting = null;
    pending?.reject(failure);
  };
  worker.on("message", (message: WorkerMessage) => {
    if (message.type === "failed") return fail(new WorkerFailedError(`worker ${config.groupIndex}: ${message.message}`));
    if (waiting?.type !== message.type) return;
    const pending = waiting;
    waiting = null;
    pending.resolve(message);
  });
  worker.on("error", (error) => fail(new WorkerFailedError(`worker ${config.groupIndex} crashed: ${error.message}`)));
  worker.on("exit", (code) => fail(new WorkerFailedError(`worker ${config.groupIndex} exited (code ${code})`)));

  /** One request at a time: the parent never overlaps them. */
  const request = <T extends WorkerMessage["type"]>(type: T, send?: ParentMessage): Promise<Extract<WorkerMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (failure !== null) return reject(failure);
      const timer = setTimeout(() => fail(new WorkerFailedError(`worker ${config.groupIndex} did not answer "${type}"`)), WORKER_REPLY_TIMEOUT_MS);
      waiting = {
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as Extract<WorkerMessage, { type: T }>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (send !== undefined) worker.postMessage(send);
    });

  try {
    await request("ready");
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    start: () => worker.postMessage({ type: "start" } satisfies ParentMessage),
    sample: async () => (await request("sample", { type: "sample" })).sample,
    finish: async () => (await request("result", { type: "finish" })).result,
    dispose: async () => {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
