import type { Schema } from "@tickwire/engine";
import type { ClientEvents } from "../../src/client.js";

interface Listenable<S extends Schema> {
  on<K extends keyof ClientEvents<S>>(event: K, listener: ClientEvents<S>[K]): () => void;
}

/** Resolves with the arguments of the client's next `event`; rejects after `timeoutMs`. */
export function nextEvent<S extends Schema, K extends keyof ClientEvents<S>>(
  client: Listenable<S>,
  event: K,
  timeoutMs = 5_000,
): Promise<Parameters<ClientEvents<S>[K]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, ((...args: Parameters<ClientEvents<S>[K]>) => {
      clearTimeout(timer);
      off();
      resolve(args);
    }) as ClientEvents<S>[K]);
  });
}

/**
 * Polls `condition` every few ms until it holds; rejects with `what` after `timeoutMs`.
 * For conditions that depend on a real server and real sockets, which have no event to await.
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Calls `frame` every `intervalMs`, like a render loop; returns a stop function. */
export function everyFrame(frame: () => void, intervalMs = 16): () => void {
  const timer = setInterval(frame, intervalMs);
  return () => clearInterval(timer);
}
