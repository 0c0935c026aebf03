import type { HttpResponse } from "uWebSockets.js";

export type Header = readonly [name: string, value: string];

/** Common statuses with their reason phrases, as uWS's writeStatus wants them. */
export const Status = {
  ok: "200 OK",
  notModified: "304 Not Modified",
  badRequest: "400 Bad Request",
  unauthorized: "401 Unauthorized",
  forbidden: "403 Forbidden",
  notFound: "404 Not Found",
  methodNotAllowed: "405 Method Not Allowed",
  tooManyRequests: "429 Too Many Requests",
  internalError: "500 Internal Server Error",
  serviceUnavailable: "503 Service Unavailable",
} as const;

/**
 * Writes a whole response. uWS needs writes corked when they happen outside the request
 * callback (after an await), and tolerates corking inside it, so every response is corked.
 */
export function respond(
  res: HttpResponse,
  status: string,
  body: string | Uint8Array,
  headers: readonly Header[] = [],
  headOnly = false,
): void {
  res.cork(() => {
    res.writeStatus(status);
    for (const [name, value] of headers) res.writeHeader(name, value);
    if (headOnly) {
      // uWS v20.30's endWithoutBody(length) leaves the response open; write the header ourselves.
      res.writeHeader("Content-Length", String(typeof body === "string" ? Buffer.byteLength(body) : body.length));
      res.endWithoutBody();
    } else {
      res.end(body);
    }
  });
}

/** A 304: headers only, no body and no Content-Length. */
export function respondNotModified(res: HttpResponse, headers: readonly Header[]): void {
  res.cork(() => {
    res.writeStatus(Status.notModified);
    for (const [name, value] of headers) res.writeHeader(name, value);
    res.endWithoutBody();
  });
}

export function respondText(res: HttpResponse, status: string, text: string, headers: readonly Header[] = []): void {
  respond(res, status, text, [["Content-Type", "text/plain; charset=utf-8"], ...headers]);
}

export function respondJson(res: HttpResponse, status: string, value: unknown, headers: readonly Header[] = []): void {
  respond(res, status, JSON.stringify(value), [
    ["Content-Type", "application/json"],
    ["Cache-Control", "no-store"],
    ...headers,
  ]);
}

/**
 * Marks a response as answered later. uWS aborts the process if a handler returns without
 * responding or registering onAborted; after an abort the response must not be touched.
 */
export function deferResponse(res: HttpResponse): { readonly aborted: boolean } {
  const state = { aborted: false };
  res.onAborted(() => {
    state.aborted = true;
  });
  return state;
}
