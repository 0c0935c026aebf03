/**
 * Entry point of a swarm worker thread: runs one BotGroup and answers the parent's
 * requests (see workers.ts for the protocol).
 */
import { parentPort, workerData } from "node:worker_threads";
import { BotGroup, type GroupConfig, threadRuntime } from "./group.js";
import type { ParentMessage, WorkerMessage } from "./workers.js";

const port = parentPort;
if (port === null) throw new Error("worker.ts runs in a worker thread");
const post = (message: WorkerMessage): void => port.postMessage(message);

let group: BotGroup | undefined;
try {
  group = await BotGroup.create(workerData as GroupConfig, threadRuntime());
  post({ type: "ready" });
} catch (error) {
  // The parent reports the reason and ends the run; closing the port lets the thread exit.
  post({ type: "failed", message: (error as Error).message });
  port.close();
}

port.on("message", (message: ParentMessage) => {
  if (group === undefined) return;
  switch (message.type) {
    case "start":
      group.start();
      return;
    case "sample":
      post({ type: "sample", sample: group.sample() });
      return;
    case "finish":
      group.finish().then(
        (result) => post({ type: "result", result }),
        (error: unknown) => post({ type: "failed", message: (error as Error).message }),
      );
      return;
  }
});
