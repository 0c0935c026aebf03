/**
 * Stopgap: `@tickwire/client` resolves to its TypeScript sources, which include the canvas
 * net graph typed against the DOM, while tools type-checks without the DOM lib (it runs in
 * Node). These are the only DOM names the net graph uses, loosely typed, so the bot swarm
 * can import the client. Delete this file once the client keeps DOM types out of Node
 * consumers (a separate entry point for the net graph, or structural types).
 */
// biome-ignore-all lint/suspicious/noExplicitAny: stand-ins for DOM types this program does not have.
declare type HTMLElement = any;
declare type HTMLCanvasElement = any;
declare type KeyboardEvent = any;
declare const window: any;
declare const document: any;
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare function cancelAnimationFrame(handle: number): void;
