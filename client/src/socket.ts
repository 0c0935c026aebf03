/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket` and Node's `ws`
 * both fit, so the same client runs in both; tests inject their own.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  // biome-ignore lint/suspicious/noExplicitAny: the browser's and ws' event types differ; only `data`, `code` and `reason` are read.
  onopen: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see onopen.
  onmessage: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see onopen.
  onclose: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see onopen.
  onerror: ((event: any) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` value of an open socket (same in browsers and ws). */
export const SOCKET_OPEN = 1;

/** An HTTP refusal of the upgrade, as far as the transport lets us see it. */
export interface Refusal {
  status: number;
  /** The server's short text body, e.g. "world is full". */
  reason: string;
  /** The server's own verdict (the preflight says it); else judged from `status`. */
  retryable?: boolean;
}

/** Longest refusal body kept: the server's reasons are one short line. */
const MAX_REFUSAL_REASON = 256;

interface NodeHttpResponse {
  statusCode?: number;
  setEncoding(encoding: string): void;
  on(event: "data", listener: (chunk: string) => void): void;
  on(event: "end" | "error", listener: () => void): void;
}

interface NodeWebSocket {
  on(event: "unexpected-response", listener: (request: unknown, response: NodeHttpResponse) => void): void;
}

/**
 * Reports the HTTP status and body when the server refuses the upgrade (bad token, version
 * mismatch, world full…). Browsers hide both from scripts (the socket just fails with 1006),
 * so this works where the socket exposes them: Node's `ws` ('unexpected-response'). Once the
 * body is read the socket is closed, which fires its usual error and close events.
 */
export function watchRefusal(socket: WebSocketLike, onRefusal: (refusal: Refusal) => void): void {
  const node = socket as unknown as Partial<NodeWebSocket>;
  if (typeof node.on !== "function") return;
  node.on("unexpected-response", (_request, response) => {
    let body = "";
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      if (body.length < MAX_REFUSAL_REASON) body += chunk;
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      onRefusal({ status: response.statusCode ?? 0, reason: body.trim().slice(0, MAX_REFUSAL_REASON) });
      socket.close();
    };
    response.on("end", finish);
    response.on("error", finish);
  });
}

/**
 * Whether retrying can overcome an HTTP refusal: overload (429) and unavailability (5xx,
 * including "world full") pass; other 4xx (version mismatch, bad token, forbidden origin,
 * unknown world) will be refused again.
 */
export function refusalRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500 || status < 400;
}

/** Whether retrying can overcome `refusal`: the server's verdict when it gave one. */
export function mayRetryRefusal(refusal: Refusal): boolean {
  return refusal.retryable ?? refusalRetryable(refusal.status);
}
