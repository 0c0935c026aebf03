/**
 * `window.__quest`: a read-only view of the game for the browser test and the devtools
 * console (where the player is, who else is drawn where, which bubbles show). It exposes
 * state, not controls: nothing here can move a player or send a message.
 */
declare global {
  interface Window {
    __quest?: unknown;
  }
}

/** Publishes `view` as window.__quest; returns the undo. */
export function exposeDebug(view: object): () => void {
  window.__quest = view;
  return () => {
    if (window.__quest === view) window.__quest = undefined;
  };
}
